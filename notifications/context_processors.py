from .models import Notification


def unread(request) -> dict:
    """The count on the navigation bar's badge. One indexed count per page; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
