from django.urls import path

from web.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.hotspot_list, name="list"),
    path("<int:pk>/", views.hotspot_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.hotspot_acknowledge, name="acknowledge"),
    path("<int:pk>/close/", views.hotspot_close, name="close"),
    path("suggestions/<int:case_pk>/", views.case_suggestions, name="suggestions"),
]
