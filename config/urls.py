from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import health

admin.site.site_header = _("连心桥 · 闭环服务平台")
admin.site.site_title = _("连心桥")
admin.site.index_title = _("管理后台")

urlpatterns = [
    # For the load balancer: no sign-in, no language prefix.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dispatch/catalogue/", include("web.catalogue.urls")),
    path("dispatch/", include("web.dispatch.urls")),
    path("desk/", include("web.desk.urls")),
    path("dept/", include("web.department.urls")),
    path("grid/", include("web.grid.urls")),
    path("meetings/", include("web.meetings.urls")),
    path("cases/", include("web.caseviews.urls")),
    path("registry/", include("web.registry.urls")),
    path("enterprises/", include("web.enterprises.urls")),
    path("outreach/", include("web.outreach.urls")),
    path("policies/", include("web.policies.urls")),
    path("projects/", include("web.projects.urls")),
    path("households/", include("web.households.urls")),
    path("workshops/", include("web.workshops.urls")),
    path("ip/", include("web.ip.urls")),
    path("inspections/", include("web.inspections.urls")),
    path("disputes/", include("web.disputes.urls")),
    path("search/", include("web.search.urls")),
    path("dashboard/", include("web.dashboard.urls")),
    path("briefings/", include("web.briefings.urls")),
    path("hotspots/", include("web.hotspots.urls")),
    path("themes/", include("web.themes.urls")),
    path("knowledge/", include("web.knowledge.urls")),
    path("assessment/", include("web.assessment.urls")),
    path("inbox/", include("web.inbox.urls")),
    path("mine/", include("web.mine.urls")),
    path("privacy/", include("web.privacy.urls")),
    path("ledgers/import/", include("web.ledgers.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("open311/v2/", include("open311.urls")),
]

# MEDIA_ROOT is never served as such: a case's attachments go out through
# caseviews:case-attachment, which checks the case's scope. The web server must not serve it.

# Errors raised outside a view (middleware) answer JSON under /api/, the usual page elsewhere.
handler500 = "api.views.server_error"
