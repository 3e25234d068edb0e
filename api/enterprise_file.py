"""REST API: enterprise_file."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
