from django.urls import path

from web.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("new/", views.article_create, name="article-create"),
    path("panel/", views.panel, name="panel"),
    path("<int:pk>/", views.article_detail, name="article-detail"),
    path("<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("<int:pk>/publish/", views.article_publish, name="article-publish"),
    path("<int:pk>/archive/", views.article_archive, name="article-archive"),
    path("<int:pk>/review/", views.article_review, name="article-review"),
    path("replies/", views.reply_list, name="reply-list"),
    path("replies/new/", views.reply_create, name="reply-create"),
    path("replies/<int:pk>/edit/", views.reply_edit, name="reply-edit"),
    path("replies/<int:pk>/retire/", views.reply_retire, name="reply-retire"),
    path("ask/", views.ask, name="ask"),
    path("ask/solved/", views.ask_solved, name="ask-solved"),
]
