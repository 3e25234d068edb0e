from django.urls import path

from web.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.draft_new, name="new"),
    path("v<int:version>/", views.version_detail, name="version"),
    path("v<int:version>/edit/", views.draft_edit, name="edit"),
    path("v<int:version>/publish/", views.draft_publish, name="publish"),
    path("v<int:version>/discard/", views.draft_discard, name="discard"),
]
