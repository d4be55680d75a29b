"""The optional generated answer against a small OpenAI-compatible server started by the test (a real socket
server on 127.0.0.1): what the client sends, and that only sentences citing a retrieved passage reach the user."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import answers, generate

REPLY = "按项目设备投资额的百分之十给予奖补[1]。单个项目最高五百万元。[1]\n各地另有配套政策。详见第九份资料[9]。"


class FakeChat:
    """Answers POST /v1/chat/completions with `reply` (or `status`), remembering each request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply = REPLY
        self.status = 200
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": fake.reply}}]}
                data = json.dumps(payload).encode() if fake.status == 200 else b'{"error": "overloaded"}'
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def fake_chat():
    fake = FakeChat()
    yield fake
    fake.close()


@pytest.fixture
def endpoint(fake_chat, monkeypatch):
    fake_chat.requests.clear()
    fake_chat.reply, fake_chat.status = REPLY, 200
    monkeypatch.setenv("TIDU_LLM_BASE_URL", fake_chat.url)
    monkeypatch.setenv("TIDU_LLM_MODEL", "qwen-test")
    monkeypatch.setenv("TIDU_LLM_API_KEY", "sk-test")
    return fake_chat


def test_the_client_posts_a_chat_completion(endpoint):
    msgs = generate.messages("奖补多少？", [("办法 · 第二章", "按投资额的百分之十奖补。")])
    text = generate.chat(generate.Endpoint(base_url=endpoint.url, model="qwen-test", api_key="sk-test"), msgs)
    assert text == REPLY
    (request,) = endpoint.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "qwen-test" and request["body"]["temperature"] == 0
    assert "[1] 办法 · 第二章\n按投资额的百分之十奖补。" in request["body"]["messages"][1]["content"]


def test_no_endpoint_no_request(monkeypatch):
    monkeypatch.delenv("TIDU_LLM_BASE_URL", raising=False)
    assert answers.endpoint() is None
    monkeypatch.setenv("TIDU_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("TIDU_LLM_MODEL", raising=False)
    assert answers.endpoint() is None  # a URL without a model is not configured


@pytest.mark.django_db
def test_a_generated_answer_keeps_only_sentences_citing_retrieved_passages(corpus, world, login, endpoint):
    answer = answers.ask(world["enterprise"], "技改项目奖补最高给多少钱？")
    assert answer.mode == "generated"
    assert [(s.text, s.citations) for s in answer.generated] == [
        ("按项目设备投资额的百分之十给予奖补。", (1,)),
        ("单个项目最高五百万元。", (1,)),
    ]
    assert answer.dropped == 2  # the uncited sentence and the one citing a passage that was never retrieved
    sent = endpoint.requests[0]["body"]["messages"][1]["content"]
    assert f"[1] {answer.passages[0].citation}\n{answer.passages[0].text}" in sent
    page = login(world["enterprise"]).get("/ai/assistant/", {"q": "技改项目奖补最高给多少钱？"}).content.decode()
    assert "单个项目最高五百万元。" in page and "各地另有配套政策" not in page and 'href="#source-1"' in page
    body = login(world["enterprise"]).post("/api/v1/ai/assistant/ask", {"question": "技改项目奖补最高给多少钱？"},
                                           content_type="application/json").json()  # fmt: skip
    assert body["mode"] == "generated" and body["dropped_sentences"] == 2
    assert body["sentences"][1] == {"text": "单个项目最高五百万元。", "citations": [1]}


@pytest.mark.django_db
def test_a_failing_endpoint_falls_back_to_the_passages(corpus, world, endpoint):
    endpoint.status = 503
    answer = answers.ask(world["enterprise"], "技改项目奖补最高给多少钱？")
    assert answer.mode == "extractive" and answer.passages and "生成式回答暂不可用" in answer.generation_error
