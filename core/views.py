from django.shortcuts import render

from awards.selectors import public_cycles


def home(request):
    """Public start page: the calls for applications (申报通知) of every organiser."""
    return render(request, "core/home.html", {"cycles": public_cycles()})


def health(request):
    """JSON health: 200 when the database, the broker and at least one worker answer, else 503."""
    from django.http import JsonResponse

    from .health import run_checks

    results = run_checks()
    healthy = all(item["ok"] for item in results.values())
    return JsonResponse({"status": "ok" if healthy else "unhealthy", "checks": results}, status=200 if healthy else 503)
