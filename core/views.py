from django.shortcuts import redirect, render
from django.templatetags.static import static

from awards.selectors import public_cycles
from reviews.selectors import public_publicities


def home(request):
    """Public start page: the calls for applications (申报通知) of every organiser, and the 公示 in force
    or just ended (objections depend on the public finding them)."""
    return render(request, "core/home.html", {"cycles": public_cycles(), "publicities": public_publicities()})


def favicon(request):
    """Browsers ask for /favicon.ico on every page without an icon link (the Django admin's): the portal's icon."""
    return redirect(static("img/favicon.svg"))


def health(request):
    """JSON health: 200 when the database, the broker, at least one worker and the file storage answer, else 503.

    `?checks=database,broker,storage` runs only those (what a load balancer asks of a web machine).
    """
    from django.http import JsonResponse

    from .health import CHECKS, run_checks

    only = [name for name in request.GET.get("checks", "").split(",") if name in CHECKS]
    results = run_checks(only or None)
    healthy = all(item["ok"] for item in results.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", "checks": results}, status=200 if healthy else 503)
