"""The programme labels shipped with Tidu (names from the programme documents, shared/reference/standards.md §8)."""

LABELS = [
    ("innovative-sme", "创新型中小企业", "programme"),
    ("specialised-sme", "专精特新中小企业", "programme"),
    ("little-giant", "专精特新“小巨人”企业", "programme"),
    ("single-champion", "制造业单项冠军", "programme"),
    ("chain-leader", "链主企业", "programme"),
    ("high-tech", "高新技术企业", "programme"),
    ("state-owned", "国有企业", "other"),
    ("tier-basic", "智能工厂（基础级）", "tier"),
    ("tier-advanced", "智能工厂（先进级）", "tier"),
    ("tier-excellent", "智能工厂（卓越级）", "tier"),
    ("tier-leading", "智能工厂（领航级）", "tier"),
]


def labels_load(label_model) -> None:
    for order, (code, name, kind) in enumerate(LABELS):
        label_model.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "order": order})
