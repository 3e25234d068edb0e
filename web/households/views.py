"""Household pages (户情): the list, a household's page (members, tags with history, linked
people, cases, visits, the 一户一策 plan with reviews), the forms that record a visit, a review,
a plan and a tag change, the party member's workbench (我联系的户) and the visit coverage.

Scope: ``households.scope``. A household the user may not read does not exist for them (404);
one they read but may not work on (a leader) takes no form (403). Names, phones and id numbers
are masked for readers without the contact right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import scope, selectors, services
from households.models import HouseholdMember, HouseholdVisit, TagPeriod
from people.http import AuthenticatedHttpRequest
from people.masking import mask_address, mask_id_number, mask_name, mask_phone
from people.models import Household, HouseholdLink, HouseholdTag, Person
from regions.models import Region, RegionLevel
from web import offline
from web.households.forms import (
    MemberForm,
    PlanForm,
    ReasonForm,
    ReviewForm,
    TagForm,
    VisitForm,
)


def _require_user(request: AuthenticatedHttpRequest) -> None:
    if not scope.is_household_user(request.user):
        raise PermissionDenied(_("您无权查看户情信息。"))


def _household(request: AuthenticatedHttpRequest, pk: int, *, work: bool = False) -> Household:
    _require_user(request)
    household = get_object_or_404(
        scope.visible_households(request.user).select_related("region"), pk=pk
    )
    if work and not scope.may_work(request.user, household):
        raise PermissionDenied(_("您无权登记该户的信息。"))
    return household


def _apply_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.update_error_dict({}).items():
        name = field if field in form.fields else None
        for error in errors:
            form.add_error(name, error)


@dataclass
class Shown:
    """A household's personal data as this reader may see it."""

    head_name: str
    phone: str
    id_number: str
    address: str


def _shown(household: Household, contact: bool) -> Shown:
    if contact:
        return Shown(
            household.head_name, household.phone, household.head_id_number, household.address
        )
    return Shown(
        mask_name(household.head_name),
        mask_phone(household.phone),
        mask_id_number(household.head_id_number),
        mask_address(household.address),
    )


# --- List and page -------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """户情列表: filter by tag, town, grid and overdue review."""
    _require_user(request)
    params = request.GET
    filters: dict[str, Any] = {
        "tag": _int(params.get("tag")),
        "town": _int(params.get("town")),
        "grid": _int(params.get("grid")),
        "overdue": params.get("overdue") == "1",
    }
    rows = list(selectors.household_list(request.user, **filters)[:200])
    for row in rows:
        row.shown_name = mask_name(row.head_name)  # type: ignore[attr-defined]
    return render(
        request,
        "web/households/list.html",
        {
            "rows": rows,
            "filters": filters,
            "tags": HouseholdTag.objects.order_by("name"),
            "towns": Region.objects.filter(level=RegionLevel.TOWN).order_by("path"),
            "today": timezone.localdate(),
        },
    )


@login_required
def household_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    user = request.user
    contact = scope.may_contact(user, household)
    members = list(HouseholdMember.objects.filter(household=household).order_by("pk"))
    for m in members:
        m.shown = _shown(  # type: ignore[attr-defined]
            Household(head_name=m.name, phone=m.phone, head_id_number=m.id_number), contact
        )
    return render(
        request,
        "web/households/detail.html",
        {
            "household": household,
            "shown": _shown(household, contact),
            "contact": contact,
            "may_work": scope.may_work(user, household),
            "members": members,
            "tags": list(household.tags.order_by("name")),
            "periods": list(
                TagPeriod.objects.filter(household=household)
                .select_related("tag", "started_by", "ended_by")
                .order_by("-started_at", "-pk")
            ),
            "links": selectors.household_links(household),
            "cases": list(selectors.household_cases(user, household)[:50]),
            "visits": list(selectors.visits(household)[:20]),
            "plan": selectors.active_plan(household),
            "today": timezone.localdate(),
        },
    )


