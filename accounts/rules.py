"""Who may do what: small named predicates over a user and an organiser.

Views and admin call these; nothing else decides permissions. A user's role assignments are
read once per request and cached on the user object.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Role


def _assignments(user) -> list[tuple[str, int | None]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "organiser_id"))
        user._role_cache = cached
    return cached


def has_role(user, role: str, organiser=None) -> bool:
    """True if the user holds `role`; with an organiser, only for that organiser."""
    organiser_id = getattr(organiser, "pk", organiser)
    for held_role, held_organiser in _assignments(user):
        if held_role != role:
            continue
        if organiser_id is None or held_organiser == organiser_id:
            return True
    return False


def organiser_ids_for(user, roles: Iterable[str]) -> set[int]:
    roles = set(roles)
    return {org for role, org in _assignments(user) if role in roles and org is not None}


def roles_of(user) -> set[str]:
    return {role for role, _org in _assignments(user)}


def is_programme_admin(user, organiser=None) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.ADMIN, organiser)


def is_review_staff(user, organiser=None) -> bool:
    """Review office staff of the organiser; programme admins of it count too."""
    return has_role(user, Role.STAFF, organiser) or is_programme_admin(user, organiser)


def is_expert(user, organiser=None) -> bool:
    return has_role(user, Role.EXPERT, organiser)


def staff_organiser_ids(user) -> set[int] | None:
    """Organisers whose review data the user may see; None means all (superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    return organiser_ids_for(user, {Role.STAFF, Role.ADMIN})


def admin_organiser_ids(user) -> set[int] | None:
    if getattr(user, "is_superuser", False):
        return None
    return organiser_ids_for(user, {Role.ADMIN})


# Where each role lands after signing in, first match wins (a user may hold several roles).
HOME_BY_ROLE = (
    (Role.ADMIN, "admin:index"),
    (Role.STAFF, "awards:cycle_list"),
    (Role.EXPERT, "reviews:expert_home"),
    (Role.RECOMMENDER, "applications:nominations"),
    (Role.APPLICANT, "applications:dashboard"),
)


def home_url_name(user) -> str:
    """The URL name of the user's own home: admins → the admin, staff → the cycles, experts → the expert
    home, recommending units → their nominations, applicants (and anyone else signed in) → the dashboard."""
    if getattr(user, "is_superuser", False):
        return "admin:index"
    held = roles_of(user)
    return next((name for role, name in HOME_BY_ROLE if role in held), "applications:dashboard")
