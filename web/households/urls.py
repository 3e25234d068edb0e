from django.urls import path

from web.households import survey_views, views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("mine/", views.mine, name="mine"),
    path("coverage/", views.coverage, name="coverage"),
    path("visits/", views.visit_log, name="visit-log"),
    path("surveys/", survey_views.survey_list, name="survey-list"),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/tasks/", survey_views.survey_tasks, name="survey-tasks"),
    path("surveys/<int:pk>/close/", survey_views.survey_close, name="survey-close"),
    path("surveys/tasks/<int:pk>/", survey_views.task_detail, name="survey-task"),
    path("<int:pk>/", views.household_detail, name="household-detail"),
    path("<int:pk>/visit/", views.visit_new, name="visit-new"),
    path("<int:pk>/review/", views.review_new, name="review-new"),
    path("<int:pk>/plan/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/tags/", views.tag_change, name="tag-change"),
    path("<int:pk>/plan/close/", views.plan_close, name="plan-close"),
    path("<int:pk>/members/new/", views.member_new, name="member-new"),
    path("<int:pk>/members/<int:member>/", views.member_edit, name="member-edit"),
]
