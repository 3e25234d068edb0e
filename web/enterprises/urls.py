from django.urls import path

from web.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("<int:pk>/", views.enterprise_file, name="enterprise-detail"),
    path("<int:pk>/honours/", views.honour_award, name="enterprise-honour-award"),
    path("<int:pk>/figures/", views.figures_record, name="enterprise-figures-record"),
]
