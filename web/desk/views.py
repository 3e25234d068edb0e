"""The hotline / walk-in desk (登记诉求): one screen registers a call or a visit and, in the same
step, answers it on the spot (直接答复), triages and assigns it (研判交办), or leaves it for the
dispatcher's inbox (仅登记).

Report and the second move are one transaction: when the engine refuses the second, nothing is
stored and the form shows why. The form's one-time token is the case's ``source_key``, so a
double submit returns the case the first one made. The caller panel and the place search stay
inside the user's scope (``visible_cases``, ``intake_roots``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import Count, Q, Value, When
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import catalogue, services
from cases.models import OPEN_STATUSES, Case, CaseType, Category, Status, Via
from cases.scope import can_see_requester, visible_cases
from people.http import AuthenticatedHttpRequest
from people.masking import mask_name
from people.models import INTAKE, User
from privacy.services import set_case_flags
from regions.search import clean_query, search_regions
from web.desk.forms import DeskForm, Outcome, PreviewForm, intake_roots, places
from web.dispatch.views import DeadlinePreview, preview_deadline
from web.grid.forms import IntakeChoices, new_token
from web.grid.intake_facts import (
    IntakeExtras,
    chosen_household,
    household_label,
    report_with_facts,
    search_households,
    selected_id,
    type_sections,
)
from web.moves import role_required, run
from web.time_left import deadline_text

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Shown(TypedDict):
        is_open: bool
        shown_name: str  # masked unless the user may contact the requester

    EarlierCase = WithAnnotations[Case, _Shown]

desk_only = role_required(*INTAKE)

# 重复来电: the caller has a case still open, or reported one within this many days.
REPEAT_CALL_DAYS = 30
HISTORY_SHOWN = 8
# Fewer digits than this are not a phone number yet: the panel waits.
MIN_PHONE_DIGITS = 5
MAX_PHONE_LENGTH = 20
_PHONE = re.compile(r"^[0-9+\-() ]*$")


@dataclass
class CallerHistory:
    phone: str
    cases: list[EarlierCase]  # open ones first, then the latest
    total: int
    open_count: int
    recent_count: int  # reported within REPEAT_CALL_DAYS

    @property
    def is_repeat(self) -> bool:
        return self.open_count > 0 or self.recent_count >= 1


def caller_history(user: User, phone: str, now: datetime) -> CallerHistory | None:
    """The earlier cases of this phone number among the cases ``user`` sees (None: no number
    yet). Three queries whatever the history's length."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    numbers = sorted({phone, digits})
    cases = visible_cases(user).filter(
        Q(requester_phone__in=numbers) | Q(requester__phone__in=numbers)
    )
    is_open = Q(status__in=OPEN_STATUSES)
    counts = cases.aggregate(
        total=Count("pk"),
        open_count=Count("pk", filter=is_open),
        recent_count=Count("pk", filter=Q(reported_at__gte=now - timedelta(days=REPEAT_CALL_DAYS))),
    )
    shown = cast(
        "list[EarlierCase]",
        list(
            cases.select_related("case_type", "region", "lead_unit")
            .annotate(closed=Choose(When(is_open, then=Value(0)), default=Value(1)))
            .order_by("closed", "-reported_at", "-pk")[:HISTORY_SHOWN]
        ),
    )
    for case in shown:
        case.is_open = case.status in OPEN_STATUSES
        name = case.requester_name
        case.shown_name = name if can_see_requester(user, case) else mask_name(name)
    return CallerHistory(phone=phone, cases=shown, **counts)


def _phone_param(request: AuthenticatedHttpRequest) -> str:
    phone = request.GET.get("phone", request.GET.get("requester_phone", ""))
    if "\x00" in phone or len(phone) > MAX_PHONE_LENGTH or not _PHONE.match(phone):
        raise ValidationError(_("电话号码只能包含数字、+、-、括号和空格，最多 20 位。"))
    return phone.strip()


# --- The desk ---------------------------------------------------------------------------------


