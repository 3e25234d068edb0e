from django.urls import path

from web.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/<int:pk>/triage/", views.triage, name="triage"),
    path("cases/<int:pk>/deadline/", views.deadline_preview, name="deadline-preview"),
    path("cases/<int:pk>/reject/", views.reject, name="reject"),
    path("cases/<int:pk>/merge/", views.merge, name="merge"),
    path("extensions/", views.extensions, name="extensions"),
    path("cases/<int:pk>/extension/approve/", views.extension_approve, name="extension-approve"),
    path("cases/<int:pk>/extension/refuse/", views.extension_refuse, name="extension-refuse"),
    path("sent-back/", views.sent_back, name="sent-back"),
    path("supervision/", views.supervision, name="supervision"),
    path("cases/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("closing/", views.closing, name="closing"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
]
