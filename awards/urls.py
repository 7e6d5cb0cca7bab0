from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<slug:code>/", views.cycle_overview, name="cycle_overview"),
    path("cycles/<slug:code>/next/", views.cycle_clone, name="cycle_clone"),
    path("programmes/<slug:code>/past-winners/", views.past_winners, name="past_winners"),
]
