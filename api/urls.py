"""The REST API (mounted at /api/ by config/urls.py): /api/v1/…, its OpenAPI schema and docs.

Every other path under /api/ answers a JSON 404 (``NotFoundView``), never an HTML page.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from api import (
    assessment,
    briefings,
    bulk,
    dispatch_catalogue,
    disputes,
    enterprise_file,
    hotspots,
    households,
    inspections,
    ip,
    notifications,
    outreach,
    policies,
    projects,
    surveys,
    views,
    workshops,
)
from api.registries import router

app_name = "api"

v1 = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    *bulk.urlpatterns,
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:pk>/events/", views.CaseEventsView.as_view(), name="case-events"),
    *[
        path(f"cases/<int:pk>/{action}/", view.as_view(), name=f"case-{action}")
        for action, view in views.MOVE_VIEWS.items()
    ],
    path("events/", views.EventFeedView.as_view(), name="event-list"),
    path("case-types/", views.CaseTypeListView.as_view(), name="case-type-list"),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
    path("me/", views.MeView.as_view(), name="me"),
    path(
        "notifications/",
        notifications.NotificationListView.as_view(),
        name="notification-list",
    ),
    path(
        "notifications/unread-count/",
        notifications.UnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path("notifications/read/", notifications.MarkReadView.as_view(), name="notification-read"),
    path(
        "notifications/preferences/",
        notifications.PreferencesView.as_view(),
        name="notification-preferences",
    ),
    *enterprise_file.urlpatterns,
    *policies.urlpatterns,
    *outreach.urlpatterns,
    *projects.urlpatterns,
    *households.urlpatterns,
    *workshops.urlpatterns,
    *ip.urlpatterns,
    *inspections.urlpatterns,
    *disputes.urlpatterns,
    *assessment.urlpatterns,
    *briefings.urlpatterns,
    *hotspots.urlpatterns,
    *dispatch_catalogue.urlpatterns,
    *surveys.urlpatterns,
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    # [\s\S], not ".": a path holding a line break is an API path too (a JSON 404).
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not-found"),
]
