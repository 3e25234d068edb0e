from django.urls import path

from web.outreach import views

app_name = "outreach"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("enterprises/<int:pk>/visit/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/firms/", views.coverage_firms, name="coverage-firms"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/push/", views.briefings_push, name="briefings-push"),
    path("briefings/<int:pk>/done/", views.briefing_done, name="briefing-done"),
    path("rhythm/", views.rhythm, name="rhythm"),
]
