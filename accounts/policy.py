"""The one access policy. Every scoped queryset asks `scope_of(user)` what the user covers; nothing else decides.

A user's scope is the union of their active memberships. It is computed once per request and cached on the
user object, so a page that filters several querysets reads the membership rows once."""

from dataclasses import dataclass, field

from .models import OFFICER_ROLES, Membership, Role


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    officer_paths: tuple[str, ...] = ()  # region paths (code prefixes) an officer manages
    own_enterprise_ids: frozenset[int] = field(default_factory=frozenset)
    provider_ids: frozenset[int] = field(default_factory=frozenset)
    commissioner_membership_ids: tuple[int, ...] = ()
    commissioner_paths: tuple[str, ...] = ()
    is_expert: bool = False

    @property
    def is_officer(self) -> bool:
        return bool(self.officer_paths)

    @property
    def is_commissioner(self) -> bool:
        return bool(self.commissioner_membership_ids)

    @property
    def is_authority(self) -> bool:
        """A programme authority: an officer of some region, or the platform admin (who governs everything)."""
        return self.is_admin or bool(self.officer_paths)

    @property
    def is_regional_officer(self) -> bool:
        """An officer bounded by a region (not also the admin): the one who chooses between local and nationwide."""
        return bool(self.officer_paths) and not self.is_admin

    @property
    def is_authority_or_commissioner(self) -> bool:
        """Works on enterprises for the programme (governs them or is assigned to them), not for itself."""
        return self.is_authority or self.is_commissioner

    def manages_code(self, region_code: str | None) -> bool:
        """True when an officer (or the admin) governs this region code."""
        if self.is_admin:
            return True
        return bool(region_code) and any(region_code.startswith(path) for path in self.officer_paths)


EMPTY = Scope()


def _narrowest(paths: list[str]) -> tuple[str, ...]:
    """Drop paths already covered by a broader one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_tidu_scope", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user, is_active=True).select_related("region"))
    officer, commissioner_paths, commissioner_ids, enterprises, providers = [], [], [], set(), set()
    is_admin = user.is_superuser
    is_expert = False
    for m in memberships:
        if m.role == Role.ADMIN:
            is_admin = True
        elif m.role in OFFICER_ROLES and m.region_id:
            officer.append(m.region.path)
        elif m.role == Role.ENTERPRISE and m.enterprise_id:
            enterprises.add(m.enterprise_id)
        elif m.role == Role.PROVIDER and m.provider_id:
            providers.add(m.provider_id)
        elif m.role == Role.COMMISSIONER:
            commissioner_ids.append(m.pk)
            if m.region_id:
                commissioner_paths.append(m.region.path)
        elif m.role == Role.EXPERT:
            is_expert = True
    scope = Scope(
        is_admin=is_admin,
        officer_paths=_narrowest(officer),
        own_enterprise_ids=frozenset(enterprises),
        provider_ids=frozenset(providers),
        commissioner_membership_ids=tuple(commissioner_ids),
        commissioner_paths=_narrowest(commissioner_paths),
        is_expert=is_expert,
    )
    user._tidu_scope = scope
    return scope


def roles_of(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user, is_active=True).select_related("region", "enterprise", "provider"))


@dataclass(frozen=True)
class Menu:
    """Which main-menu entries lead to a page this user can use. A link the role cannot use is not shown at all,
    so no menu entry ends in a 403 or an always-empty list."""

    enterprises: bool = False  # 企业档案: governed, assigned or own enterprises
    groupings: bool = False  # 产业集群 / 产业链: kept by the authorities
    assessments: bool = False
    imports: bool = False  # 批量导入 of enterprise lists
    catalog: bool = False  # 资源池: the published directory is open to every signed-in user
    report_batches: bool = False
    monitoring: bool = False  # 目标监测: the programme authorities' figures
    recognition: bool = False  # 梯度认定: applicants, the officers who run or take a step, assigned experts
    funding: bool = False  # 扶持资金: applicants, officers, providers (their vouchers)
    ai_registry: bool = False  # 工业模型与智能体: developers (enterprises, providers) and the officers who review
    assistant: bool = False  # 政策与诊断助手: every signed-in user (answers only from what the user may see)
    data_security: bool = False  # 数据安全: enterprises (their assets, filings, incidents) and the regulators
    scheduling: bool = False  # 排产服务: an enterprise's own users (plans are the enterprise's alone)


def menu_for(user) -> Menu:
    if user is None or not user.is_authenticated:
        return Menu()
    scope = scope_of(user)
    works_on_enterprises = scope.is_authority_or_commissioner or bool(scope.own_enterprise_ids)
    return Menu(
        enterprises=works_on_enterprises,
        groupings=scope.is_authority,
        assessments=works_on_enterprises,
        imports=scope.is_authority,
        catalog=True,
        report_batches=scope.is_authority,
        monitoring=scope.is_authority,
        recognition=scope.is_authority or bool(scope.own_enterprise_ids) or scope.is_expert,
        funding=scope.is_authority or bool(scope.own_enterprise_ids) or bool(scope.provider_ids),
        ai_registry=scope.is_authority or bool(scope.own_enterprise_ids) or bool(scope.provider_ids),
        assistant=True,
        data_security=scope.is_authority or bool(scope.own_enterprise_ids),
        scheduling=bool(scope.own_enterprise_ids),
    )


def under_paths(field: str, paths):
    """A Q matching rows whose region code `field` lies under any of `paths` (an officer's regions): one
    index-friendly range per path; no path matches nothing."""
    from django.db.models import Q

    from regions.models import prefix_range

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**prefix_range(field, path))
    return q
