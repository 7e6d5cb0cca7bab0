"""Second factor before anything else: a signed-in user who has to enrol or enter a code is sent there.

Installed after django-otp's OTPMiddleware (which marks a session verified by a device). Until the
session is verified, every view other than the two-factor pages and logout (the Django admin and
its login included) answers with a redirect to the enrolment or verification page, the page asked
for kept in ?next=. Static files never reach it (WhiteNoise answers first).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect

from . import twofactor

# Views a signed-in user may open before the second factor.
EXEMPT_VIEWS = frozenset({
    "accounts:2fa_setup",
    "accounts:2fa_verify",
    "accounts:logout",
    "set_language",
    "core:health",
})


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = twofactor.pending_step(request)
        if step is None:
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        target = "accounts:2fa_setup" if step == "setup" else "accounts:2fa_verify"
        response = redirect(target)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
