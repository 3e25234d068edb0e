from django.urls import path

from web.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="policy-list"),
    path("new/", views.policy_create, name="policy-create"),
    path("condition-row/", views.condition_row, name="condition-row"),
    path("<int:pk>/", views.policy_detail, name="policy-detail"),
    path("<int:pk>/edit/", views.policy_edit, name="policy-edit"),
    path("<int:pk>/publish/", views.policy_publish, name="policy-publish"),
    path("<int:pk>/withdraw/", views.policy_withdraw, name="policy-withdraw"),
    path("<int:pk>/grants/", views.policy_grant, name="policy-grant"),
    path("<int:pk>/attachments/", views.policy_attach, name="policy-attach"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_file,
        name="policy-attachment",
    ),
    path("<int:pk>/exempt.xlsx", views.exempt_export, name="policy-exempt-export"),
]
