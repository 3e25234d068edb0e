"""Hazard inspections (隐患排查) and special campaigns (专项行动): the campaigns, a campaign's
totals by town with the lists behind each number, opening, changing and ending a campaign, the
one-form inspection log, its page.

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
from django.views.decorators.http import require_POST

from cases.models import Via
from cases.scope import visible_cases
from inspections import scope, services, totals
from inspections.models import Campaign, CampaignStatus, Finding, Inspection
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.models import Person, User
from regions.models import Region
from web.grid.forms import new_token
from web.inspections.forms import CampaignForm, FindingFormSet, InspectionForm

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
    context = {"campaigns": campaigns, "may_open": scope.campaign_regions(request.user) != []}
    return render(request, "web/inspections/campaign_list.html", context)


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A campaign with its totals by town; each number opens its list."""
    _reader(request.user)
    campaign = get_object_or_404(Campaign.objects.select_related("region", "lead_unit"), pk=pk)
    context = {
        "campaign": campaign,
        "totals": totals.campaign_totals(request.user, campaign),
        "may_run": campaign.status != CampaignStatus.FINISHED
        and scope.may_run(request.user, campaign),
    }
    return render(request, "web/inspections/campaign_detail.html", context)


def _campaign_regions(user: User, campaign: Campaign | None = None) -> QuerySet[Region]:
    q = scope.campaign_regions_q(user)
    if campaign is not None:
        q |= Q(pk=campaign.region_id)
    return Region.objects.filter(q).order_by("path")


def _campaign_errors(form: CampaignForm, error: ValidationError) -> None:
    for field, errors in error.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, errors)


def _campaign_args(form: CampaignForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "region": data["region"],
        "lead_unit": data["lead_unit"],
        "description": data["description"],
        "status": data["status"],
    }


@login_required
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """新建专项行动: dispatchers, leaders and town offices over its region."""
    user = request.user
    regions = _campaign_regions(user)
    if scope.campaign_regions(user) == [] or not regions.exists():
        raise PermissionDenied(_("您无权开展专项行动。"))
    if request.method == "POST":
        form = CampaignForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                campaign = services.create_campaign(actor=user, **_campaign_args(form))
            except PermissionDenied:
                form.add_error("region", _("您无权在该区域开展专项行动。"))
            except ValidationError as error:
                _campaign_errors(form, error)
            else:
                messages.success(request, _("已创建专项行动。"))
                return redirect("inspections:campaign-detail", pk=campaign.pk)
    else:
        form = CampaignForm(regions=regions)
    return render(request, "web/inspections/campaign_form.html", {"form": form, "campaign": None})


def _runnable(request: AuthenticatedHttpRequest, pk: int) -> Campaign:
    _reader(request.user)
    campaign = get_object_or_404(Campaign.objects.select_related("region", "lead_unit"), pk=pk)
    if not scope.may_run(request.user, campaign):
        raise PermissionDenied(_("您无权修改该专项行动。"))
    return campaign


@login_required
def campaign_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """修改专项行动; an ended campaign is not changed any more."""
    user = request.user
    campaign = _runnable(request, pk)
    if campaign.status == CampaignStatus.FINISHED:
        messages.error(request, _("该专项行动已结束，不能再修改。"))
        return redirect("inspections:campaign-detail", pk=campaign.pk)
    regions = _campaign_regions(user, campaign)
    if request.method == "POST":
        form = CampaignForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                services.change_campaign(campaign, actor=user, **_campaign_args(form))
            except PermissionDenied:
                form.add_error("region", _("您无权在该区域开展专项行动。"))
            except ValidationError as error:
                _campaign_errors(form, error)
            else:
                messages.success(request, _("已保存专项行动。"))
                return redirect("inspections:campaign-detail", pk=campaign.pk)
    else:
        initial = {
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "region": campaign.region_id,
            "lead_unit": campaign.lead_unit_id,
            "status": campaign.status,
            "description": campaign.description,
        }
        form = CampaignForm(initial=initial, regions=regions)
    context = {"form": form, "campaign": campaign}
    return render(request, "web/inspections/campaign_form.html", context)


@login_required
@require_POST
def campaign_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """结束专项行动: no more inspections in it; its figures stay."""
    campaign = _runnable(request, pk)
    try:
        services.close_campaign(
            campaign, actor=request.user, note=request.POST.get("note", "")[:500]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("专项行动已结束。"))
    return redirect("inspections:campaign-detail", pk=campaign.pk)


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
