"""共富工坊 and jobs for special groups: the workshops list, a workshop's page with its figures
and households helped, the organisation department's quarterly totals (each number opening its
list) with the workbook, the postings with their matched households and placements, the totals.

Scope: ``workshops.scope``; a workshop or posting outside it does not exist for the user (404).
Households are masked (``people.masking``) for readers who may not contact them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.masking import mask_name, mask_phone
from people.models import Household, HouseholdTag, User
from regions.models import Region, RegionLevel
from web.workshops.forms import (
    FiguresForm,
    HelpedForm,
    PlacementForm,
    PostingForm,
    add_service_errors,
)
from workshops import scope, selectors, services
from workshops.export import report_xlsx as build_xlsx
from workshops.models import (
    EMPLOYER_KINDS,
    JobPosting,
    PostingStatus,
    WorkshopProfile,
    WorkshopType,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _opened(user: User) -> None:
    if not scope.may_open(user):
        raise PermissionDenied(_("您无权查看共富工坊与就业信息。"))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _period(request: AuthenticatedHttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    quarter = _int(request.GET.get("quarter")) or (today.month - 1) // 3 + 1
    if not 2000 <= year <= 2100 or quarter not in (1, 2, 3, 4):
        raise Http404(_("没有该季度。"))
    return year, quarter


def _workshop(user: User, pk: int) -> WorkshopProfile:
    _opened(user)
    return get_object_or_404(selectors.workshops(user), pk=pk)


def _posting(user: User, pk: int) -> JobPosting:
    _opened(user)
    return get_object_or_404(selectors.postings(user), pk=pk)


def _shown(user: User, household: Household, person_name: str = "") -> dict[str, Any]:
    """A household (and the member placed) as the reader may see it: unmasked only for those
    who may contact it."""
    if scope.may_contact(user, household):
        return {
            "h": household,
            "name": household.head_name,
            "phone": household.phone,
            "person": person_name,
            "masked": False,
        }
    return {
        "h": household,
        "name": mask_name(household.head_name),
        "phone": mask_phone(household.phone),
        "person": mask_name(person_name),
        "masked": True,
    }


def _members_shown(user: User, members: list[Any]) -> list[dict[str, Any]]:
    """Matched members as the reader may see them (unmasked only for those who may contact
    their household), with their age and their household's tags (one query for the tags)."""
    links = Household.tags.through.objects.filter(
        household_id__in={m.household_id for m in members}
    ).select_related("householdtag")
    tags: dict[int, list[str]] = {}
    for link in links.order_by("householdtag_id"):
        tags.setdefault(link.household_id, []).append(link.householdtag.name)
    this_year = timezone.localdate().year
    shown = []
    for m in members:
        year = services.birth_year_of(m)
        row = _shown(user, m.household, m.name)
        row.update(
            m=m,
            member_phone=m.phone if not row["masked"] else mask_phone(m.phone),
            age=this_year - year if year else None,
            tags=tags.get(m.household_id, []),
        )
        shown.append(row)
    return shown


def _towns() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.TOWN).order_by("path")


@login_required
def workshop_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    year, quarter = _period(request)
    type_ = request.GET.get("type", "")
    town = _int(request.GET.get("town"))
    rows = selectors.with_figures(
        selectors.workshops(user, type=type_ if type_ in WorkshopType.values else "", town=town),
        year,
        quarter,
    )
    return render(
        request,
        "web/workshops/list.html",
        {
            "rows": rows,
            "types": WorkshopType.choices,
            "towns": _towns(),
            "type": type_,
            "town": town,
            "year": year,
            "quarter": quarter,
        },
    )


def _detail(
    request: AuthenticatedHttpRequest,
    workshop: WorkshopProfile,
    figures_form: FiguresForm | None = None,
    helped_form: HelpedForm | None = None,
) -> HttpResponse:
    user = request.user
    helped = workshop.helped.select_related("household__region").order_by("since", "pk")
    town = workshop.town
    may_write = scope.may_write(user)
    today = timezone.localdate()
    return render(
        request,
        "web/workshops/detail.html",
        {
            "w": workshop,
            "years": workshop.years.all(),
            "helped": [dict(_shown(user, r.household), since=r.since, note=r.note) for r in helped],
            "postings": selectors.postings(user).filter(employer=workshop.organisation),
            "may_write": may_write,
            "figures_form": figures_form
            or FiguresForm(initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1}),
            "helped_form": helped_form or HelpedForm(households=_town_households(town)),
            "leader": _person(user, workshop.leader),
            "contact": _person(user, workshop.township_contact),
        },
    )


def _person(user: User, person: Any) -> str:
    # Cadres' names are public in the county; their phones are for those who contact people.
    if person is None:
        return ""
    return person.name


def _town_households(town: Region) -> QuerySet[Household]:
    return (
        Household.objects.filter(region__path__gte=town.path, region__path__lt=town.path_range_end)
        .select_related("region")
        .order_by("region__path", "pk")
    )