def _initial(user: User) -> dict[str, Any]:
    """A fresh token, and the case type this user registered last (the first one otherwise)."""
    last = (
        Case.objects.filter(reported_by=user)
        .order_by("-reported_at")
        .values_list("case_type_id", flat=True)
        .first()
    )
    first = CaseType.objects.values_list("pk", flat=True).first()
    return {"form_token": new_token(), "case_type": last or first}


def _preview(case_type: CaseType | None, priority: str, override: Any = None) -> DeadlinePreview:
    if case_type is None:
        return DeadlinePreview(_("选择事项类型后显示办理期限。"), None)
    priority = priority or case_type.default_priority
    return preview_deadline(Case(case_type=case_type, priority=priority), priority, override)


def _form_preview(form: DeskForm) -> DeadlinePreview:
    """The deadline the assignment would get with what the form holds now."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    case_type = data.get("case_type")
    if case_type is None:
        value = form["case_type"].value()
        case_type = CaseType.objects.filter(pk=value).first() if str(value).isdigit() else None
    return _preview(case_type, str(form["priority"].value() or ""), data.get("deadline"))


def _confirmation(case: Case) -> str:
    """What the operator reads after the call is registered."""
    words = {"number": case.number}
    if case.resolved_on_spot and case.status == Status.ANSWERED:
        text = _("已登记 %(number)s，已直接答复（当场办结），待回访。") % words
    elif case.lead_unit is not None and case.deadline is not None:
        words |= {"unit": str(case.lead_unit), "when": deadline_text(case.deadline)}
        text = _("已登记 %(number)s，已交办至%(unit)s，办理期限 %(when)s。") % words
    elif case.status == Status.REPORTED:
        text = _("已登记 %(number)s，待研判交办。") % words
    else:
        words |= {"status": case.status_label}
        text = _("已登记 %(number)s（%(status)s）。") % words
    repeat_of = (case.details or {}).get("repeat_of")
    if repeat_of:
        text += _("重复来电，关联事项 %(number)s。") % {"number": repeat_of}
    return text


def _done_case(request: AuthenticatedHttpRequest) -> Case | None:
    pk = request.GET.get("done", "")
    if not pk.isdigit() or len(pk) > 18:
        return None
    return (
        visible_cases(request.user)
        .select_related("case_type", "lead_unit")
        .filter(pk=int(pk))
        .first()
    )


def _page(
    request: AuthenticatedHttpRequest,
    form: DeskForm,
    extras: IntakeExtras,
    *,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    done = _done_case(request) if not form.is_bound else None
    phone = str(form["requester_phone"].value() or "").strip()
    categories = list(Category.objects.filter(is_active=True).order_by("case_type", "code"))
    leads = catalogue.current_leads()
    types = list(CaseType.objects.all())
    choices = IntakeChoices(types=types, categories=categories, places=[], enterprises=[])
    if extras.case_type is None:
        chosen = str(form["case_type"].value() or "")
        extras.case_type = next((t for t in types if str(t.pk) == chosen), None)
    picked = chosen_household(user, form["household"].value())
    context = {
        "extras": extras,
        "intake_sections": type_sections(types),
        "household_pick": {
            "field": form["household"],
            "pick_url": reverse("desk:households"),
            "picked": (picked.pk, household_label(picked)) if picked else None,
            "options": [],
        },
        "form": form,
        "done": done,
        "confirmation": _confirmation(done) if done else "",
        "caller": caller_history(user, phone, timezone.now()) if _PHONE.match(phone) else None,
        "preview": _form_preview(form),
        "categories": choices.categories_by_type(),
        # The dispatch catalogue's lead unit (派单目录) ahead of the category's suggested one.
        "category_units": {
            str(c.pk): str(leads.get(c.pk) or c.suggested_unit_id)
            for c in categories
            if leads.get(c.pk) or c.suggested_unit_id
        },
    }
    return render(request, "web/desk/desk.html", context, status=status)


def _register(form: DeskForm, extras: IntakeExtras, user: User) -> Case:
    """Report with the parties and facts its type asks for, then the chosen second move, as
    one transaction."""
    history = caller_history(user, form.cleaned_data["requester_phone"], timezone.now())
    details = {"repeat_caller": True} if history and history.is_repeat else {}
    with transaction.atomic():
        case, _made = report_with_facts(
            form.report_arguments(details), extras, actor=user, via=Via.WEB
        )
        if form.cleaned_data.get("not_public"):
            # Off Open311's lists from the start (logged like a later change of 公开).
            set_case_flags(case, actor=user, is_public=False, reason=_("受理时设为不公开"))
        if case.status != Status.REPORTED:
            return case  # the same form again, after its moves were made: that case
        if form.chosen == Outcome.ANSWER:
            answer = form.cleaned_data["answer"].strip()
            return services.resolve_on_spot(
                case,
                actor=user,
                answer=answer,
                mediation_outcome=form.cleaned_data.get("mediation_outcome") or "",
                via=Via.WEB,
            )
        if form.chosen == Outcome.ASSIGN:
            return services.triage_and_assign(
                case, actor=user, via=Via.WEB, **form.assign_arguments()
            )
        return case


@desk_only
@require_http_methods(["GET", "POST"])
def desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """登记诉求: register a call or a visit and settle how it goes on, in one step."""
    user = request.user
    if request.method == "GET":
        return _page(request, DeskForm(user=user, initial=_initial(user)), IntakeExtras())
    form = DeskForm(request.POST, user=user)
    extras = IntakeExtras(request.POST)
    valid = form.is_valid()
    if not extras.is_valid(form.cleaned_data.get("case_type")) or not valid:
        return _page(request, form, extras, status=400)
    case, failure = run(request, form, lambda: _register(form, extras, user), back=request.path)
    if failure:
        return failure
    if case is None:
        return _page(request, form, extras, status=400)
    return redirect(f"{reverse('desk:desk')}?done={case.pk}")


# --- The endpoints behind the page ------------------------------------------------------------


@desk_only
@require_GET
def caller(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caller panel (htmx): the earlier cases of the number typed so far."""
    try:
        phone = _phone_param(request)
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "web/desk/_caller.html", context, status=400)
    history = caller_history(request.user, phone, timezone.now())
    return render(request, "web/desk/_caller.html", {"caller": history})


