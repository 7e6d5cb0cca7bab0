"""Deployment checks of the accounts app (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def second_factor_enforced(app_configs, **kwargs):
    if getattr(settings, "PORTAL_REQUIRE_2FA", True):
        return []
    return [
        Error(
            "PORTAL_REQUIRE_2FA is off: review staff, experts and administrators can sign in with a password alone.",
            hint="GB/T 22239-2019 level 3 requires two authentication factors for administrators; unset PORTAL_REQUIRE_2FA "
            "or set it to true in production.",
            id="accounts.E001",
        )
    ]
