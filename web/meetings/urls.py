from django.urls import path

from web.views import under_construction

app_name = "meetings"
urlpatterns = [
    path("", under_construction, name="meeting-new"),
]
