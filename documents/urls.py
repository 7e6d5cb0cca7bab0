from django.urls import include, path

from . import views

app_name = "documents"

urlpatterns = [
    path("request/", views.request_view, name="request"),
    path("<uuid:public_id>/", include([  # one generated document
        path("", views.status_view, name="status"),
        path("download/", views.download_view, name="download"),
        path("retry/", views.retry_view, name="retry"),
    ])),
]
