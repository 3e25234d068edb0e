"""The dispatcher's workbench (研判交办): triage and assign, extensions, send-backs, supervision,
closing after the return visit.

Cases come through ``visible_cases(user)`` (404 outside it); each action shown is one of
``services.allowed_moves(case, user)``, which costs no query for a dispatcher once the case's
region and type are loaded. Every list costs a fixed number of queries whatever its length.
Every move is the catalogue's (``cases/moves.py``): the pages bind its form and call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import moves, services
from cases.forms import MoveForm
from cases.models import (
    HANDLING_STATUSES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseQuerySet,
    EscalationTarget,
    EventKind,
    SendBackReason,
    Status,
    TimeLimit,
    Via,
)
from cases.scope import can_see_requester, visible_cases
from households.selectors import overdue_reviews
from people.http import AuthenticatedHttpRequest
from people.models import DISPATCHERS, SUPERVISORS, User
from projects.selectors import overdue_milestones
from stats import metrics
from web.dispatch.duplicates import Hint, duplicate_hints
from web.dispatch.forms import (
    DeadlinePreviewForm,
    RowForm,
    TriageAssignPageForm,
    catalogue_text,
)
from web.moves import is_htmx, perform, role_required, run
from web.time_left import TimeLeft, WorkClock, deadline_text, limit_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    from cases.clocks import StageLight

    class RowExtras(TypedDict):
        """What a row of the workbench shows besides the case's own fields."""

        moves: list[str]  # set by _decorate
        sent_back_label: StrOrPromise  # set by _decorate
        hints: list[Hint]  # the inbox
        time_left: TimeLeft | None  # the lists with a deadline
        lights: list[StageLight]  # the staged clocks of the lists with a deadline
        form: RowForm  # the lists with a note per row

    CaseRow = WithAnnotations[Case, RowExtras]

K = EventKind
dispatcher_only = role_required(*DISPATCHERS)
# Leaders may supervise too (督办 is open to them in the engine's rules).
supervisors = role_required(*SUPERVISORS)
PAGE_SIZE = 50
TO_TRIAGE = (Status.REPORTED, Status.TRIAGED)


def _cases(user: User) -> CaseQuerySet:
    return visible_cases(user).select_related("case_type", "category", "region", "lead_unit")


def _last_event(kind: str) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=OuterRef("pk"), kind=kind).order_by("-created_at", "-id")


