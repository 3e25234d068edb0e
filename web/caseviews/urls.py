from django.urls import path

from web.caseviews import attachments, views

app_name = "caseviews"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("export.xlsx", views.case_export, name="case-export"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/move/<slug:kind>/", views.case_move, name="case-move"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_file,
        name="case-attachment",
    ),
]
