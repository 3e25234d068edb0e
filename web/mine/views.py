"""The requesters' phone pages (我的诉求): residents and enterprise liaisons report a demand with
photos and a place, follow it in plain words, add information when asked and rate the answer.

Every case comes through ``visible_cases`` narrowed to the user's own (``my_cases``): someone
else's case is a 404. Every change is one engine service (``report_case``) or one catalogue move
(``info_added``, ``rated``) made through ``web.moves.perform``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases import moves, services
from cases.forms import MAX_TEXT
from cases.models import Case, CaseQuerySet, CaseType, Category, Channel, EventKind, Status, Via
from cases.scope import visible_cases
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.models import REQUESTERS, Role, User
from regions.models import Region, RegionLevel
from regions.search import clean_query, search_regions
from web.grid.forms import new_token
from web.mine.forms import InfoAddForm, RateForm, ReportForm
from web.mine.timeline import open_question, requester_steps
from web.moves import perform, role_required, show_engine_error

K = EventKind
PAGE_SIZE = 20
PLACE_RESULTS = 10

# The state in the requester's words: they need to know where it stands, not the workflow.
PLAIN_STATUS = {
    Status.REPORTED: gettext_lazy("已受理"),
    Status.TRIAGED: gettext_lazy("已受理"),
    Status.ASSIGNED: gettext_lazy("办理中"),
    Status.IN_PROGRESS: gettext_lazy("办理中"),
    Status.ANSWERED: gettext_lazy("已答复"),
    Status.VERIFIED: gettext_lazy("已回访"),
    Status.CLOSED: gettext_lazy("已办结"),
    Status.REJECTED: gettext_lazy("不予受理"),
    Status.MERGED: gettext_lazy("合并办理"),
}
# States in which an answer exists to show.
ANSWERED = (Status.ANSWERED, Status.VERIFIED, Status.CLOSED)


def liaison_of(user: User) -> list[int]:
    return [
        a.organisation_id
        for a in user.role_assignments
        if a.role == Role.ENTERPRISE_LIAISON and a.organisation_id
    ]


def my_cases(user: User) -> CaseQuerySet:
    """The cases the user raised: filed themselves, named as the requester, or (a liaison)
    their enterprise's; always inside what they may see."""
    mine = Q(reported_by=user)
    if user.person_id:
        mine |= Q(requester_id=user.person_id)
    enterprises = liaison_of(user)
    if enterprises:
        mine |= Q(enterprise_id__in=enterprises)
    return visible_cases(user).filter(mine)


