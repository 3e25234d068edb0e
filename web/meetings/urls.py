from django.urls import path

from web.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_new, name="meeting-new"),
    path("list/", views.meeting_list, name="meeting-list"),
    path("<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
