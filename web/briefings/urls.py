from django.urls import path

from web.briefings import views

app_name = "briefings"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/<str:fmt>/", views.briefing_file, name="file"),
]
