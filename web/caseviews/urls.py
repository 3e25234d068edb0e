from django.urls import path

from web.views import under_construction

app_name = "caseviews"
urlpatterns = [
    path("", under_construction, name="case-list"),
    path("<int:pk>/", under_construction, name="case-detail"),
]
