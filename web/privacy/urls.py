from django.urls import path

from web.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.access_log, name="access-log"),
    path("export/", views.person_export, name="person-export"),
    path("mine/", views.my_accesses, name="mine"),
    path("cases/<int:pk>/flags/", views.case_flags, name="case-flags"),
]
