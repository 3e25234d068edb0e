from django.urls import path

from web.views import under_construction

app_name = "registry"
urlpatterns = [
    path("", under_construction, name="region-tree"),
]