@desk_only
@require_GET
def regions(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The places matching ``q`` (Chinese, pinyin initials or pinyin) in the user's scope."""
    json = {"ensure_ascii": False}
    try:
        query = clean_query(request.GET.get("q", ""))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400, json_dumps_params=json)
    matches = search_regions(query, intake_roots(request.user))
    results = [
        {
            "id": m.region.pk,
            "name": m.region.name,
            "path": m.path_label,
            "level": m.region.get_level_display(),
        }
        for m in matches
    ]
    return JsonResponse({"results": results}, json_dumps_params=json)


@desk_only
@require_GET
def households(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The household picker's options (htmx): the households the user reads in the chosen
    place, matching what was typed."""
    user = request.user
    try:
        found, message = search_households(
            user,
            lambda pk: places(user).filter(pk=pk).first(),
            request.GET.get("region", ""),
            request.GET.get("household_q", ""),
        )
    except ValidationError as error:
        context: dict[str, Any] = {"options": [], "message": " ".join(error.messages)}
        return render(request, "web/grid/_household_options.html", context, status=400)
    context = {
        "options": [(h.pk, household_label(h)) for h in found],
        "message": message,
        "selected": selected_id(request.GET.get("household", "")),
    }
    return render(request, "web/grid/_household_options.html", context)


@desk_only
@require_GET
def deadline(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The htmx fragment in the 研判交办 box: the deadline an assignment would get now."""
    form = PreviewForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        override = data["deadline"]
        if override is not None and override <= timezone.now():
            override = None
        preview = _preview(data["case_type"], data["priority"], override)
    else:
        preview = _preview(None, "")
    return render(request, "web/desk/desk.html#deadline-preview", {"preview": preview})
