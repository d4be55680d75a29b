from django.conf import settings


def platform(request) -> dict:
    """What every page's frame needs: the platform name, whether synthetic demo data is loaded, the user's roles."""
    from accounts.policy import roles_of
    from enterprises.models import Enterprise

    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None and user.is_authenticated else []
    return {
        "platform_name": settings.TIDU_PLATFORM_NAME,
        "demo_data_loaded": _demo_loaded(Enterprise),
        "user_roles": roles,
        # Officers and admins run report batches: the one role-dependent item of the main menu.
        "can_batch_reports": bool(user is not None and user.is_authenticated and _batches_allowed(user)),
    }


def _batches_allowed(user) -> bool:
    from accounts.policy import scope_of

    scope = scope_of(user)
    return scope.is_admin or scope.is_officer


def _demo_loaded(model) -> bool:
    from django.core.cache import cache

    cached = cache.get("tidu:demo-loaded")
    if cached is None:
        cached = model.objects.filter(is_synthetic=True).exists()
        cache.set("tidu:demo-loaded", cached, 60)
    return cached
