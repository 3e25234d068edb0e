from django.urls import path

from web.caseviews import attachments, bulk, views

app_name = "caseviews"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("export.xlsx", views.case_export, name="case-export"),
    path("bulk/", bulk.case_bulk, name="case-bulk"),
    path("bulk/result/", bulk.case_bulk_result, name="case-bulk-result"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/move/<slug:kind>/", views.case_move, name="case-move"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_file,
        name="case-attachment",
    ),
]
