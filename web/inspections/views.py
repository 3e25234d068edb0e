"""Hazard inspections (隐患排查) and special campaigns (专项行动): the campaigns, a campaign's
totals by town with the lists behind each number, the one-form inspection log, its page.

Scope: ``inspections.scope``. An inspection the user may not read does not exist for them (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cases.models import Via
from cases.scope import visible_cases
from inspections import scope, services, totals
from inspections.models import Campaign, Finding, Inspection
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.models import Person, User
from regions.models import Region
from web.grid.forms import new_token
from web.inspections.forms import FindingFormSet, InspectionForm

PREFIX = "findings"


def _reader(user: User) -> None:
    if not scope.is_reader(user):
        raise PermissionDenied(_("您无权查看隐患排查。"))


def _visible(user: User) -> QuerySet[Inspection]:
    q = scope.visible_q(user)
    return Inspection.objects.all() if q is None else Inspection.objects.filter(q)


@login_required
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """专项行动: every campaign, newest first."""
    _reader(request.user)
    campaigns = Campaign.objects.select_related("region", "lead_unit")
    return render(request, "web/inspections/campaign_list.html", {"campaigns": campaigns})


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A campaign with its totals by town; each number opens its list."""
    _reader(request.user)
    campaign = get_object_or_404(Campaign.objects.select_related("region", "lead_unit"), pk=pk)
    return render(
        request,
        "web/inspections/campaign_detail.html",
        {"campaign": campaign, "totals": totals.campaign_totals(request.user, campaign)},
    )


def _filters(request: AuthenticatedHttpRequest) -> tuple[Campaign, Region | None]:
    campaign = get_object_or_404(Campaign, pk=request.GET.get("campaign") or 0)
    town_id = request.GET.get("town")
    town = get_object_or_404(Region, pk=town_id) if town_id else None
    return campaign, town


@login_required
def inspection_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inspections behind a campaign's 已排查 number (``?campaign=&town=``)."""
    _reader(request.user)
    campaign, town = _filters(request)
    qs = totals.inspections_for(request.user, campaign)
    if town is not None:
        qs = totals.in_town(qs, town)
    rows = qs.select_related("region", "enterprise").order_by("-inspected_on", "-pk")
    context = {"campaign": campaign, "town": town, "inspections": rows}
    return render(request, "web/inspections/inspection_list.html", context)


@login_required
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The hazards behind 发现隐患 / 已整改 / 未整改 (``?campaign=&town=&rectified=1|0``)."""
    _reader(request.user)
    campaign, town = _filters(request)
    qs = totals.findings_for(request.user, campaign)
    if town is not None:
        qs = totals.in_town(qs, town, "inspection__")
    state = request.GET.get("rectified")
    if state in ("1", "0"):
        qs = totals.rectified(qs, done=state == "1")
    rows = qs.select_related("case", "inspection__region", "inspection__enterprise").order_by(
        "-inspection__inspected_on", "pk"
    )
    context = {"campaign": campaign, "town": town, "state": state, "findings": rows}
    return render(request, "web/inspections/finding_list.html", context)


def _choices(user: User, campaign: Campaign | None) -> dict[str, Any]:
    q = scope.loggable_regions_q(user, campaign)
    regions = Region.objects.all() if q is None else Region.objects.filter(q)
    if not regions.exists():
        raise PermissionDenied(_("您无权登记隐患排查。"))
    people = Person.objects.filter(
        Q(pk=user.person_id or 0)
        | Q(user__roles__is_active=True, user__roles__region__in=regions)
        | Q(
            user__roles__is_active=True,
            user__roles__organisation_id=campaign.lead_unit_id if campaign else 0,
        )
    ).distinct()
    return {
        "regions": regions.order_by("path"),
        "enterprises": Organisation.objects.enterprises().filter(region__in=regions),
        "inspectors": people.order_by("name", "pk"),
    }


def _save(
    request: AuthenticatedHttpRequest,
    campaign: Campaign | None,
    form: InspectionForm,
    formset: Any,
) -> Inspection | None:
    """Log the inspection with every filled row; None when the service refused something."""
    rows = [row for row in formset if row.is_filled()]
    data = form.cleaned_data
    try:
        return services.log_inspection(
            campaign=campaign,
            region=data["region"],
            enterprise=data["enterprise"],
            target_name=data["target_name"],
            address=data["address"],
            inspected_on=data["inspected_on"],
            inspectors=list(data["inspectors"]),
            note=data["note"],
            findings=[row.finding() for row in rows],
            token=data["form_token"],
            actor=request.user,
            via=Via.WEB,
        )
    except ValidationError as error:
        for field, errors in error.update_error_dict({}).items():
            parts = str(field).split(".")
            if parts[0] == PREFIX and len(parts) > 1:
                row = rows[int(parts[1])]
                name = parts[2] if len(parts) > 2 else None
                row.add_error(name if name in row.fields else None, errors)
            else:
                form.add_error(field if field in form.fields else None, errors)
        return None


@login_required
def inspection_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """排查登记: the inspection and its hazards (each a case) in one submit; one refused row
    saves nothing, and a resubmitted form makes nothing twice."""
    user = request.user
    pk = request.GET.get("campaign")
    campaign = get_object_or_404(Campaign.objects.select_related("region"), pk=pk) if pk else None
    kwargs = _choices(user, campaign)
    if request.method == "POST":
        form = InspectionForm(request.POST, **kwargs)
        formset = FindingFormSet(request.POST, prefix=PREFIX)
        if form.is_valid() and formset.is_valid():
            try:
                inspection = _save(request, campaign, form, formset)
            except PermissionDenied:
                form.add_error("region", _("您无权在该区域登记隐患排查。"))
                inspection = None
            if inspection is not None:
                messages.success(
                    request,
                    _("已登记排查，发现隐患 %(count)d 处。")
                    % {"count": inspection.findings.count()},
                )
                return redirect("inspections:inspection-detail", pk=inspection.pk)
    else:
        initial: dict[str, Any] = {"form_token": new_token()}
        if user.person_id:
            initial["inspectors"] = [user.person_id]
        form = InspectionForm(initial=initial, **kwargs)
        formset = FindingFormSet(prefix=PREFIX)
    context = {"campaign": campaign, "form": form, "formset": formset}
    return render(request, "web/inspections/inspection_new.html", context)


@login_required
def inspection_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An inspection with its hazards and their cases, each with its state."""
    user = request.user
    inspection = (
        _visible(user)
        .select_related("campaign", "region", "enterprise", "created_by__person")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404(_("没有找到该排查记录，或您无权查看。"))
    findings: list[Finding] = list(inspection.findings.select_related("case"))
    readable = set(
        visible_cases(user)
        .filter(pk__in=[f.case_id for f in findings])
        .values_list("pk", flat=True)
    )
    context = {
        "inspection": inspection,
        "inspectors": list(inspection.inspectors.order_by("name")),
        "findings": [(f, f.case_id in readable) for f in findings],
    }
    return render(request, "web/inspections/inspection_detail.html", context)
