"""Who may act on an application: the officers of the region the acting step sits at (the enterprise's county,
city or province), the applicant's own users, the experts assigned to it. A step is never taken by an officer of
another level, so nothing skips a step and a higher authority does not do a lower one's check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from . import chain


def region_at(county_id: str, level: str) -> str:
    """The code prefix of the enterprise's region at `level` (36, 3601, 360102)."""
    return county_id[: chain.LEVEL_WIDTH[level]]


def acts_at(user, county_id: str, level: str) -> bool:
    """An officer of exactly that region (not of the region above or below)."""
    return region_at(county_id, level) in scope_of(user).officer_paths


def require_acts_at(user, county_id: str, level: str, step_name: str) -> None:
    if not acts_at(user, county_id, level):
        raise PermissionDenied(
            _("“%(step)s”由%(level)s主管部门办理") % {"step": step_name, "level": _(chain.LEVEL_NAMES[level])}
        )


def is_applicant(user, enterprise_id: int) -> bool:
    return enterprise_id in scope_of(user).own_enterprise_ids


def require_applicant(user, enterprise_id: int) -> None:
    if not is_applicant(user, enterprise_id):
        raise PermissionDenied(_("只有申请企业本身可以办理"))
