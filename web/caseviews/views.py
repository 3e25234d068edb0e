"""The case page, the case list with its Excel export, and the one endpoint for every move."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cases import bulk, catalogue, moves, services
from cases.models import Case, CaseAssignment, overdue_q
from cases.scope import can_see_requester, names_the_requester, visible_cases
from enterprises.scope import may_read_file
from households.selectors import case_household
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.masking import mask_name
from people.models import User
from privacy.models import Door
from privacy.services import record_case_access
from stats import metrics, rollup
from web.caseviews.export import ledger_response
from web.caseviews.filters import DEFAULT_SORT, CaseFilter
from web.caseviews.timeline import ancestors_with_people, clock, ledger_details, timeline
from web.knowledge import aids as knowledge_aids
from web.moves import done_message, perform
from web.privacy.forms import flags_form
from web.time_left import WorkClock

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 30
# Filters always in view; the others fold under "more" unless one of them is set.
PRIMARY_FILTERS = ("q", "type", "status", "region")
MORE_FILTERS = (
    "category",
    "unit",
    "channel",
    "reported_from",
    "reported_to",
    "month",
    "overdue",
    "mine",
)
# (sort key, column header) of the sortable columns.
SORTABLE = {
    "number": gettext_lazy("编号"),
    "status": gettext_lazy("状态"),
    "reported_at": gettext_lazy("受理时间"),
    "deadline": gettext_lazy("办理期限"),
}


# The list counts its cases exactly up to COUNT_BOUND and says "10,000+" beyond (its rows,
# pages and filters stay exact): counting a county's million cases took 0.3 s on PostgreSQL
# and 2.5 s on SQLite for a figure nobody reads off a ledger that long. A list a figure opens
# (a dashboard or assessment figure: ``metric``; the home page's 已超期 and 我登记的) is
# counted exactly however long, so its count equals the figure.
COUNT_BOUND = 10_000
EXACT_COUNT_PARAMS = ("metric", "overdue", "mine")


class BoundedPaginator(Paginator):
    """A paginator that counts at most ``bound`` rows (+1, to know there are more); ``bounded``
    tells that there are more than ``count``. ``bound=None`` counts them all; ``known`` is a
    count already known (a figure's, from the rollup)."""

    def __init__(
        self,
        object_list: QuerySet[Case],
        per_page: int,
        *,
        bound: int | None,
        known: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.cases = object_list
        self.bound = bound
        self.known = known
        self.bounded = False

    @cached_property
    def count(self) -> int:
        if self.known is not None:
            return self.known
        if self.bound is None:
            return super().count
        found = self.cases.order_by()[: self.bound + 1].count()
        self.bounded = found > self.bound
        return min(found, self.bound)


def _count_bound(request: AuthenticatedHttpRequest) -> int | None:
    """How far the list counts: all of a figure's cases, else COUNT_BOUND, or as far as the
    page asked for and five more pages, in steps of COUNT_BOUND (page 400 counts 20,000)."""
    if any(request.GET.get(name) for name in EXACT_COUNT_PARAMS):
        return None
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), 1_000_000)
    except ValueError:
        number = 1  # the paginator shows page 1 too
    wanted = (number + 5) * PER_PAGE
    return -(-wanted // COUNT_BOUND) * COUNT_BOUND


# The parameters of a dashboard figure's link that the rollup can count (stats.rollup.Source);
# page and sort do not change which cases a list holds.
ROLLUP_COUNTABLE = frozenset({"metric", "part", "month", "type", "unit", "page", "sort"})


def _figure_count(request: AuthenticatedHttpRequest, filterset: CaseFilter) -> int | None:
    """How many cases a figure's list holds, read from the rollup as the figure itself is, when
    its filters are exactly a figure's: a metric and its part over a run of months, perhaps one
    case type and one lead unit. Counting a year of a million cases live took 0.3-0.5 s; the
    rollup is kept equal to the live count by the engine's events (stats.rollup). None when the
    list has any other filter, the user's view is not whole region subtrees, or the figure is
    the 吹哨报到 table's: those are counted live."""
    given = {name for name, value in request.GET.items() if value}
    if "metric" not in given or "month" not in given or not given <= ROLLUP_COUNTABLE:
        return None
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    metric, part = data["metric"], data.get("part") or metrics.NUM
    unit = data.get("unit")
    months = sorted(set(data["month"] or []))
    if metric in metrics.WHISTLE_METRICS or not months:
        return None
    if unit is not None and not isinstance(unit, Organisation):
        return None  # 未交办: not a unit the rollup groups by
    index = [month // 100 * 12 + month % 100 for month in months]
    if index != list(range(index[0], index[0] + len(index))):
        return None  # not one run of months
    source = rollup.Source.for_user(
        request.user, case_type=data.get("type"), months=(months[0], months[-1])
    )
    if source is None:
        return None
    if unit is None:
        return source.totals().count(metric, part)
    rows = [row for row in source.rates(["lead_unit"]) if row.group["lead_unit"] == unit.pk]
    return rows[0].count(metric, part) if rows else 0


def _filtered(request: AuthenticatedHttpRequest) -> CaseFilter:
    cases = visible_cases(request.user).select_related(
        "case_type", "category", "region", "lead_unit"
    )
    return CaseFilter(request.GET, queryset=cases, user=request.user)


def _sort_links(current: str) -> dict[str, dict[str, StrOrPromise]]:
    """Each sortable column's next sort value (click again to reverse) and its arrow."""
    links: dict[str, dict[str, StrOrPromise]] = {}
    for key, label in SORTABLE.items():
        if current == key:
            links[key] = {"label": label, "next": f"-{key}", "arrow": "▲"}
        elif current == f"-{key}":
            links[key] = {"label": label, "next": key, "arrow": "▼"}
        else:
            first = key if key in ("number", "deadline", "status") else f"-{key}"
            links[key] = {"label": label, "next": first, "arrow": ""}
    return links


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cases the user may see, filtered by the query string (all parameters optional):

    - ``q``: text in the number, title or description;
    - ``type``: a case type code (``dispute``); ``category``: a category id;
    - ``status``: a state, or a comma list of states (codes such as ``assigned,in_progress``, the
      canonical labels such as ``已销号``, or ``open`` for every open state);
    - ``unit``: an organisation id, the lead unit (主办单位);
    - ``enterprise``: an enterprise's organisation id (the enterprise file links here);
    - ``region``: a region code (区划代码): the region and everything under it;
    - ``channel``: a channel code (``grid``, ``hotline`` …);
    - ``reported_from`` / ``reported_to``: local dates (YYYY-MM-DD), both ends included;
    - ``month``: a reported month YYYYMM, or a comma list (``202405,202406``);
    - ``overdue=1``: in handling and past the deadline now; ``mine=1``: reported by me;
    - ``sort``: ``-reported_at`` (default), ``reported_at``, ``deadline``, ``-deadline``,
      ``status``, ``-status``, ``number``, ``-number``; ``page``: the page (30 per page).

    The same parameters on ``caseviews:case-export`` give the list as an Excel ledger.
    """
    filterset = _filtered(request)
    now = timezone.now()
    cases = filterset.qs.annotate(
        overdue_now=ExpressionWrapper(overdue_q(now), output_field=BooleanField())
    ).defer("description", "answer", "details")
    paginator = BoundedPaginator(
        cases, PER_PAGE, bound=_count_bound(request), known=_figure_count(request, filterset)
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    work_clock = WorkClock(now)
    for case in page.object_list:
        case.lights = work_clock.lights(case)
    sort = request.GET.get("sort") or DEFAULT_SORT
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "count_bounded": paginator.bounded,
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "sort_links": _sort_links(sort),
        "primary_fields": PRIMARY_FILTERS,
        "more_open": any(request.GET.get(name) for name in MORE_FILTERS),
        "query": request.GET.urlencode(),
        "bulk_moves": bulk.bulk_choices(request.user),
        "bulk_max": bulk.MAX_BULK,
    }
    template = "web/caseviews/case_list.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        template += "#results"
    return render(request, template, context)


@login_required
@require_GET
def case_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered list as .xlsx; only cases the user may see, in the list's order."""
    filterset = _filtered(request)
    if not filterset.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(f"{reverse('caseviews:case-list')}?{request.GET.urlencode()}")
    return ledger_response(filterset.qs)


def _case_for(user: User, pk: int) -> Case:
    """The case if the user may see it (404 otherwise: an outsider never learns it exists)."""
    cases = visible_cases(user).select_related(
        "case_type",
        "category",
        "region",
        "enterprise__region",
        "meeting",
        "committee",
        "lead_unit",
        "merged_into",
        "split_from",
        "reported_by__person",
        "policy",
        "station",
    )
    return get_object_or_404(cases, pk=pk)


def _actions(case: Case, user: User) -> list[dict[str, Any]]:
    """The moves the user may make now, each with its form (irreversible ones link to a page)."""
    allowed = services.allowed_moves(case, user)
    # A saved reply marked 自动填入 for a move starts its text (knowledge base, one query).
    initials = knowledge_aids.inline_initials(user, case, [moves.CATALOGUE[k] for k in allowed])
    actions = []
    for kind in allowed:
        spec = moves.CATALOGUE[kind]
        form = (
            None
            if spec.irreversible
            else spec.bind(
                case=case, user=user, auto_id=f"id_{kind}_%s", initial=initials.get(kind, {})
            )
        )
        aids = knowledge_aids.offered(user, spec)
        actions.append({"kind": kind, "move": spec, "form": form, "aids": aids})
    return actions


def _split_links(user: User, case: Case) -> dict[str, Any]:
    """The case it was split from and the cases split from it (拆分), as far as ``user`` may see
    them: a unit handling one part does not learn the others."""
    visible = visible_cases(user)
    parent = case.split_from
    if parent is not None and not visible.filter(pk=parent.pk).exists():
        parent = None
    parts = visible_cases(user, case.split_cases.all()).only("number", "title").order_by("pk")
    return {"split_from": parent, "split_cases": list(parts)}


def _reporter_name(case: Case, show_requester: bool) -> str:
    """Who registered the case; masked when it is the requester and the viewer may not see
    them (a resident who filed on the phone pages)."""
    reporter = case.reported_by
    if reporter is None:
        return ""
    if not show_requester and names_the_requester(reporter, case):
        return mask_name(reporter.display_name)
    return reporter.display_name


def _duplicates(user: User, case: Case, show_requester: bool) -> list[Case]:
    """The cases merged into this one, each marked ``shown`` when its own requester may be
    shown unmasked (a duplicate may be 对承办单位保密 when its master is not)."""
    duplicates = list(
        case.duplicates.select_related("region").only(
            "number",
            "title",
            "requester_name",
            "requester_phone",
            "anonymous_to_unit",
            "reported_by_id",
            "lead_unit_id",
            "committee_id",
            "region__path",
        )
    )
    for duplicate in duplicates:
        duplicate.shown = show_requester and (  # type: ignore[attr-defined]
            not duplicate.anonymous_to_unit or can_see_requester(user, duplicate)
        )
    return duplicates


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about one case, its timeline, and only the moves this viewer may make now."""
    if request.user.is_requester_only:
        # The staff page shows internal notes (督办, extension and send-back reasons) and staff
        # names; a requester reads the same case in plain words on 我的诉求.
        return redirect("mine:detail", pk=pk)
    case = _case_for(request.user, pk)
    assignments = list(
        CaseAssignment.objects.filter(case=case, is_active=True)
        .select_related("unit", "catalogue")
        .order_by("-is_lead", "id")
    )
    attachments = list(case.attachments.order_by("uploaded_at", "id"))
    show_requester = can_see_requester(request.user, case)
    if show_requester:
        record_case_access(request.user, case, door=Door.WEB, purpose=_("查看事项详情"))
    context = {
        "case": case,
        "show_requester": show_requester,
        # 对承办单位保密: the unit is told why it sees no one, and whom to ask.
        "anonymous_notice": case.anonymous_to_unit and not show_requester,
        "reporter_name": _reporter_name(case, show_requester),
        "privacy_form": flags_form(request.user, case),
        "details": ledger_details(case, show_requester),
        "enterprise_file": case.enterprise is not None
        and may_read_file(request.user, case.enterprise),
        "household": case_household(request.user, case),
        "places": ancestors_with_people(case),
        "clock": clock(case),
        "lead": next((a for a in assignments if a.is_lead), None),
        "co_units": [a for a in assignments if not a.is_lead],
        # Each assignment names the dispatch catalogue version it followed (派单目录 vN).
        "catalogue_link": catalogue.may_read(request.user),
        "timeline": timeline(case, hide_requester=not show_requester),
        "attachments": attachments,
        "duplicates": _duplicates(request.user, case, show_requester),
        **_split_links(request.user, case),
        "actions": _actions(case, request.user),
    }
    return render(request, "web/caseviews/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_move(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """One endpoint for every move of the catalogue: GET shows its form (the confirmation page
    of irreversible moves), POST binds it and makes the move."""
    spec = moves.get(kind)
    if spec is None or not spec.offered:
        raise Http404
    back = reverse("caseviews:case-detail", args=[pk])
    if request.method == "POST":
        # One read: the scope check and the lock (the move's service checks this copy).
        with services.locked_for_move(request.user, pk) as case:
            if case is None:
                raise Http404
            form = spec.bind(request.POST, case=case, user=request.user)
            moved, response = (
                perform(request, spec, form, back=back) if form.is_valid() else (None, None)
            )
        if moved is not None:
            done_message(request, spec)
            return redirect(back)
        if response is not None:
            return response
        aids = knowledge_aids.move_aids(request.user, case, spec)
    else:
        case = _case_for(request.user, pk)
        if kind not in services.allowed_moves(case, request.user):
            messages.error(request, _("您现在不能对该事项执行“%(move)s”。") % {"move": spec.label})
            return redirect(back)
        aids = knowledge_aids.move_aids(request.user, case, spec)
        form = spec.bind(case=case, user=request.user, initial=aids.initial if aids else {})
    # Saved replies and the knowledge panel beside the text box (web/knowledge).
    context = {"case": case, "move": spec, "kind": kind, "form": form, "aids": aids}
    return render(request, "web/caseviews/case_move.html", context)
