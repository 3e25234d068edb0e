from django.urls import path

from web.views import under_construction

app_name = "grid"
urlpatterns = [
    path("", under_construction, name="home"),
]
