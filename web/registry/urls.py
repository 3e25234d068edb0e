from django.urls import path

from web.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.region_tree, name="region-tree"),
    path("regions/<int:pk>/children/", views.region_children, name="region-children"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("people/", views.person_list, name="person-list"),
    path("households/", views.household_list, name="household-list"),
]
