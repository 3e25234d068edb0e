from django.urls import path

from web.caseviews import views

app_name = "caseviews"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("export.xlsx", views.case_export, name="case-export"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/move/<slug:kind>/", views.case_move, name="case-move"),
]
