"""/api/v1/notifications: the signed-in user's own notifications and their read marks."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from core.api import Id, Problem

from . import services
from .models import Notification

router = Router(tags=["消息通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class ReadAllOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut], summary="我的通知（最新在前，最多 200 条）")
def notification_list(request, unread: bool = False):
    rows = Notification.objects.for_user(request.auth)
    return list((rows.unread() if unread else rows)[:200])


@router.post(
    "/notifications/{pk}/read",
    response={200: NotificationOut, 404: Problem},
    summary="标记一条通知为已读",
)
def notification_read(request, pk: Id):
    notification = get_object_or_404(Notification.objects.for_user(request.auth), pk=pk)
    return services.mark_read(user=request.auth, notification=notification)


@router.post("/notifications/read-all", response=ReadAllOut, summary="全部标为已读")
def notification_read_all(request):
    return {"marked": services.mark_all_read(user=request.auth)}