@login_required
def workshop_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _workshop(request.user, pk))


def _writer(user: User) -> None:
    if not scope.may_write(user):
        raise PermissionDenied(_("您无权修改共富工坊与就业信息。"))


@login_required
def figures(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request.user, pk)
    if request.method != "POST":
        return redirect("workshops:detail", pk=pk)
    _writer(request.user)
    form = FiguresForm(request.POST)
    if form.is_valid():
        try:
            services.record_figures(workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("季度数据已保存。"))
            return redirect("workshops:detail", pk=pk)
    return _detail(request, workshop, figures_form=form)


@login_required
def helped(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request.user, pk)
    if request.method != "POST":
        return redirect("workshops:detail", pk=pk)
    _writer(request.user)
    form = HelpedForm(request.POST, households=_town_households(workshop.town))
    if form.is_valid():
        try:
            services.add_household(workshop, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("带动农户已登记。"))
            return redirect("workshops:detail", pk=pk)
    return _detail(request, workshop, helped_form=form)


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    year, quarter = _period(request)
    rows, grand = selectors.quarterly_report(user, year, quarter)
    return render(
        request,
        "web/workshops/report.html",
        {"rows": rows, "grand": grand, "year": year, "quarter": quarter},
    )


@login_required
def report_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    year, quarter = _period(request)
    rows, grand = selectors.quarterly_report(user, year, quarter)
    response = HttpResponse(build_xlsx(rows, grand, year, quarter), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="workshops-{year}Q{quarter}.xlsx"'
    return response


@login_required
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    tag, town = _int(request.GET.get("tag")), _int(request.GET.get("town"))
    return render(
        request,
        "web/workshops/jobs.html",
        {
            "rows": selectors.postings(
                user, tag=tag, town=town, status=request.GET.get("status", "")
            ),
            "tags": HouseholdTag.objects.order_by("pk"),
            "tag": tag,
            "may_write": scope.may_write(user),
        },
    )


@login_required
def placement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    tag, town = _int(request.GET.get("tag")), _int(request.GET.get("town"))
    rows = selectors.placements(user, tag=tag, town=town)
    return render(
        request,
        "web/workshops/placements.html",
        {"rows": [dict(_shown(user, p.household, p.person_name), p=p) for p in rows]},
    )


@login_required
def job_totals(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    by_tag, by_area = selectors.job_totals(user)
    return render(request, "web/workshops/job_totals.html", {"by_tag": by_tag, "by_area": by_area})


@login_required
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    posting = _posting(user, pk)
    matched = services.unplaced_members(posting).select_related("household__region")
    form = PlacementForm(members=matched)
    if request.method == "POST":
        _writer(user)
        form = PlacementForm(request.POST, members=matched)
        if form.is_valid():
            try:
                services.place(posting, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("上岗信息已登记。"))
                return redirect("workshops:job-detail", pk=pk)
    placements = posting.placements.select_related("household__region").order_by(
        "-placed_on", "-pk"
    )
    return render(
        request,
        "web/workshops/job_detail.html",
        {
            "p": posting,
            "matched": _members_shown(user, list(matched)),
            "placements": [dict(_shown(user, x.household, x.person_name), x=x) for x in placements],
            "form": form,
            "may_write": scope.may_write(user) and posting.status == PostingStatus.OPEN,
        },
    )


def _posting_choices(user: User) -> tuple[QuerySet[Organisation], QuerySet[Region]]:
    """Employers and areas a user may post for: everything for the county's overseers, else
    the firms and workshops of their regions (and their own workshops) and those regions' towns."""
    employers = Organisation.objects.filter(kind__in=EMPLOYER_KINDS, is_active=True)
    areas = Region.objects.filter(level__lte=RegionLevel.TOWN)
    if scope.workshops_q(user) is not None:
        regions = scope.regions_of(user)
        employers = employers.filter(
            scope.in_regions(regions, "region")
            | Q(pk__in=selectors.workshops(user).values("organisation_id"))
        )
        towns = {services.town_of(r).pk for r in regions if r.level >= RegionLevel.TOWN}
        towns |= set(selectors.workshops(user).values_list("town_id", flat=True))
        areas = areas.filter(pk__in=towns)
    return employers.order_by("kind", "name"), areas.order_by("path")


@login_required
def job_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _opened(user)
    _writer(user)
    employers, areas = _posting_choices(user)
    form = PostingForm(request.POST or None, employers=employers, regions=areas)
    if request.method == "POST" and form.is_valid():
        try:
            posting = services.post_job(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("岗位已发布。"))
            return redirect("workshops:job-detail", pk=posting.pk)
    return render(request, "web/workshops/job_new.html", {"form": form})


@login_required
def job_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    posting = _posting(user, pk)
    if request.method == "POST":
        _writer(user)
        try:
            services.close_posting(posting, actor=user)
        except ValidationError:
            messages.info(request, _("该岗位已结束招聘。"))
        else:
            messages.success(request, _("已结束招聘。"))
    return redirect("workshops:job-detail", pk=pk)
