"""Request hygiene shared by every view."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulCharactersMiddleware:
    """Refuse any query or form value containing a NUL character with a clear 400.

    No legitimate input contains U+0000, and PostgreSQL cannot store it in text: refusing it here
    keeps every form and filter from turning it into a 500. Uploaded file contents are not inspected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request.GET) or (request.method == "POST" and self._has_nul(request.POST)):
            return HttpResponseBadRequest(_("提交的内容含有不允许的控制字符（NUL），请删除后重试。"), content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(data) -> bool:
        return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class SessionRefreshMiddleware:
    """The 2-hour idle timeout without rewriting the session row on every request.

    SESSION_SAVE_EVERY_REQUEST would write the session (one UPDATE, and the row lock it takes) on each
    request; under load that is a write per page view. Instead the session is marked modified — and so
    saved by SessionMiddleware with a fresh expiry — only when it was last refreshed more than
    SESSION_REFRESH_SECONDS ago. A session therefore expires after SESSION_COOKIE_AGE of inactivity,
    give or take that interval. Requests without a session (anonymous visitors) never create one here.
    Place it right after django.contrib.sessions.middleware.SessionMiddleware.
    """

    KEY = "_refreshed_at"

    @classmethod
    def stamp(cls, sender, request, user, **kwargs) -> None:
        """At sign-in (user_logged_in): the login saves the session anyway, so it counts as a refresh."""
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.KEY] = int(time.time())

    def __init__(self, get_response):
        self.get_response = get_response
        self.interval = int(getattr(settings, "SESSION_REFRESH_SECONDS", 300))

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            last = session.get(self.KEY)
            if not isinstance(last, int) or now - last >= self.interval:
                session[self.KEY] = now
        return self.get_response(request)