# --- Forms ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@offline.json_refusals
def visit_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """登记入户走访 with the demands raised, each a case about the household."""
    household = _household(request, pk, work=True)
    user = request.user
    form = VisitForm(request.POST or None)
    replay = offline.wants_json(request)
    if request.method == "POST" and form.is_valid() and user.person is not None:
        data = form.cleaned_data
        earlier = HouseholdVisit.objects.filter(token=data["form_token"]).exists()
        try:
            visit = services.log_household_visit(
                household,
                visited_on=data["visited_on"],
                visitor=user.person,
                findings=data["findings"],
                demands=form.demand_rows(),
                token=data["form_token"],
                actor=user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            numbers = sorted(n or "" for n in visit.cases.values_list("number", flat=True))
            message = _("已登记走访，诉求 %(n)d 件。") % {"n": len(numbers)}
            url = reverse("households:household-detail", args=[household.pk])
            if replay:
                return offline.received(
                    None, url=url, replayed=earlier, message=message, number=" ".join(numbers)
                )
            messages.success(request, message)
            return redirect(url)
    elif request.method == "POST" and user.person is None:
        form.add_error(None, _("您的账号未关联人员信息，无法登记走访。"))
    if request.method == "POST" and replay:
        return offline.refused([form])
    return render(
        request,
        "web/households/visit_new.html",
        {"household": household, "form": form, "shown": _shown(household, True)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """帮扶复核 of the household's active plan."""
    household = _household(request, pk, work=True)
    user = request.user
    plan = selectors.active_plan(household)
    if plan is None:
        messages.error(request, _("该户没有在执行的帮扶计划。"))
        return redirect("households:household-detail", household.pk)
    measures = list(plan.measures.all())
    form = ReviewForm(request.POST or None, measures=measures)
    if request.method == "POST" and form.is_valid() and user.person is not None:
        data = form.cleaned_data
        try:
            services.review_plan(
                plan,
                reviewed_on=data["reviewed_on"],
                reviewer=user.person,
                progress=data["progress"],
                measure_statuses=form.statuses(),
                next_review_on=data["next_review_on"],
                token=data["form_token"],
                actor=user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已记录帮扶复核。"))
            return redirect("households:household-detail", household.pk)
    return render(
        request,
        "web/households/review_new.html",
        {"household": household, "plan": plan, "form": form, "shown": _shown(household, True)},
    )


def _responsible_choices(household: Household, user: Any) -> Any:
    linked = HouseholdLink.objects.filter(household=household).values("person_id")
    return Person.objects.filter(Q(pk__in=linked) | Q(pk=user.person_id or 0)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """制定或调整一户一策: a new plan when none is active, else the active one changed (new
    measures are added to it)."""
    household = _household(request, pk, work=True)
    user = request.user
    plan = selectors.active_plan(household)
    initial = (
        {
            "responsible": plan.responsible_id,
            "summary": plan.summary,
            "review_months": plan.review_months,
        }
        if plan
        else None
    )
    form = PlanForm(
        request.POST or None, initial=initial, people=_responsible_choices(household, user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if plan is None:
                services.create_plan(
                    household,
                    responsible=data["responsible"],
                    measures=form.measure_rows(),
                    summary=data["summary"],
                    review_months=data["review_months"],
                    actor=user,
                )
            else:
                services.change_plan(
                    plan,
                    responsible=data["responsible"],
                    summary=data["summary"],
                    review_months=data["review_months"],
                    add_measures=form.measure_rows(),
                    expected_version=_int(request.POST.get("version")),
                    actor=user,
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存帮扶计划。"))
            return redirect("households:household-detail", household.pk)
    return render(
        request,
        "web/households/plan_edit.html",
        {"household": household, "plan": plan, "form": form, "shown": _shown(household, True)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tag_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """纳入或移出标签, with the reason kept in the tag's history."""
    household = _household(request, pk, work=True)
    user = request.user
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        remove = request.POST.get("action") == "remove"
        service = services.untag_household if remove else services.tag_household
        try:
            service(household, data["tag"], reason=data["reason"], actor=user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已更新标签。"))
            return redirect("households:household-detail", household.pk)
    return render(
        request,
        "web/households/tag_change.html",
        {"household": household, "form": form, "shown": _shown(household, True)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """结束帮扶计划 with the reason (风险消除, 迁出…); the household may then get a new plan."""
    household = _household(request, pk, work=True)
    plan = selectors.active_plan(household)
    if plan is None:
        messages.error(request, _("该户没有在执行的帮扶计划。"))
        return redirect("households:household-detail", household.pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_plan(plan, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("帮扶计划已结束。"))
            return redirect("households:household-detail", household.pk)
    return render(
        request,
        "web/households/plan_close.html",
        {"household": household, "plan": plan, "form": form, "shown": _shown(household, True)},
    )


def _member_data(form: MemberForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "relation": data["relation"],
        "id_number": data["id_number"],
        "birth_year": data["birth_year"],
        "phone": data["phone"],
        "note": data["note"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """登记家庭成员."""
    household = _household(request, pk, work=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_member(household, **_member_data(form), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已登记家庭成员。"))
            return redirect(
                reverse("households:household-detail", args=[household.pk]) + "#members"
            )
    return render(
        request,
        "web/households/member_edit.html",
        {"household": household, "form": form, "member": None, "shown": _shown(household, True)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: AuthenticatedHttpRequest, pk: int, member: int) -> HttpResponse:
    """修改或移除家庭成员 (``action=remove`` with the reason)."""
    household = _household(request, pk, work=True)
    row = get_object_or_404(HouseholdMember, household=household, pk=member)
    remove = request.method == "POST" and request.POST.get("action") == "remove"
    initial = {f: getattr(row, f) for f in MemberForm.base_fields}
    form = MemberForm(
        request.POST if request.method == "POST" and not remove else None, initial=initial
    )
    remove_form = ReasonForm(request.POST if remove else None)
    back = reverse("households:household-detail", args=[household.pk]) + "#members"
    if remove and remove_form.is_valid():
        try:
            services.remove_member(
                row, reason=remove_form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            _apply_errors(remove_form, exc)
        else:
            messages.success(request, _("已移除家庭成员。"))
            return redirect(back)
    elif request.method == "POST" and not remove and form.is_valid():
        try:
            services.change_member(row, **_member_data(form), actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存家庭成员。"))
            return redirect(back)
    return render(
        request,
        "web/households/member_edit.html",
        {
            "household": household,
            "form": form,
            "remove_form": remove_form,
            "member": row,
            "shown": _shown(household, True),
        },
    )


# --- 1+10+N --------------------------------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我联系的户: the party member's (or 帮扶责任人's) households with tags, last visit and the
    plan's review date."""
    rows = list(selectors.my_households(request.user))
    if not rows and not scope.is_household_user(request.user):
        raise PermissionDenied(_("该页面仅供联户党员和帮扶责任人使用。"))
    today = timezone.localdate()
    start, _end = selectors.month_window(today)
    for row in rows:
        row.visited_this_month = bool(row.last_visit and row.last_visit >= start)  # type: ignore[attr-defined]
        row.shown = _shown(row, True)  # type: ignore[attr-defined]
    return render(
        request,
        "web/households/mine.html",
        {
            "rows": rows,
            "today": today,
            "not_visited": sum(not r.visited_this_month for r in rows),  # type: ignore[attr-defined]
            "due": sum(bool(r.review_due and r.review_due < today) for r in rows),  # type: ignore[attr-defined]
        },
    )


@login_required
def visit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """走访台账: the visits to the households the user reads (?mine=1: their own), 50 a page."""
    _require_user(request)
    mine = request.GET.get("mine") == "1"
    page = Paginator(selectors.visit_log(request.user, mine=mine), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "web/households/visits.html", {"page": page, "mine": mine})


@login_required
def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """本月入户走访覆盖 by town and grid; each number opens its list (?region=&state=)."""
    _require_user(request)
    cov = selectors.coverage(request.user)
    region, state = _int(request.GET.get("region")), request.GET.get("state")
    listed = None
    if region and state in (selectors.VISITED, selectors.NOT_VISITED):
        line = next((ln for ln in cov.towns + cov.grids if ln.region.pk == region), None)
        if line is not None:
            listed = {"line": line, "state": state, "rows": getattr(line, state)}
    return render(request, "web/households/coverage.html", {"cov": cov, "listed": listed})
