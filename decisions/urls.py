from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    # Public (no login): the 公示 page and objections, by id or by cycle code.
    path("publicity/<str:key>/", views.public_publicity, name="public_publicity"),
    # Staff, per cycle.
    path("decisions/<slug:code>/", views.cycle_home, name="cycle_home"),
    path("decisions/<slug:code>/dashboard/", views.dashboard, name="dashboard"),
    path("decisions/<slug:code>/meetings/new/<slug:stage_code>/", views.meeting_new, name="meeting_new"),
    path("decisions/<slug:code>/recommendations/", views.recommendations, name="recommendations"),
    path("decisions/<slug:code>/publicity/", views.publicity_manage, name="publicity_manage"),
    path("decisions/<slug:code>/publicity/submit/", views.publicity_submit, name="publicity_submit"),
    path("decisions/<slug:code>/approval/", views.approval, name="approval"),
    path("decisions/<slug:code>/awards/", views.awards, name="awards"),
    path("decisions/<slug:code>/exports/<slug:kind>.xlsx", views.export, name="export"),
    # Staff, per object.
    path("decisions/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("decisions/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("decisions/meetings/<int:pk>/apply/", views.meeting_apply, name="meeting_apply"),
    path("decisions/meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("decisions/objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("decisions/objections/<int:pk>/attachment/", views.objection_attachment, name="objection_attachment"),
    path("decisions/awards/<int:pk>/payment/", views.award_payment, name="award_payment"),
    path("decisions/awards/<int:pk>/benefit/", views.award_benefit, name="award_benefit"),
    path("decisions/awards/<int:pk>/complete/", views.award_complete, name="award_complete"),
    path("decisions/applications/<int:pk>/notifications/", views.application_notifications, name="application_notifications"),
]