def _case(user: User, pk: int) -> Case:
    case = (
        my_cases(user)
        .select_related("case_type", "category", "region", "enterprise", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到该诉求。"))
    return case


def _waiting_for_me(user: User, case: Case) -> dict[str, bool]:
    """What the case waits for from this requester, as the engine allows it (no query: the
    requester's moves are judged on the case row and the user's cached roles)."""
    allowed = services.allowed_moves(case, user)
    return {"asked": K.INFO_ADDED in allowed, "to_rate": K.RATED in allowed}


@role_required(*REQUESTERS)
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的诉求: newest first, each with its state in plain words and what waits for them."""
    user = request.user
    cases = my_cases(user).select_related("case_type", "region").order_by("-reported_at")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "status": PLAIN_STATUS.get(Status(case.status), case.status_label),
            **_waiting_for_me(user, case),
        }
        for case in page
    ]
    return render(request, "web/mine/list.html", {"page": page, "rows": rows})


def _report_form(
    request: AuthenticatedHttpRequest, data: Any = None, files: Any = None
) -> tuple[ReportForm, dict[str, list[list[str]]]]:
    """The form with this user's choices: who files (themselves, their enterprise), the case
    type's categories and every village of the county (grouped by town); and the villages of
    each town, for the page script that narrows the village list to the chosen town."""
    user = request.user
    enterprises = list(Organisation.objects.filter(pk__in=liaison_of(user)).order_by("name"))
    personal = not enterprises or user.has_role(Role.RESIDENT)
    codes = ["resident_issue"] * personal + ["enterprise_demand"] * bool(enterprises)
    case_types = {t.code: t for t in CaseType.objects.filter(code__in=codes)}
    if len(case_types) != len(codes):
        raise Http404(_("系统尚未设置诉求类型，请联系管理员。"))
    categories = list(
        Category.objects.filter(is_active=True, case_type__in=case_types.values()).order_by(
            "case_type__ordering", "code"
        )
    )
    towns = list(Region.objects.filter(level=RegionLevel.TOWN).order_by("path"))
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).order_by("path")
    by_town: dict[int | None, list[Region]] = {}
    for village in villages:
        by_town.setdefault(village.parent_id, []).append(village)
    places: list[tuple[str, list[Region]]] = []
    own = [e.region for e in enterprises if e.region is not None]
    own = [r for r in own if r.level != RegionLevel.VILLAGE]
    if own:
        places.append((_("企业所在地"), own))
    places += [(town.name, by_town[town.pk]) for town in towns if town.pk in by_town]
    initial: dict[str, Any] = {"form_token": new_token()}
    if data is None and request.GET.get("description"):
        # The words typed on the self-service step (knowledge:ask), kept for the form.
        initial["description"] = request.GET["description"][:MAX_TEXT]
    if enterprises and enterprises[0].region_id:
        initial["region"] = str(enterprises[0].region_id)
    elif user.person is not None and user.person.region_id:
        initial["region"] = str(user.person.region_id)
    form = ReportForm(
        data,
        files,
        case_types=case_types,
        enterprises=enterprises,
        personal=personal,
        categories=categories,
        towns=towns,
        places=places,
        initial=initial,
    )
    villages_of = {
        str(pk): [[str(v.pk), v.name] for v in members] for pk, members in by_town.items()
    }
    return form, villages_of


@role_required(*REQUESTERS)
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我要反映: one form; a one-time token makes a double tap return the same case."""
    user = request.user
    if request.method == "POST":
        form, villages = _report_form(request, request.POST, request.FILES)
        if form.is_valid():
            person = user.person
            try:
                case = services.report_case(
                    actor=user,
                    channel=Channel.WEB,
                    via=Via.WEB,
                    requester=person,
                    requester_name="" if person else user.display_name,
                    **form.report_arguments(),
                )
            except services.NotPermitted as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                show_engine_error(form, error)
            else:
                messages.success(
                    request,
                    _("您的诉求已提交，编号 %(number)s。我们会尽快办理，请留意进展。")
                    % {"number": case.number},
                )
                return redirect("mine:detail", pk=case.pk)
    else:
        form, villages = _report_form(request)
    return render(request, "web/mine/report.html", {"form": form, "villages": villages})


@role_required(*REQUESTERS)
@require_GET
def places(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The villages of the county matching ``q`` (Chinese, pinyin initials or pinyin), for the
    place search of 我要反映: ``{"results": [{"id", "name", "path"}]}``."""
    json = {"ensure_ascii": False}
    try:
        query = clean_query(request.GET.get("q", ""))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400, json_dumps_params=json)
    matches = search_regions(query, None, limit=4 * PLACE_RESULTS)
    villages = [m for m in matches if m.region.level == RegionLevel.VILLAGE][:PLACE_RESULTS]
    results = [{"id": m.region.pk, "name": m.region.name, "path": m.path_label} for m in villages]
    return JsonResponse({"results": results}, json_dumps_params=json)


def _detail(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    info_form: InfoAddForm | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    allowed = services.allowed_moves(case, user)
    if info_form is None and K.INFO_ADDED in allowed:
        info_form = InfoAddForm(case=case, user=user)
    if rate_form is None and K.RATED in allowed:
        rate_form = RateForm(case=case, user=user)
    photos = [
        a
        for a in case.attachments.filter(uploaded_by=user).order_by("uploaded_at", "id")
        if a.is_image
    ]
    context = {
        "case": case,
        "status": PLAIN_STATUS.get(Status(case.status), case.status_label),
        "steps": requester_steps(case, user),
        "question": open_question(case) if info_form is not None else "",
        "info_form": info_form,
        "rate_form": rate_form,
        "photos": photos,
        "show_answer": case.status in ANSWERED and bool(case.answer),
    }
    return render(request, "web/mine/detail.html", context, status=status)


@role_required(*REQUESTERS)
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One of my demands: where it stands, the story so far, and what I may do now."""
    return _detail(request, _case(request.user, pk))


def _move(
    request: AuthenticatedHttpRequest, case: Case, kind: str, form: Any, done: str
) -> HttpResponse | None:
    """Make the catalogue move ``kind`` with the bound ``form``: a redirect to the case when it is
    made or refused (the message says why), None when the input is wrong (errors on ``form``)."""
    spec = moves.CATALOGUE[kind]
    back = reverse("mine:detail", args=[case.pk])
    if not form.is_valid():
        return None
    moved, failure = perform(request, spec, form, back=back)
    if failure is not None:
        return redirect(back)  # stale or refused: the message is set; show the fresh case
    if moved is None:
        return None
    messages.success(request, done)
    return redirect(back)


@role_required(*REQUESTERS)
@require_POST
def add_info(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """补充信息: the answer to the question the unit asked, with photos if they help."""
    case = _case(request.user, pk)
    form = InfoAddForm(request.POST, request.FILES, case=case, user=request.user)
    done = _("已补充信息，办理单位将继续办理。")
    response = _move(request, case, K.INFO_ADDED, form, done)
    return response or _detail(request, case, info_form=form)


@role_required(*REQUESTERS)
@require_POST
def rate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """评价: the requester's own rating of the answer; it is the return visit."""
    case = _case(request.user, pk)
    form = RateForm(request.POST, case=case, user=request.user)
    response = _move(request, case, K.RATED, form, _("感谢您的评价！"))
    return response or _detail(request, case, rate_form=form)
