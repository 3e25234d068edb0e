from django.urls import path

from web.views import under_construction

app_name = "dashboard"
urlpatterns = [
    path("", under_construction, name="index"),
]
