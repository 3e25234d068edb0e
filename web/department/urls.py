from django.urls import path

from web.department import views

app_name = "department"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("in-progress/", views.in_progress, name="in-progress"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/accept/", views.accept, name="accept"),
    path("cases/<int:pk>/answer/", views.answer, name="answer"),
    path("cases/<int:pk>/extension/", views.request_extension, name="extension"),
    path("cases/<int:pk>/send-back/", views.send_back, name="send-back"),
    path("cases/<int:pk>/note/", views.progress_note, name="note"),
    path("cases/<int:pk>/mediation/", views.mediation, name="mediation"),
    path("duty-list/", views.duty_list_page, name="duty-list"),
    path("duty-list.xlsx", views.duty_list_xlsx, name="duty-list-xlsx"),
]
