from django.urls import path

from web.grid import views

app_name = "grid"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/households/", views.households, name="households"),
    path("cases/<int:pk>/reported/", views.report_done, name="report-done"),
    path("cases/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("mediations/", views.mediation_list, name="mediation-list"),
    path("cases/<int:pk>/mediation/", views.mediation, name="mediation"),
    path("visits/", views.visit_list, name="visit-list"),
    path("cases/<int:pk>/visit/", views.visit, name="visit"),
]
