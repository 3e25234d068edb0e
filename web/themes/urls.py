from django.urls import path

from web.themes import views

app_name = "themes"
urlpatterns = [
    path("", views.theme_list, name="list"),
    path("new/", views.theme_new, name="new"),
    path("<int:pk>/", views.theme_detail, name="detail"),
    path("<int:pk>/activate/", views.theme_move, {"move": "activate"}, name="activate"),
    path("<int:pk>/finish/", views.theme_move, {"move": "finish"}, name="finish"),
    path("<int:pk>/drop/", views.theme_move, {"move": "drop"}, name="drop"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/done/",
        views.milestone_done,
        name="milestone-done",
    ),
    path("<int:pk>/cases/add/rule/", views.cases_add, {"how": "rule"}, name="cases-add-rule"),
    path(
        "<int:pk>/cases/add/numbers/",
        views.cases_add,
        {"how": "numbers"},
        name="cases-add-numbers",
    ),
    path("<int:pk>/cases/remove/", views.cases_remove, name="cases-remove"),
]
