from django.urls import path

from web.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign-close"),
    path("list/", views.inspection_list, name="inspection-list"),
    path("findings/", views.finding_list, name="finding-list"),
    path("new/", views.inspection_new, name="inspection-new"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
]
