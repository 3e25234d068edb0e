from django.urls import path

from web.disputes import views

app_name = "disputes"
urlpatterns = [
    path("cases/<int:case_pk>/parties/", views.case_parties, name="case-parties"),
    path("cases/<int:case_pk>/agreement/", views.case_agreement, name="case-agreement"),
    path(
        "cases/<int:case_pk>/agreements/<int:pk>/",
        views.agreement_file,
        name="agreement-file",
    ),
]
