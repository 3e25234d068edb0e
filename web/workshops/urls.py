from django.urls import path

from web.workshops import views

app_name = "workshops"
urlpatterns = [
    path("", views.workshop_list, name="list"),
    path("<int:pk>/", views.workshop_detail, name="detail"),
    path("<int:pk>/figures/", views.figures, name="figures"),
    path("<int:pk>/households/", views.helped, name="helped"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/totals/", views.job_totals, name="job-totals"),
    path("jobs/placements/", views.placement_list, name="placements"),
    path("jobs/new/", views.job_new, name="job-new"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/close/", views.job_close, name="job-close"),
]
