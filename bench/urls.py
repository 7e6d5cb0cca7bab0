"""The portal's URLs plus the bare comparison views under /bench/bare/ (benchmark settings only)."""

from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns

from . import bare

urlpatterns = [
    path("bench/bare/queue/<slug:code>/", bare.staff_queue, name="bare_queue"),
    path("bench/bare/ranking/<slug:code>/<slug:stage_code>/", bare.ranking, name="bare_ranking"),
    path("bench/bare/dashboard/", bare.dashboard, name="bare_dashboard"),
    path("bench/bare/ranking-page/<slug:code>/<slug:stage_code>/", bare.ranking_page, name="bare_ranking_page"),
    path("bench/bare/stage/<slug:code>/<slug:stage_code>/", bare.stage_page, name="bare_stage"),
    path("bench/bare/expert/", bare.expert_home, name="bare_expert_home"),
    path("bench/bare/cycle-dashboard/<slug:code>/", bare.cycle_dashboard, name="bare_cycle_dashboard"),
    *portal_urlpatterns,
]
