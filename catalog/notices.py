"""What the pool tells people: an enterprise learns when a provider answers its need."""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import in_site_language, notify_enterprise


def need_responded(response) -> None:
    need = response.need
    with in_site_language():
        title = _("“%(provider)s”响应了您的需求“%(need)s”") % {"provider": response.provider.name, "need": need.title}
        body = _("请在需求页面查看响应说明，并标记入围、对接、签约或未采纳。")
    notify_enterprise(
        need.enterprise_id,
        kind=Notification.Kind.NEED_RESPONDED,
        title=title,
        body=body,
        link=reverse("catalog:need_detail", args=[need.pk]),
    )
