from accounts import rules
from accounts.models import Role


def navigation(request):
    """Which menus the signed-in user sees: one per role held."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    held = rules.roles_of(user)
    if user.is_superuser:
        held |= {Role.ADMIN, Role.STAFF}
    if Role.ADMIN in held:
        held.add(Role.STAFF)
    return {"nav_roles": held}
