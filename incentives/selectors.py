"""Which programmes an enterprise may apply to."""

from django.db.models import Q
from django.utils import timezone

from .models import Programme


def region_chain(county_code: str) -> list[str]:
    """The codes of a county and the city and province above it (GB/T 2260 codes are hierarchical)."""
    return sorted({county_code[:2] + "0000", county_code[:4] + "00", county_code})


def programmes_for(enterprise, scenario_codes: list[str]) -> list[dict]:
    """Programmes open today in the enterprise's county, city or province that fit its size and pay for any of
    these scenarios (or for any scenario). Each says which of the scenarios it covers ([] = any)."""
    today = timezone.localdate()
    rows = (
        Programme.objects.filter(region_id__in=region_chain(enterprise.county_id))
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today), Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .exclude(~Q(spec={}), status=Programme.Status.DRAFT)  # a programme with rules is quoted once published
        .select_related("region")
        .prefetch_related("scenarios")
    )
    wanted = set(scenario_codes)
    out = []
    for p in rows:
        if p.sizes and enterprise.size_class not in p.sizes:
            continue
        covers = sorted(wanted & {s.code for s in p.scenarios.all()})
        if p.scenarios.all() and not covers:
            continue
        out.append(
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.get_kind_display(),
                "region": p.region.full_name,
                "max_amount": float(p.max_amount) if p.max_amount is not None else None,
                "share": p.share,
                "closes_on": p.closes_on.isoformat() if p.closes_on else None,
                "scenarios": covers,
                "synthetic": p.is_synthetic,
                # Takes applications on the platform: the report's web page links to its eligibility check.
                "applies_online": p.takes_applications and p.status == Programme.Status.OPEN,
            }
        )
    return out
