"""Redirects from the staff addresses used before the review pipeline became one app.

/reviews/staff/<code>/… and /decisions/<code>/… now live under /staff/cycles/<code>/…; a bookmark, an e-mail
link or a form posted from an old page still arrives: GET and HEAD are moved permanently (301), other methods
keep their method and body (308). Permissions are checked by the page redirected to, never here.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect

from reviews import access

_MEETING_NEW = re.compile(r"^meetings/new/(?P<stage>[-a-zA-Z0-9_]+)/$")


class PermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    status_code = 308


def _moved(request, path: str):
    query = request.META.get("QUERY_STRING", "")
    target = path + (f"?{query}" if query else "")
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return PermanentRedirectKeepingMethod(target)


def expert_pool(request, rest: str):
    return _moved(request, f"/staff/experts/{rest}")


def staff_cycle(request, code: str, rest: str):
    """/reviews/staff/<code>/ was the queue; its applications, assignments, scoresheets and stages keep their paths."""
    if rest in ("", "bulk/"):
        rest = f"applications/{rest}"
    return _moved(request, f"/staff/cycles/{code}/{rest}")


def decisions_cycle(request, code: str, rest: str):
    """/decisions/<code>/ was the decisions hub, now the cycle's meetings page."""
    meeting_new = _MEETING_NEW.match(rest)
    if meeting_new:
        rest = f"stages/{meeting_new['stage']}/meetings/new/"
    elif rest == "":
        rest = "meetings/"
    return _moved(request, f"/staff/cycles/{code}/{rest}")


def decision_object(request, kind: str, rest: str):
    return _moved(request, f"/staff/{kind}/{rest}")


@login_required
def notifications(request, pk: int):
    """The old address had no cycle code: only staff who may see the application learn where it went."""
    application = access.staff_application(request.user, int(pk))
    return _moved(request, f"/staff/cycles/{application.cycle.code}/applications/{pk}/notifications/")
