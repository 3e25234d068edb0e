from django.urls import path

from web.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("read/", views.mark_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
]
