from django.urls import path

from web.mine import signin, views

app_name = "mine"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.report, name="report"),
    path("places/", views.places, name="places"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/info/", views.add_info, name="add-info"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    # 短信验证码登录 (signed out)
    path("signin/", signin.request_code, name="signin"),
    path("signin/code/", signin.enter_code, name="signin-code"),
]
