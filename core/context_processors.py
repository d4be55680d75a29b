from django.conf import settings


def platform(request) -> dict:
    """The platform's name for every page's frame. Role-dependent parts of the frame come from the apps that know
    them (accounts: roles and menu; enterprises: the demo banner; notifications: the unread badge)."""
    return {"platform_name": settings.TIDU_PLATFORM_NAME}
