from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("expert/", views.expert_home, name="expert_home"),
    path("expert/applications/<int:pk>/", views.expert_application, name="expert_application"),
    path("expert/applications/<int:pk>/score/<slug:stage_code>/", views.expert_scoresheet, name="expert_scoresheet"),
    path("expert/applications/<int:pk>/scores/<slug:stage_code>/", views.expert_scores, name="expert_scores"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("staff/experts/", views.expert_pool, name="expert_pool"),
    path("staff/experts/new/", views.expert_edit, name="expert_new"),
    path("staff/experts/<int:pk>/", views.expert_edit, name="expert_edit"),
    path("staff/<slug:code>/", views.staff_queue, name="staff_queue"),
    path("staff/<slug:code>/bulk/", views.staff_bulk, name="staff_bulk"),
    path("staff/<slug:code>/applications/<int:pk>/", views.staff_application, name="staff_application"),
    path("staff/<slug:code>/applications/<int:pk>/transition/", views.staff_transition, name="staff_transition"),
    path("staff/<slug:code>/applications/<int:pk>/eligibility/", views.staff_eligibility, name="staff_eligibility"),
    path("staff/<slug:code>/applications/<int:pk>/eligibility/rerun/", views.staff_eligibility_rerun, name="staff_eligibility_rerun"),
    path("staff/<slug:code>/applications/<int:pk>/supplement/", views.staff_supplement, name="staff_supplement"),
    path("staff/<slug:code>/applications/<int:pk>/assign/", views.staff_assign, name="staff_assign"),
    path("staff/<slug:code>/applications/<int:pk>/conflict/", views.staff_conflict, name="staff_conflict"),
    path("staff/<slug:code>/assignments/<int:pk>/remove/", views.staff_unassign, name="staff_unassign"),
    path("staff/<slug:code>/scoresheets/<int:pk>/reopen/", views.staff_reopen, name="staff_reopen"),
    path("staff/<slug:code>/stages/<slug:stage_code>/", views.stage_detail, name="stage_detail"),
    path("staff/<slug:code>/stages/<slug:stage_code>/auto-assign/", views.stage_auto_assign, name="stage_auto_assign"),
    path("staff/<slug:code>/stages/<slug:stage_code>/panels/new/", views.panel_edit, name="panel_new"),
    path("staff/<slug:code>/stages/<slug:stage_code>/panels/<int:panel_pk>/", views.panel_edit, name="panel_edit"),
    path("staff/<slug:code>/stages/<slug:stage_code>/schedule/", views.schedule, name="schedule"),
    path("staff/<slug:code>/stages/<slug:stage_code>/schedule/<int:entry_pk>/cancel/", views.schedule_cancel, name="schedule_cancel"),
    path("staff/<slug:code>/stages/<slug:stage_code>/ranking/", views.ranking, name="ranking"),
]
