"""The portal's URLs plus the bare comparison views under /bench/bare/ (benchmark settings only)."""

from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns

from . import bare

urlpatterns = [
    path("bench/bare/queue/<slug:code>/", bare.staff_queue, name="bare_queue"),
    path("bench/bare/ranking/<slug:code>/<slug:stage_code>/", bare.ranking, name="bare_ranking"),
    path("bench/bare/dashboard/", bare.dashboard, name="bare_dashboard"),
    *portal_urlpatterns,
]
