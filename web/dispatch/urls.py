from django.urls import path

from web.views import under_construction

app_name = "dispatch"
urlpatterns = [
    path("", under_construction, name="inbox"),
]
