"""Every page of the review pipeline. Staff pages of a cycle form one tree under /staff/cycles/<code>/ (its
overview page is awards' cycle_overview); experts work under /reviews/expert/; the 公示 is public.
The addresses before the pipeline became one app (/reviews/staff/…, /decisions/…) redirect here."""

from django.urls import path, re_path

from reviews.views import awards, experts, exports, feedback, legacy, meetings, publicity, staff, stages

app_name = "reviews"

cycle = "staff/cycles/<slug:code>/"

urlpatterns = [
    # The public 公示 page and objections, by id or by cycle code (no login).
    path("publicity/<str:key>/", publicity.public_publicity, name="public_publicity"),
    # Experts.
    path("reviews/expert/", experts.expert_home, name="expert_home"),
    path("reviews/expert/applications/<int:pk>/", experts.expert_application, name="expert_application"),
    path("reviews/expert/applications/<int:pk>/score/<slug:stage_code>/", experts.expert_scoresheet, name="expert_scoresheet"),
    path("reviews/expert/applications/<int:pk>/scores/<slug:stage_code>/", experts.expert_scores, name="expert_scores"),
    path("reviews/attachments/<int:pk>/", experts.attachment_download, name="attachment_download"),
    # Staff: the organiser's expert pool.
    path("staff/experts/", experts.expert_pool, name="expert_pool"),
    path("staff/experts/new/", experts.expert_edit, name="expert_new"),
    path("staff/experts/<int:pk>/", experts.expert_edit, name="expert_edit"),
    # Staff: the applications of a cycle.
    path(cycle + "applications/", staff.staff_queue, name="staff_queue"),
    path(cycle + "applications/bulk/", staff.staff_bulk, name="staff_bulk"),
    path(cycle + "applications/filters/", staff.staff_queue_filter_save, name="staff_queue_filter_save"),
    path(cycle + "applications/filters/<int:pk>/delete/", staff.staff_queue_filter_delete, name="staff_queue_filter_delete"),
    path(cycle + "applications/<int:pk>/", staff.staff_application, name="staff_application"),
    path(cycle + "applications/<int:pk>/transition/", staff.staff_transition, name="staff_transition"),
    path(cycle + "applications/<int:pk>/identity/", staff.staff_reveal_identity, name="staff_reveal_identity"),
    path(cycle + "applications/<int:pk>/eligibility/", staff.staff_eligibility, name="staff_eligibility"),
    path(cycle + "applications/<int:pk>/eligibility/rerun/", staff.staff_eligibility_rerun, name="staff_eligibility_rerun"),
    path(cycle + "applications/<int:pk>/supplement/", staff.staff_supplement, name="staff_supplement"),
    path(cycle + "applications/<int:pk>/assign/", staff.staff_assign, name="staff_assign"),
    path(cycle + "applications/<int:pk>/conflict/", staff.staff_conflict, name="staff_conflict"),
    path(cycle + "applications/<int:pk>/notifications/", awards.application_notifications, name="application_notifications"),
    path(cycle + "applications/<int:pk>/feedback/<slug:stage_code>/", feedback.feedback_edit, name="feedback_edit"),
    path(cycle + "assignments/<int:pk>/remove/", staff.staff_unassign, name="staff_unassign"),
    path(cycle + "scoresheets/<int:pk>/reopen/", staff.staff_reopen, name="staff_reopen"),
    # Staff: the stages of a cycle.
    path(cycle + "stages/<slug:stage_code>/", stages.stage_detail, name="stage_detail"),
    path(cycle + "stages/<slug:stage_code>/auto-assign/", stages.stage_auto_assign, name="stage_auto_assign"),
    path(cycle + "stages/<slug:stage_code>/panels/new/", stages.panel_edit, name="panel_new"),
    path(cycle + "stages/<slug:stage_code>/panels/<int:panel_pk>/", stages.panel_edit, name="panel_edit"),
    path(cycle + "stages/<slug:stage_code>/schedule/", stages.schedule, name="schedule"),
    path(cycle + "stages/<slug:stage_code>/schedule/<int:entry_pk>/cancel/", stages.schedule_cancel, name="schedule_cancel"),
    path(cycle + "stages/<slug:stage_code>/ranking/", stages.ranking, name="ranking"),
    path(cycle + "stages/<slug:stage_code>/calibration/", stages.calibration, name="calibration"),
    path(cycle + "stages/<slug:stage_code>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    # Staff: meetings, the list, 公示, approval and awards of a cycle.
    path(cycle + "meetings/", meetings.cycle_home, name="cycle_home"),
    path(cycle + "recommendations/", publicity.recommendations, name="recommendations"),
    path(cycle + "publicity/", publicity.publicity_manage, name="publicity_manage"),
    path(cycle + "publicity/submit/", publicity.publicity_submit, name="publicity_submit"),
    path(cycle + "approval/", awards.approval, name="approval"),
    path(cycle + "awards/", awards.awards, name="awards"),
    path(cycle + "dashboard/", awards.dashboard, name="dashboard"),
    path(cycle + "exports/", exports.exports, name="exports"),
    path(cycle + "exports/<slug:kind>.xlsx", exports.export, name="export"),
    path(cycle + "exports/<uuid:public_id>/", exports.export_status, name="export_status"),
    path(cycle + "exports/<uuid:public_id>/download/", exports.export_download, name="export_download"),
    path(cycle + "exports/<uuid:public_id>/retry/", exports.export_retry, name="export_retry"),
    # Staff: one meeting, objection or award.
    path("staff/meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("staff/meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("staff/meetings/<int:pk>/apply/", meetings.meeting_apply, name="meeting_apply"),
    path("staff/meetings/<int:pk>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("staff/objections/<int:pk>/", publicity.objection_detail, name="objection_detail"),
    path("staff/objections/<int:pk>/attachment/", publicity.objection_attachment, name="objection_attachment"),
    path("staff/awards/<int:pk>/payment/", awards.award_payment, name="award_payment"),
    path("staff/awards/<int:pk>/benefit/", awards.award_benefit, name="award_benefit"),
    path("staff/awards/<int:pk>/complete/", awards.award_complete, name="award_complete"),
    # Addresses of before the move.
    re_path(r"^reviews/staff/experts/(?P<rest>.*)$", legacy.expert_pool, name="legacy_expert_pool"),
    re_path(r"^reviews/staff/(?P<code>[-a-zA-Z0-9_]+)/(?P<rest>.*)$", legacy.staff_cycle, name="legacy_staff_cycle"),
    re_path(r"^decisions/applications/(?P<pk>[0-9]+)/notifications/$", legacy.notifications, name="legacy_notifications"),
    re_path(r"^decisions/(?P<kind>meetings|objections|awards)/(?P<rest>.*)$", legacy.decision_object, name="legacy_decision_object"),
    re_path(r"^decisions/(?P<code>[-a-zA-Z0-9_]+)/(?P<rest>.*)$", legacy.decisions_cycle, name="legacy_decisions_cycle"),
]
