from django.urls import path

from web.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.job_new, name="job-new"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/mapping/", views.job_mapping, name="job-mapping"),
    path("jobs/<int:pk>/report/", views.job_report, name="job-report"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile-delete"),
]
