"""REST API: outreach."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
