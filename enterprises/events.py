"""Writing timeline and audit rows. Every state change of an enterprise goes through `record`."""

import datetime as dt
from decimal import Decimal

from .models import Enterprise, EnterpriseEvent, Visibility

Kind = EnterpriseEvent.Kind

# What each kind of entry is, when the writer does not say. The rule: facts about the enterprise's own record that
# it can already see on its page are shared, so its timeline explains them; words written by the governing side
# about it are internal unless the writer chose to share them.
DEFAULT_VISIBILITY = {
    Kind.CREATED: Visibility.SHARED,  # the record exists: the enterprise sees it
    # Archive changes are shared whoever made them: the changed fields, labels, figures and contacts are on the
    # enterprise's own page, and it is entitled to know when and by whom its official record was altered.
    Kind.CHANGED: Visibility.SHARED,
    Kind.IMPORTED: Visibility.SHARED,  # creation or change of its record by an officer's import: same as above
    # A removal reason is an officer's free-text judgement ("疑似空壳", "重复建档"), the same kind of words as a
    # note; while removed the enterprise cannot open its record anyway. A restoration is a plain fact: shared.
    Kind.REMOVED: Visibility.INTERNAL,
    Kind.RESTORED: Visibility.SHARED,
    Kind.GROUPING: Visibility.SHARED,  # clusters and chains are shown on the enterprise's page
    Kind.ASSESSED: Visibility.SHARED,  # submitted assessments of it are visible to it
    Kind.REPORTED: Visibility.SHARED,  # an issued report is visible to it
    # Its own application's steps (submitted, returned, recognised …): the applicant always sees where it stands.
    Kind.RECOGNITION: Visibility.SHARED,
    Kind.FUNDING: Visibility.SHARED,  # its own funding application's steps and payments: the applicant's to see
    Kind.NOTE: Visibility.INTERNAL,  # the writer chooses (see note_visibility); unsaid means internal
}


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


def record(
    enterprise: Enterprise,
    kind: str,
    *,
    actor=None,
    summary: str,
    data: dict | None = None,
    visibility: str | None = None,
) -> EnterpriseEvent:
    event = build(enterprise.pk, kind, actor=actor, summary=summary, data=data, visibility=visibility)
    event.save()
    return event


def build(
    enterprise_id: int,
    kind: str,
    *,
    actor=None,
    summary: str,
    data: dict | None = None,
    visibility: str | None = None,
) -> EnterpriseEvent:
    """An unsaved event, for bulk writes (imports). `visibility` defaults by kind (DEFAULT_VISIBILITY)."""
    return EnterpriseEvent(
        enterprise_id=enterprise_id,
        kind=kind,
        actor=actor,
        summary=summary[:300],
        data=data or {},
        visibility=visibility or DEFAULT_VISIBILITY.get(kind, Visibility.INTERNAL),
    )


def note_visibility(user, enterprise: Enterprise) -> str:
    """The visibility a note or finding by `user` gets when they do not choose: what an enterprise writes on
    itself is shared (there is nobody to keep it from); what anyone else writes is internal."""
    from accounts.policy import scope_of

    scope = scope_of(user)
    own = enterprise.pk in scope.own_enterprise_ids
    return Visibility.SHARED if own and not scope.is_admin else Visibility.INTERNAL


def may_choose_visibility(user, enterprise: Enterprise) -> bool:
    """Only the governing side chooses; the enterprise's own words are always shared with it."""
    return note_visibility(user, enterprise) == Visibility.INTERNAL


def summarise(changes: list[dict]) -> str:
    labels = "、".join(dict.fromkeys(c["label"] for c in changes))
    return f"修改了{labels}" if labels else "无变更"
