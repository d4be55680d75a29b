"""Writes of notifications: telling people (in-app, and by e-mail where an address is known) and marking read.

Domain services call `notify` or `notify_enterprise` inside their own transaction. The rows are written in that
transaction and the e-mail leaves only after it commits, so a change that is rolled back tells no one anything."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Membership, Role
from core.links import absolute_url

from .models import Notification


def in_site_language():
    """Compose notification text in the site's language, whatever language the acting user browses in: the text is
    stored and mailed once, for a reader who is not the actor."""
    return translation.override(settings.LANGUAGE_CODE)


def enterprise_users(enterprise_id: int) -> list:
    """The people who speak for an enterprise: active users with an active enterprise membership for it."""
    memberships = Membership.objects.filter(
        role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """One notification per recipient (each person at most once); e-mail after commit to those with an address."""
    people = list({user.pk: user for user in recipients}.values())
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link) for user in people]
    )
    addresses = [user.email for user in people if user.email]
    if addresses:
        transaction.on_commit(lambda: _mail(addresses, title, body, link), robust=True)
    return rows


def notify_enterprise(enterprise_id: int, *, kind: str, title: str, body: str = "", link: str = "") -> list:
    return notify(recipients=enterprise_users(enterprise_id), kind=kind, title=title, body=body, link=link)


def _mail(addresses: list[str], title: str, body: str, link: str) -> None:
    """One message per address, so recipients do not learn each other's addresses."""
    with in_site_language():
        text = "\n\n".join(part for part in (body, absolute_url(link) if link else "") if part)
        subject = f"[{settings.TIDU_PLATFORM_NAME}] {title}"
    for address in addresses:
        send_mail(subject, text, None, [address])


def mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:  # callers fetch through for_user; this is the last line of defence
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
