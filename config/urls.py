from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("awards.urls")),
    path("reviews/", include("reviews.urls")),
    path("documents/", include("documents.urls")),
    path("", include("decisions.urls")),
    path("", include("applications.urls")),
    path("", include("core.urls")),
]
