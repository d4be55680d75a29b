"""Who may act: the enterprise's own users file, resubmit, attest and report; the regulator (officers of the
enterprise's region at the level the clock rules name, the province by default) reviews filings and closes
incidents. An officer of another level may see but not act (403); another region's objects are 404 before this."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from . import clocks

WIDTH = {"province": 2, "city": 4}


def is_own(user, enterprise_id: int) -> bool:
    return enterprise_id in scope_of(user).own_enterprise_ids


def require_own(user, enterprise_id: int) -> None:
    if not is_own(user, enterprise_id):
        raise PermissionDenied(_("只有企业本身可以办理"))


def is_regulator(user, region_code: str) -> bool:
    level = clocks.shipped().review_level
    return region_code[: WIDTH[level]] in scope_of(user).officer_paths


def require_regulator(user, region_code: str) -> None:
    if not is_regulator(user, region_code):
        if clocks.shipped().review_level == "city":
            raise PermissionDenied(_("由企业所在地市级工业和信息化主管部门办理"))
        raise PermissionDenied(_("由企业所在地省级工业和信息化主管部门办理"))


def officer_region(user) -> str | None:
    """The region code (6 digits) an officer acts for: the widest of its regions."""
    paths = sorted(scope_of(user).officer_paths, key=len)
    return paths[0].ljust(6, "0") if paths else None


def is_holder(user, enterprise_id: int | None, region_code: str) -> bool:
    """Who runs a drill: the enterprise's own users, or — a regulator's drill — the officers of its region."""
    if enterprise_id is not None:
        return is_own(user, enterprise_id)
    return any(region_code.startswith(path) for path in scope_of(user).officer_paths)


def require_holder(user, enterprise_id: int | None, region_code: str) -> None:
    if not is_holder(user, enterprise_id, region_code):
        raise PermissionDenied(_("只有组织演练的单位可以办理"))
