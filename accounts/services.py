"""Account writes: API tokens."""

from django.db import OperationalError, transaction
from django.utils import timezone

from core.db import is_contention

from .models import ApiToken


def token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and its plain text, which is shown once and never stored."""
    plain, prefix, digest = ApiToken.new_secret()
    expires = timezone.now() + timezone.timedelta(days=days) if days else None
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=digest, expires_at=expires)
    return token, plain


def token_revoke(*, user, token_id: int) -> bool:
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def token_authenticate(plain: str):
    """The user behind a bearer token, or None. Marks the token as used (at most once a minute)."""
    parts = plain.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != "tidu":
        return None
    token = ApiToken.objects.usable().select_related("user").filter(prefix=parts[1]).first()
    if token is None or not token.matches(plain) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        _mark_used(token, now)
    return token.user


def _mark_used(token: ApiToken, now) -> None:
    """Best effort: when many calls with one token arrive at once, one of them records the time and the others go
    on. A lost lock race here must never turn an authenticated call into a 500."""
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError as exc:
        if not is_contention(exc):
            raise
