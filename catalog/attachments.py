"""Attachments (附件) of a provider record, one of its solutions or one of its cases: who may add, read and remove
them, and the writes. Files are checked by core/uploads (extension, size, content) before anything is stored, kept
under a random name, and served only through the scoped download view.

- add: the provider's own users, for its record, its solutions and its cases; the officers of its registration
  region (and the admin) may also add qualification documents (资质证明) to the provider record;
- read: whoever may see the owning record (a draft solution's files are not there for outsiders: 404);
- remove: the provider's own users and the admin; an officer may remove a qualification document they added."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import uploads

from . import access, events
from .models import Attachment, Case, Provider, Solution
from .services import CatalogError


def max_bytes() -> int:
    """Read at call time, so a deployment (or a test) changing the setting takes effect without a restart."""
    return int(getattr(settings, "TIDU_ATTACHMENT_MAX_MB", 20)) * uploads.MB


def _is_owner(user, provider_id: int) -> bool:
    scope = scope_of(user)
    return scope.is_admin or provider_id in scope.provider_ids


def _manages(user, provider_id: int) -> bool:
    return Provider.objects.managed_by(user).filter(pk=provider_id).exists()


def upload_kinds(user, *, provider: Provider, solution: Solution | None = None, case: Case | None = None) -> list:
    """The kinds this user may add to this record (empty: no upload form at all)."""
    if _is_owner(user, provider.pk):
        return list(Attachment.Kind.choices)
    if solution is None and case is None and _manages(user, provider.pk):
        return [(Attachment.Kind.QUALIFICATION.value, Attachment.Kind.QUALIFICATION.label)]
    return []


def may_remove(user, attachment: Attachment) -> bool:
    if _is_owner(user, attachment.provider_id):
        return True
    return (
        attachment.uploaded_by_id == user.pk
        and attachment.kind == Attachment.Kind.QUALIFICATION
        and _manages(user, attachment.provider_id)
    )


def get_owner_for_user(user, *, provider_id, solution_id=None, case_id=None):
    """(provider, solution, case) of an upload target the user may see; 404 otherwise, also when the solution or
    case does not belong to the provider named with it."""
    solution = case = None
    if case_id:
        case = access.get_case_for_user(user, case_id)
        provider_id = provider_id or case.provider_id
        solution_id = None
    elif solution_id:
        solution = access.get_solution_for_user(user, solution_id)
        provider_id = provider_id or solution.provider_id
    provider = access.get_provider_for_user(user, provider_id)
    if (case and case.provider_id != provider.pk) or (solution and solution.provider_id != provider.pk):
        raise Http404(_("附件所属的记录不存在"))
    return provider, solution, case


def attachments_of(*, provider: Provider, solution: Solution | None = None, case: Case | None = None):
    """The files of exactly this record: a provider's own files exclude its solutions' and cases'."""
    qs = Attachment.objects.filter(provider=provider).select_related("uploaded_by")
    if case is not None:
        return qs.filter(case=case)
    if solution is not None:
        return qs.filter(solution=solution, case=None)
    return qs.filter(solution=None, case=None)


def get_attachment_for_user(user, pk, action: str = access.VIEW) -> Attachment:
    """An attachment exists for a user exactly when its owning record does; removing it needs `may_remove`."""
    attachment = Attachment.objects.select_related("provider").filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("附件不存在"))
    if attachment.case_id:
        visible = access.cases_visible_to(user).filter(pk=attachment.case_id).exists()
    elif attachment.solution_id:
        visible = Solution.objects.visible_to(user).filter(pk=attachment.solution_id).exists()
    else:
        visible = Provider.objects.visible_to(user).filter(pk=attachment.provider_id).exists()
    if not visible:
        raise Http404(_("附件不存在或不在您的管辖范围内"))
    if action == access.EDIT and not may_remove(user, attachment):
        raise PermissionDenied(_("只有服务商本身可以删除该附件"))
    return attachment


def _summary_target(provider: Provider, solution: Solution | None, case: Case | None) -> str:
    if case is not None:
        return _("案例“%(title)s”") % {"title": case.title}
    if solution is not None:
        return _("解决方案“%(title)s”") % {"title": solution.title}
    return _("服务商“%(name)s”") % {"name": provider.name}


@transaction.atomic
def attachment_add(
    *,
    actor,
    provider: Provider,
    kind: str,
    upload,
    solution: Solution | None = None,
    case: Case | None = None,
) -> Attachment:
    """Check and store one file for the record. A refused file (wrong kind, too big, disguised) stores nothing."""
    allowed = {k for k, _label in upload_kinds(actor, provider=provider, solution=solution, case=case)}
    if not allowed:
        raise PermissionDenied(_("只有服务商本身可以为该记录上传附件"))
    if kind not in Attachment.Kind.values:
        raise CatalogError({"kind": _("请选择附件类别")})
    if kind not in allowed:
        raise PermissionDenied(_("注册地主管部门只能上传资质证明"))
    if upload is None:
        raise CatalogError({"file": _("请选择要上传的文件")})
    try:
        checked = uploads.check(upload, max_bytes=max_bytes())
    except uploads.UploadError as exc:
        raise CatalogError({"file": str(exc)}) from exc
    attachment = Attachment(
        provider=provider,
        # A case's file hangs on the case only: deleting the case's solution must not take the case's files.
        solution=None if case is not None else solution,
        case=case,
        kind=kind,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.random_name(), ContentFile(checked.data), save=False)
    try:
        attachment.save()
        events.record(
            "attachment_added",
            actor=actor,
            summary=_("为%(target)s上传%(kind)s：%(name)s")
            % {
                "target": _summary_target(provider, solution, case),
                "kind": attachment.get_kind_display(),
                "name": checked.original_name,
            },
            provider=provider,
            solution=attachment.solution,
            data={"attachment": attachment.pk, "case": case.pk if case else None, "sha256": checked.sha256},
        )
    except BaseException:
        # The row was not written: the stored file must not outlive it.
        attachment.file.storage.delete(attachment.file.name)
        raise
    # Django has no on-rollback hook: a caller that rolls back its own outer transaction after this returns leaves
    # an orphan file (never served: no row points at it). Views call this as the whole transaction.
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    """Remove the row now and the file once the removal is committed (a rolled-back removal keeps its file)."""
    name, storage = attachment.file.name, attachment.file.storage
    events.record(
        "attachment_removed",
        actor=actor,
        summary=_("删除附件：%(name)s") % {"name": attachment.original_name},
        provider=attachment.provider,
        solution=attachment.solution,
        data={"attachment": attachment.pk, "case": attachment.case_id, "sha256": attachment.sha256},
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
