from django.urls import path

from web.views import under_construction

app_name = "department"
urlpatterns = [
    path("", under_construction, name="queue"),
]
