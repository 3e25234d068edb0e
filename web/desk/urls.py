from django.urls import path

from web.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("caller/", views.caller, name="caller"),
    path("regions/", views.regions, name="regions"),
    path("deadline/", views.deadline, name="deadline"),
    path("households/", views.households, name="households"),
]
