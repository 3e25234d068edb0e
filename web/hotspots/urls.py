from django.urls import path

from web.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.hotspot_list, name="list"),
    path("<int:pk>/", views.hotspot_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.hotspot_acknowledge, name="acknowledge"),
    path("<int:pk>/close/", views.hotspot_close, name="close"),
    path("suggestions/<int:case_pk>/", views.case_suggestions, name="suggestions"),
    path("repeats/", views.repeat_list, name="repeat-list"),
    path("repeats/<int:pk>/", views.repeat_detail, name="repeat-detail"),
    path("repeats/<int:pk>/acknowledge/", views.repeat_acknowledge, name="repeat-acknowledge"),
    path("repeats/<int:pk>/close/", views.repeat_close, name="repeat-close"),
]
