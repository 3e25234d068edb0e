from django.urls import path

from web.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.task_list, name="task-list"),
    path("new/", views.task_new, name="task-new"),
    path("<int:pk>/", views.task_detail, name="task-detail"),
    path("<int:pk>/indicators/new/", views.indicator_new, name="indicator-new"),
    path("<int:pk>/breakdown/", views.breakdown_new, name="breakdown-new"),
    path("<int:pk>/units/<int:unit_pk>/", views.unit_page, name="unit-page"),
    path("rows/<int:pk>/report/", views.report_progress, name="row-report"),
    path("rows/<int:pk>/notice/", views.notice, name="row-notice"),
    path("rows/<int:pk>/rectify/", views.rectify, name="row-rectify"),
    path("rectifications/<int:pk>/answer/", views.answer, name="rectification-answer"),
    path("reports/<int:pk>/file/", views.report_file, name="report-file"),
]
