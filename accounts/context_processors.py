from .policy import menu_for, roles_of


def navigation(request) -> dict:
    """The user's roles (shown beside their name) and which main-menu entries they can use (accounts.policy)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": [], "menu": menu_for(None)}
    return {"user_roles": roles_of(user), "menu": menu_for(user)}
