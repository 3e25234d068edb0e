from django.urls import path

from web.ip import views

app_name = "ip"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("registrations/", views.registration_list, name="registration-list"),
    path("registrations/new/", views.registration_new, name="registration-new"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration-detail"),
    path("registrations/<int:pk>/edit/", views.registration_edit, name="registration-edit"),
    path("licences/", views.licence_list, name="licence-list"),
    path("licences/new/", views.licence_new, name="licence-new"),
    path("licences/<int:pk>/", views.licence_detail, name="licence-detail"),
    path("licences/<int:pk>/edit/", views.licence_edit, name="licence-edit"),
    path("licences/<int:pk>/status/", views.licence_status, name="licence-status"),
    path("actions/", views.action_list, name="action-list"),
    path("actions/new/", views.action_new, name="action-new"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("cases/<int:case_pk>/facts/", views.case_facts, name="case-facts"),
]
