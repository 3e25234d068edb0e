from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from web import offline, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # The service worker of the grid pages without signal: at the root, so its scope is the site.
    path("sw.js", offline.service_worker, name="service-worker"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html",
            success_url=reverse_lazy("web:password-changed"),
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_changed.html"),
        name="password-changed",
    ),
]
