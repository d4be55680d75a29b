"""Writing timeline and audit rows. Every state change of an enterprise goes through `record`."""

import datetime as dt
from decimal import Decimal

from .models import Enterprise, EnterpriseEvent

Kind = EnterpriseEvent.Kind


def display(value: object) -> object:
    """A JSON-safe, human-readable form of a field value for the audit trail."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value if isinstance(value, int | float | bool) else str(value)


def change(field: str, label: str, old: object, new: object) -> dict:
    return {"field": field, "label": label, "old": display(old), "new": display(new)}


def record(enterprise: Enterprise, kind: str, *, actor=None, summary: str, data: dict | None = None) -> EnterpriseEvent:
    return EnterpriseEvent.objects.create(
        enterprise=enterprise, kind=kind, actor=actor, summary=summary[:300], data=data or {}
    )


def build(enterprise_id: int, kind: str, *, actor=None, summary: str, data: dict | None = None) -> EnterpriseEvent:
    """An unsaved event, for bulk writes (imports)."""
    return EnterpriseEvent(enterprise_id=enterprise_id, kind=kind, actor=actor, summary=summary[:300], data=data or {})


def summarise(changes: list[dict]) -> str:
    labels = "、".join(dict.fromkeys(c["label"] for c in changes))
    return f"修改了{labels}" if labels else "无变更"
