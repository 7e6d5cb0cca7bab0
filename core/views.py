from django.shortcuts import render

from awards.selectors import public_cycles


def home(request):
    """Public start page: the calls for applications (申报通知) of every organiser."""
    return render(request, "core/home.html", {"cycles": public_cycles()})
