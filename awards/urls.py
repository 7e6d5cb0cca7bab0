from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<slug:code>/", views.cycle_overview, name="cycle_overview"),
]
