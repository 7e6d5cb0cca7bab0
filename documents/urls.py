from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("request/", views.request_view, name="request"),
    path("<uuid:public_id>/", views.status_view, name="status"),
    path("<uuid:public_id>/download/", views.download_view, name="download"),
    path("<uuid:public_id>/retry/", views.retry_view, name="retry"),
]
