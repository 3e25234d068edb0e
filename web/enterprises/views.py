"""The enterprise file (企业档案): profile, honours, yearly figures, linked cadres and demands,
with the forms that award an honour and record a year's figures.

Who opens it and who writes to it: ``enterprises.scope``; anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case, Status
from cases.scope import visible_cases
from enterprises import services
from enterprises.matching import policies_for
from enterprises.models import HonourAward, PolicyGrant, YearFigures
from enterprises.scope import may_read_file, may_write_file
from ip.selectors import records_for
from orgs.models import Organisation
from outreach.scope import may_log_visit
from outreach.selectors import briefings_for, visits_for
from people.http import AuthenticatedHttpRequest
from people.masking import mask_phone
from people.models import EnterpriseLink
from projects.selectors import projects_for
from stats import metrics
from web.dashboard.views import percent, score
from web.enterprises.forms import HonourAwardForm, YearFiguresForm

LATEST = 10


def _enterprise_for(request: AuthenticatedHttpRequest, pk: int) -> Organisation:
    enterprise = get_object_or_404(
        Organisation.objects.enterprises().select_related("region", "chain"), pk=pk
    )
    if not may_read_file(request.user, enterprise):
        raise Http404
    return enterprise


def _rates(row: metrics.RateRow) -> list[tuple[str, str]]:
    """The rates of docs/metrics.md over the enterprise's cases, as the dashboard words them."""
    return [
        (_("受理数"), str(row.received)),
        (_("当场办结率"), percent(row.on_spot_rate)),
        (_("响应率"), percent(row.response_rate)),
        (_("解决率"), percent(row.resolution_rate)),
        (_("满意率"), percent(row.satisfaction_rate)),
        (_("综合得分"), score(row.composite_score)),
        (_("按期办结率"), percent(row.on_time_rate)),
        (_("当前超期"), str(row.overdue_now)),
    ]


def _context(request: AuthenticatedHttpRequest, enterprise: Organisation) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries whatever the number of cases."""
    writer = may_write_file(request.user, enterprise)
    links = list(
        EnterpriseLink.objects.filter(enterprise=enterprise)
        .select_related("person")
        .order_by("kind", "person__name")
    )
    for link in links:
        phone = link.person.phone
        link.phone = phone if writer else mask_phone(phone)  # type: ignore[attr-defined]
    cases = visible_cases(request.user, Case.objects.filter(enterprise=enterprise))
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "enterprise": enterprise,
        "awards": HonourAward.objects.filter(enterprise=enterprise).select_related("honour"),
        "figures": YearFigures.objects.filter(enterprise=enterprise),
        "links": links,
        "state_counts": [(v, label, counts[v]) for v, label in Status.choices if v in counts],
        "case_total": sum(counts.values()),
        "rates": _rates(metrics.totals(cases)),
        "latest": cases.select_related("case_type", "lead_unit").order_by("-reported_at", "-pk")[
            :LATEST
        ],
        "policies": policies_for(enterprise),
        "grants": PolicyGrant.objects.filter(enterprise=enterprise).select_related("policy"),
        "projects": projects_for(enterprise),
        "visits": visits_for(enterprise),
        "ip": records_for(enterprise),
        "briefings": briefings_for(enterprise),
        "may_visit": may_log_visit(request.user, enterprise),
        "writer": writer,
        "award_form": HonourAwardForm(initial={"year": timezone.localdate().year}),
        "figures_form": YearFiguresForm(initial={"year": timezone.localdate().year - 1}),
    }


@login_required
@require_GET
def enterprise_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise_for(request, pk)
    return render(request, "web/enterprises/enterprise_detail.html", _context(request, enterprise))


def _submit(
    request: AuthenticatedHttpRequest,
    pk: int,
    form: forms.Form,
    form_key: str,
    call: Any,
    done: str,
) -> HttpResponse:
    """Validate ``form``, hand its data to ``call`` (a service), redirect, or show the errors."""
    enterprise = _enterprise_for(request, pk)
    if not may_write_file(request.user, enterprise):
        raise PermissionDenied
    if form.is_valid():
        try:
            call(enterprise, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("enterprises:enterprise-detail", pk=enterprise.pk)
    context = {**_context(request, enterprise), form_key: form}
    return render(request, "web/enterprises/enterprise_detail.html", context, status=400)


@login_required
@require_POST
def honour_award(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def call(enterprise: Organisation, honour: Any, year: int, note: str) -> None:
        services.award_honour(enterprise, honour, year, note=note, actor=request.user)

    form = HonourAwardForm(request.POST)
    return _submit(request, pk, form, "award_form", call, _("已登记荣誉资质。"))


@login_required
@require_POST
def figures_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def call(enterprise: Organisation, year: int, **values: Any) -> None:
        services.record_year_figures(enterprise, year, actor=request.user, **values)

    form = YearFiguresForm(request.POST)
    return _submit(request, pk, form, "figures_form", call, _("已保存年度经营数据。"))
