from django.urls import path

from web.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_new, name="project-new"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/advance/", views.project_advance, name="project-advance"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone-complete"),
    path("milestones/<int:pk>/block/", views.milestone_block, name="milestone-block"),
    path("milestones/<int:pk>/unblock/", views.milestone_unblock, name="milestone-unblock"),
]
