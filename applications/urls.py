from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("calls/<slug:code>/", views.call_page, name="call"),
    path("calls/<slug:code>/forms/<slug:category>/", views.blank_form, name="blank_form"),
    path("calls/<slug:code>/apply/", views.start, name="start"),
    path("applications/", views.dashboard, name="dashboard"),
    path("applications/my-data/", views.my_data, name="my_data"),
    path("applications/profile/organisation/", views.organisation_edit, name="organisation_new"),
    path("applications/profile/organisation/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("applications/profile/person/", views.person_edit, name="person_edit"),
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/edit/", views.edit, name="edit"),
    path("applications/<int:pk>/check/", views.check, name="check"),
    path("applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("applications/files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("applications/nominations/", views.nominations, name="nominations"),
    path("applications/nominations/<int:pk>/cancel/", views.nomination_cancel, name="nomination_cancel"),
    path("applications/invitation/<str:token>/", views.nomination_accept, name="nomination_accept"),
    path("applications/staff/credit-list/", views.blacklist, name="blacklist"),
]
