"""Request hygiene shared by every view."""

from __future__ import annotations

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
