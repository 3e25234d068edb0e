from django.urls import path

from web.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("list/", views.inspection_list, name="inspection-list"),
    path("findings/", views.finding_list, name="finding-list"),
    path("new/", views.inspection_new, name="inspection-new"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
]
