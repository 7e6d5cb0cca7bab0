from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("awards.urls")),
    path("documents/", include("documents.urls")),
    path("", include("reviews.urls")),
    path("", include("applications.urls")),
    path("", include("core.urls")),
]