def _with_send_back(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The unit's reason from the last 退单 event, its reason code, and the unit that sent it."""
    last = _last_event(K.SENT_BACK)
    previous_lead = CaseAssignment.objects.filter(
        case=OuterRef("pk"), is_lead=True, is_active=False
    ).order_by("-assigned_at", "-id")
    return queryset.annotate(
        sent_back_reason=Subquery(last.values("reason")[:1]),
        sent_back_code=Subquery(last.annotate(code=KT("data__reason_code")).values("code")[:1]),
        sent_back_unit=Subquery(previous_lead.values("unit__name")[:1]),
    )


def _decorate(cases: Iterable[Case], user: User) -> list[CaseRow]:
    """What each row shows: the moves allowed now and the send-back reason label."""
    labels = dict(SendBackReason.choices)
    rows = cast("list[CaseRow]", list(cases))
    for case in rows:
        case.moves = services.allowed_moves(case, user)
        code = getattr(case, "sent_back_code", None)
        case.sent_back_label = labels.get(code, "") if code else ""
    return rows


def _page(request: AuthenticatedHttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _tab_counts(user: User, clock: WorkClock) -> dict[str, int]:
    """The figures on the workbench's tabs, in one aggregate query over the cases any tab can
    count (the open statuses and 已回访, through the status index): with a million cases
    the aggregate no longer reads every visible case. ``metrics.through_index``: a plain
    ``status IN`` of five states kept SQLite on a scan of the table (3 s)."""
    tabs = (*TO_TRIAGE, *HANDLING_STATUSES, Status.VERIFIED)
    return metrics.through_index(visible_cases(user), Q(status__in=tabs)).aggregate(
        inbox=Count("pk", filter=Q(status__in=TO_TRIAGE)),
        extensions=Count(
            "pk",
            filter=Q(status__in=HANDLING_STATUSES, pending_extension_until__isnull=False),
        ),
        sent_back=Count("pk", filter=Q(status=Status.TRIAGED, send_back_count__gt=0)),
        supervision=Count("pk", filter=_on_board_q(clock)),
        closing=Count("pk", filter=Q(status=Status.VERIFIED)),
    )


def _render(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict,
    clock: WorkClock,
    tab_counts: dict[str, int] | None = None,
    **kw,
) -> HttpResponse:
    user = request.user
    context.update(
        tab_counts=_tab_counts(user, clock) if tab_counts is None else tab_counts,
        clock=clock,
        # A leader reaches the supervision board only; the other tabs are the dispatcher's.
        all_tabs=user.is_admin or user.has_role(*DISPATCHERS),
    )
    return render(request, template, context, **kw)


# --- Inbox ------------------------------------------------------------------------------------


@dispatcher_only
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Cases to triage, oldest first, sent-back ones marked, with duplicate hints."""
    user, clock = request.user, WorkClock()
    page = _page(
        request,
        _with_send_back(_cases(user).filter(status__in=TO_TRIAGE)).order_by("reported_at", "pk"),
    )
    cases = _decorate(list(page.object_list), user)
    hints = duplicate_hints(visible_cases(user), cases, clock.now)
    for case in cases:
        case.hints = hints.get(case.pk, [])
    return _render(request, "web/dispatch/inbox.html", {"page": page, "cases": cases}, clock)


# --- Triage and assignment ------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlinePreview:
    text: str
    deadline: datetime | None
    manual: bool = False


def preview_deadline(
    case: Case, priority: str, override: datetime | None = None
) -> DeadlinePreview:
    """The deadline ``assign_case`` will set if the dispatcher submits now (the engine's
    ``planned_deadline``, so the preview and the move cannot disagree)."""
    if override is not None:
        text = _("办理期限：%(when)s（人工指定）") % {"when": deadline_text(override)}
        return DeadlinePreview(text, override, manual=True)
    try:
        deadline, _response = services.planned_deadline(case, priority)
    except ValidationError as error:
        return DeadlinePreview(" ".join(error.messages), None)
    limit = TimeLimit.objects.get(case_type_id=case.case_type_id, priority=priority)
    text = _("办理期限：%(when)s（%(limit)s）") % {
        "when": deadline_text(deadline),
        "limit": limit_text(limit.amount, limit.unit),
    }
    return DeadlinePreview(text, deadline)


def _triage_case(request: AuthenticatedHttpRequest, pk: int) -> Case:
    return get_object_or_404(_with_send_back(_cases(request.user)), pk=pk)


def _reject_form(case: Case, user: User, data: QueryDict | None = None) -> MoveForm:
    form = moves.CATALOGUE[K.REJECTED].bind(data, case=case, user=user)
    form.fields["reason"].widget.attrs["rows"] = 2
    return form


def _triage_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: TriageAssignPageForm | None = None,
    reject_form: MoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clock = WorkClock()
    form = form or TriageAssignPageForm(case=case, user=request.user)
    reject_form = reject_form or _reject_form(case, request.user)
    priority = form["priority"].value() or case.priority
    override = form.cleaned_data.get("deadline") if form.is_bound and form.is_valid() else None
    _decorate([case], request.user)
    hints = duplicate_hints(visible_cases(request.user), [case], clock.now).get(case.pk, [])
    chosen = str(form["category"].value() or "")
    entry = form.catalogue_entries.get(int(chosen)) if chosen.isdigit() else None
    context = {
        "case": case,
        "form": form,
        "catalogue_note": catalogue_text(entry) if entry is not None else "",
        "reject_form": reject_form,
        "preview": preview_deadline(case, priority, override),
        "hints": hints,
        "show_requester": can_see_requester(request.user, case),
    }
    return _render(request, "web/dispatch/triage.html", context, clock, status=status)


@dispatcher_only
@require_http_methods(["GET", "POST"])
def triage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """研判 + 交办 in one request, all or nothing: a failed assignment leaves the case untouched."""
    case = _triage_case(request, pk)
    if request.method == "GET":
        return _triage_page(request, case)
    form = TriageAssignPageForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        return _triage_page(request, case, form=form, status=400)
    moved, failure = run(
        request,
        form,
        lambda: services.triage_and_assign(
            case, actor=request.user, via=Via.WEB, **form.arguments()
        ),
        back=request.path,
    )
    if failure:
        return failure
    if moved is None:
        return _triage_page(request, case, form=form, status=400)
    assert moved.deadline is not None  # an assigned case has one
    messages.success(
        request,
        _("%(number)s 已交办至%(unit)s，办理期限 %(when)s。")
        % {"number": moved.number, "unit": moved.lead_unit, "when": deadline_text(moved.deadline)},
    )
    return redirect("dispatch:inbox")


@dispatcher_only
@require_GET
def deadline_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment under the priority: the deadline the assignment would get now."""
    case = get_object_or_404(_cases(request.user), pk=pk)
    form = DeadlinePreviewForm(request.GET)
    if not form.is_valid():
        priority, override = case.priority, None
    else:
        priority, override = form.cleaned_data["priority"], form.cleaned_data["deadline"]
        if override is not None and override <= timezone.now():
            override = None
    return render(
        request,
        "web/dispatch/triage.html#deadline-preview",
        {"preview": preview_deadline(case, priority, override)},
    )


@dispatcher_only
@require_POST
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """不予受理 from the triage screen, with the reason the requester is told."""
    case = _triage_case(request, pk)
    form = _reject_form(case, request.user, request.POST)
    if not form.is_valid():
        return _triage_page(request, case, reject_form=form, status=400)
    back = reverse("dispatch:triage", args=[pk])
    moved, failure = perform(request, moves.CATALOGUE[K.REJECTED], form, back=back)
    if failure:
        return failure
    if moved is None:
        return _triage_page(request, case, reject_form=form, status=400)
    messages.success(request, _("%(number)s 已不予受理。") % {"number": moved.number})
    return redirect("dispatch:inbox")


# --- Merge ------------------------------------------------------------------------------------


@dispatcher_only
@require_http_methods(["GET", "POST"])
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """合并 a duplicate into its master: GET shows both side by side, POST merges."""
    case = get_object_or_404(_cases(request.user), pk=pk)
    master_pk = request.POST.get("master") or request.GET.get("into") or ""
    if not master_pk.isdigit():
        return HttpResponseBadRequest(_("请选择要并入的主事项。"))
    master = get_object_or_404(_cases(request.user), pk=int(master_pk))
    spec = moves.CATALOGUE[K.MERGED]
    form = spec.bind(
        request.POST if request.method == "POST" else None,
        case=case,
        user=request.user,
        initial={"master": master.pk},
    )
    form.fields["master"].widget = forms.HiddenInput()
    if request.method == "POST" and form.is_valid():
        moved, failure = perform(request, spec, form, back=reverse("dispatch:inbox"))
        if failure:
            return failure
        if moved is not None:
            messages.success(
                request,
                _("%(number)s 已并入 %(master)s。")
                % {"number": moved.number, "master": master.number},
            )
            return redirect("dispatch:inbox")
    _decorate([case], request.user)
    return _render(
        request,
        "web/dispatch/merge.html",
        {"case": case, "master": master, "form": form},
        WorkClock(),
        status=400 if form.errors else 200,
    )


# --- Extensions -------------------------------------------------------------------------------


def _extension_rows(user: User) -> QuerySet[Case]:
    last = _last_event(K.EXTENSION_REQUESTED)
    return (
        _cases(user)
        .filter(status__in=HANDLING_STATUSES, pending_extension_until__isnull=False)
        .annotate(
            extension_reason=Subquery(last.values("reason")[:1]),
            extension_asked_at=Subquery(last.values("created_at")[:1]),
        )
        .order_by("deadline", "pk")
    )


def _row_list(
    request: AuthenticatedHttpRequest,
    template: str,
    queryset: QuerySet[Case],
    failed: tuple[int, RowForm] | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """A list of case rows, each with its note form (the failed row's form shows its errors)."""
    clock = WorkClock()
    status = 400 if failed else 200
    page = _page(request, queryset)
    cases = _decorate(list(page.object_list), request.user)
    for case in cases:
        case.time_left = clock.time_left(case.deadline)
        case.lights = clock.lights(case)
        case.form = RowForm(initial={"version": case.version}, prefix=f"c{case.pk}")
        if failed and failed[0] == case.pk:
            case.form, failed = failed[1], None
    if failed:  # the row is on another page: say it here
        for errors in failed[1].errors.values():
            messages.error(request, " ".join(map(str, errors)))
    context = {"page": page, "cases": cases, **(extra or {})}
    return _render(request, template, context, clock, status=status)


def _row_errors(row: RowForm, form: forms.Form) -> RowForm:
    """The move form's errors beside the row's one text."""
    for errors in form.errors.values():
        for error in errors:
            row.add_error("note", error)
    return row


def _row_move(
    request: AuthenticatedHttpRequest,
    pk: int,
    kind: str,
    *,
    list_view: str,
    rows: Callable[[User], QuerySet[Case]],
    template: str,
    done: str,
) -> HttpResponse:
    """One move from a row of a list: the row's text is the move's text field (note or reason);
    a missing reason shows beside that row's text."""
    back = reverse(list_view)
    case = get_object_or_404(_cases(request.user), pk=pk)
    row = RowForm(request.POST, prefix=f"c{pk}")
    if not row.is_valid():
        return _row_list(request, template, rows(request.user), failed=(pk, row))
    spec = moves.CATALOGUE[kind]
    assert spec.form is not None  # a row's moves are all offered on pages
    text = "reason" if "reason" in spec.form.base_fields else "note"
    form = spec.bind(
        {"version": row.cleaned_data["version"], text: row.cleaned_data["note"]},
        case=case,
        user=request.user,
    )
    if not form.is_valid():
        return _row_list(request, template, rows(request.user), failed=(pk, _row_errors(row, form)))
    moved, failure = perform(request, spec, form, back=back)
    if failure:
        return failure
    if moved is None:
        return _row_list(request, template, rows(request.user), failed=(pk, _row_errors(row, form)))
    messages.success(request, done % {"number": moved.number})
    return redirect(back)


@dispatcher_only
@require_GET
def extensions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _row_list(request, "web/dispatch/extensions.html", _extension_rows(request.user))


@dispatcher_only
@require_POST
def extension_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _row_move(
        request,
        pk,
        K.EXTENSION_APPROVED,
        list_view="dispatch:extensions",
        rows=_extension_rows,
        template="web/dispatch/extensions.html",
        done=_("%(number)s 已同意延期。"),
    )


@dispatcher_only
@require_POST
def extension_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _row_move(
        request,
        pk,
        K.EXTENSION_REFUSED,
        list_view="dispatch:extensions",
        rows=_extension_rows,
        template="web/dispatch/extensions.html",
        done=_("%(number)s 已不同意延期。"),
    )


# --- Send-backs -------------------------------------------------------------------------------


@dispatcher_only
@require_GET
def sent_back(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Triaged cases a unit sent back, with its reason, to dispatch again."""
    user, clock = request.user, WorkClock()
    queryset = _with_send_back(
        _cases(user).filter(status=Status.TRIAGED, send_back_count__gt=0)
    ).order_by("reported_at", "pk")
    page = _page(request, queryset)
    cases = _decorate(list(page.object_list), user)
    return _render(request, "web/dispatch/sent_back.html", {"page": page, "cases": cases}, clock)


# --- Supervision board ------------------------------------------------------------------------

SUPERVISION_FILTERS = {"all", "overdue", "soon"}


def _on_board_q(clock: WorkClock) -> Q:
    """On the supervision board: in handling and overdue or soon due, or sent up to the board
    (or above) by the escalation ladder — a late signature, say, long before the deadline."""
    return Q(status__in=HANDLING_STATUSES) & (
        Q(deadline__lt=clock.soon_bound)
        | Q(escalation_level__gte=EscalationTarget.rank(EscalationTarget.BOARD))
    )


def _supervision_rows(user: User, clock: WorkClock, show: str = "all") -> QuerySet[Case]:
    queryset = _cases(user).filter(_on_board_q(clock))
    if show == "overdue":
        queryset = queryset.overdue(clock.now)
    elif show == "soon":
        queryset = queryset.filter(deadline__gte=clock.now)
    return queryset.order_by("deadline", "pk")


def _supervision_row(case: Case, user: User, clock: WorkClock) -> CaseRow:
    [row] = _decorate([case], user)
    row.time_left = clock.time_left(case.deadline)
    row.lights = clock.lights(case)
    return row


@supervisors
@require_GET
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Overdue and soon-overdue cases in handling, most overdue first, with one-click 督办."""
    user, clock = request.user, WorkClock()
    show = request.GET.get("show", "all")
    show = show if show in SUPERVISION_FILTERS else "all"
    tab_counts = _tab_counts(user, clock)
    paginator = Paginator(_supervision_rows(user, clock, show), PAGE_SIZE)
    if show == "all":
        # The tab's figure counts these very rows: no second COUNT (the query goes to the
        # projects' overdue milestones below instead).
        paginator.count = tab_counts["supervision"]
    page = paginator.get_page(request.GET.get("page"))
    cases = [_supervision_row(case, user, clock) for case in page.object_list]
    # One page of them; the projects list (?overdue=1) has the rest.
    milestones = list(overdue_milestones(user, clock.now)[: PAGE_SIZE + 1])
    more_milestones = len(milestones) > PAGE_SIZE
    milestones = milestones[:PAGE_SIZE]
    for milestone in milestones:
        milestone.time_left = clock.time_left(milestone.deadline)  # type: ignore[attr-defined]
    # Households' plans past their review date (逾期帮扶复核): one page, one query.
    today = timezone.localdate()
    reviews = list(overdue_reviews(user, today)[: PAGE_SIZE + 1])
    more_reviews = len(reviews) > PAGE_SIZE
    reviews = reviews[:PAGE_SIZE]
    for plan in reviews:
        plan.days_overdue = (today - plan.next_review_on).days  # type: ignore[attr-defined]
    context = {
        "page": page,
        "cases": cases,
        "show": show,
        "soon_hours": settings.LIANXIN["SOON_OVERDUE_HOURS"],
        "milestones": milestones,
        "more_milestones": more_milestones,
        "reviews": reviews,
        "more_reviews": more_reviews,
    }
    return _render(request, "web/dispatch/supervision.html", context, clock, tab_counts=tab_counts)


@supervisors
@require_POST
def supervise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """督办 one case with a written instruction (督办意见); under htmx the row comes back
    updated in place (or with the reason it was not)."""
    user = request.user
    case = get_object_or_404(_cases(user), pk=pk)
    spec = moves.CATALOGUE[K.SUPERVISED]
    form = spec.bind(request.POST, case=case, user=user)
    back = reverse("dispatch:supervision")
    if not is_htmx(request):
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(map(str, errors)))
            return redirect(back)
        moved, failure = perform(request, spec, form, back=back)
        if failure:
            return failure
        if moved is None:
            for errors in form.errors.values():
                messages.error(request, " ".join(map(str, errors)))
            return redirect(back)
        messages.success(request, _("%(number)s 已督办。") % {"number": moved.number})
        return redirect(back)
    error = ""
    if form.is_valid():
        moved, failure = perform(request, spec, form, back=back)
        if failure is not None:
            # The row says why (stale, or no longer in handling); not the next page too.
            said = [str(m) for m in messages.get_messages(request)]
            error = " ".join(said) or _("该事项已变化或不能督办，请刷新后查看。")
    if form.errors:
        error = " ".join(" ".join(map(str, errors)) for errors in form.errors.values())
    clock = WorkClock()
    fresh = _supervision_row(_cases(user).get(pk=pk), user, clock)
    return render(
        request,
        "web/dispatch/supervision.html#row",
        {"case": fresh, "error": error, "done": not error},
    )


# --- Close after the return visit -------------------------------------------------------------


def _closing_rows(user: User) -> QuerySet[Case]:
    last = _last_event(K.VISITED)
    return (
        _cases(user)
        .filter(status=Status.VERIFIED)
        .annotate(visit_note=Subquery(last.values("reason")[:1]))
        .order_by("visited_at", "pk")
    )


@dispatcher_only
@require_GET
def closing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Verified cases with their return visit: close them, or send them back to be redone."""
    return _row_list(request, "web/dispatch/closing.html", _closing_rows(request.user))


@dispatcher_only
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _row_move(
        request,
        pk,
        K.CLOSED,
        list_view="dispatch:closing",
        rows=_closing_rows,
        template="web/dispatch/closing.html",
        done=_("%(number)s 已销号。"),
    )


@dispatcher_only
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _row_move(
        request,
        pk,
        K.REOPENED,
        list_view="dispatch:closing",
        rows=_closing_rows,
        template="web/dispatch/closing.html",
        done=_("%(number)s 已退回原主办单位重办。"),
    )
