"""The only writers of the monthly themes: create (with its milestones), activate, mark a
milestone done, add cases (by rule or one by one), remove cases, finish and drop — each in one
transaction with its ``ThemeEvent``.

Statuses move forward only: 拟定 (proposed) → 推进中 (active) → 已完成 (done); a proposed or
active theme may be dropped (已撤销). Cases may be added or removed while it is open (proposed
or active); milestones are marked done while it is active; it is finished once every milestone
is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseType, Category
from cases.scope import visible_cases
from orgs.models import HANDLING_KINDS, Organisation
from people.models import User
from regions.models import Region
from themes import scope
from themes.models import (
    OPEN_STATUSES,
    MonthlyTheme,
    ThemeEvent,
    ThemeEventKind,
    ThemeMilestone,
    ThemeStatus,
)
from themes.suggest import add_months

MIN_MILESTONES = 2
MAX_MILESTONES = 3
MAX_TITLE = 100
MAX_TEXT = 2000
# How far ahead a theme may be planned, in months.
MONTHS_AHEAD = 12


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    due: date | None


def _error(field: str | None, message: Any, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _text(value: str, field: str, *, limit: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise _error(field, _("内容含有无效字符。"), "invalid")
    if required and not value:
        raise _error(field, required, "required")
    if len(value) > limit:
        raise _error(field, _("不能超过 %(n)d 个字。") % {"n": limit}, "max_length")
    return value


def check_month(month: int) -> int:
    year, number = divmod(month, 100)
    if not (2000 <= year <= 2099 and 1 <= number <= 12):
        raise _error("month", _("月份格式应为 YYYYMM，例如 202603。"), "month")
    this_month = int(timezone.localdate().strftime("%Y%m"))
    if month > add_months(this_month, MONTHS_AHEAD):
        raise _error("month", _("最多提前 %(n)d 个月确定题目。") % {"n": MONTHS_AHEAD}, "future")
    return month


def _log(
    theme: MonthlyTheme,
    kind: str,
    actor: User | None,
    *,
    milestone: ThemeMilestone | None = None,
    note: str = "",
    **data: Any,
) -> ThemeEvent:
    return ThemeEvent.objects.create(
        theme=theme,
        kind=kind,
        milestone=milestone,
        actor=actor,
        at=timezone.now(),
        note=note,
        data=data,
    )


def _milestones(plans: Sequence[MilestonePlan]) -> list[tuple[str, date]]:
    cleaned = []
    for index, plan in enumerate(plans, start=1):
        title = _text(plan.title, "milestones", limit=200)
        if not title:
            continue
        if plan.due is None:
            raise _error(
                "milestones", _("请填写第 %(n)d 个节点的完成期限。") % {"n": index}, "required"
            )
        cleaned.append((title, plan.due))
    if not MIN_MILESTONES <= len(cleaned) <= MAX_MILESTONES:
        raise _error(
            "milestones",
            _("每月一题需要 %(a)d 至 %(b)d 个具体节点任务。")
            % {"a": MIN_MILESTONES, "b": MAX_MILESTONES},
            "milestones",
        )
    return cleaned


def _units(lead_unit: Organisation, co_units: Iterable[Organisation]) -> list[Organisation]:
    for unit, field in [(lead_unit, "lead_unit")] + [(u, "co_units") for u in co_units]:
        if unit.kind not in HANDLING_KINDS or not unit.is_active:
            raise _error(field, _("“%(u)s”不能承办事项。") % {"u": unit}, "unit")
    others = [u for u in dict.fromkeys(co_units) if u.pk != lead_unit.pk]
    if len(others) != len(set(co_units)):
        raise _error("co_units", _("牵头单位不必再列为协办单位。"), "lead_as_co_unit")
    return others


@transaction.atomic
def create_theme(
    *,
    actor: User,
    month: int,
    title: str,
    lead_unit: Organisation,
    milestones: Sequence[MilestonePlan],
    description: str = "",
    case_type: CaseType | None = None,
    category: Category | None = None,
    place: Region | None = None,
    co_units: Iterable[Organisation] = (),
    source: dict[str, Any] | None = None,
    activate: bool = False,
    include_from: int | None = None,
) -> MonthlyTheme:
    """Propose a theme (拟定) with its milestones; ``source`` records the candidate it came from
    (its counts and case-list parameters) in the event. ``activate`` starts it at once;
    ``include_from`` adds the matching cases from that month to the theme's month (its rule)."""
    if not scope.may_create(actor):
        raise PermissionDenied(_("只有研判交办员和领导可以确定每月一题。"))
    if not scope.covers_place(actor, place):
        raise _error("place", _("该地点不在您的职责范围内。"), "place_scope")
    month = check_month(month)
    title = _text(title, "title", limit=MAX_TITLE, required=_("请填写题目。"))
    description = _text(description, "description", limit=MAX_TEXT)
    if category is not None:
        if case_type is not None and category.case_type_id != case_type.pk:
            raise _error("category", _("分类不属于所选的事项类型。"), "category_type")
        case_type = category.case_type
    others = _units(lead_unit, list(co_units))
    plans = _milestones(milestones)
    now = timezone.now()
    theme = MonthlyTheme.objects.create(
        month=month,
        title=title,
        description=description,
        case_type=case_type,
        category=category,
        place=place,
        lead_unit=lead_unit,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    theme.co_units.set(others)
    ThemeMilestone.objects.bulk_create(
        ThemeMilestone(theme=theme, ordering=index, title=title, due=due)
        for index, (title, due) in enumerate(plans, start=1)
    )
    _log(
        theme,
        ThemeEventKind.CREATED,
        actor,
        month=month,
        title=title,
        lead_unit=lead_unit.pk,
        co_units=[u.pk for u in others],
        place=place.pk if place else None,
        category=category.pk if category else None,
        milestones=[{"title": title, "due": due.isoformat()} for title, due in plans],
        source=source or {},
    )
    if activate:
        theme = activate_theme(theme, actor=actor)
    if include_from is not None:
        add_matching_cases(
            theme, actor=actor, first_month=min(include_from, month), last_month=month
        )
    return theme


def _locked(theme: MonthlyTheme, actor: User, *, milestone: bool = False) -> MonthlyTheme:
    allowed = scope.may_mark_milestone if milestone else scope.may_run
    if not allowed(actor, theme):
        raise PermissionDenied(_("您无权推进该题目。"))
    return (
        MonthlyTheme.objects.select_for_update(of=("self",))
        .select_related("place", "category", "lead_unit")
        .get(pk=theme.pk)
    )


def _touch(theme: MonthlyTheme, *fields: str) -> None:
    theme.updated_at = timezone.now()
    theme.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def activate_theme(theme: MonthlyTheme, *, actor: User, note: str = "") -> MonthlyTheme:
    """启动: the lead unit starts on the milestones (proposed → active)."""
    note = _text(note, "note", limit=MAX_TEXT)
    theme = _locked(theme, actor)
    if theme.status != ThemeStatus.PROPOSED:
        raise _error("status", _("只有拟定中的题目可以启动。"), "conflict")
    theme.status = ThemeStatus.ACTIVE
    _touch(theme, "status")
    _log(theme, ThemeEventKind.ACTIVATED, actor, note=note)
    return theme


@transaction.atomic
def complete_milestone(milestone: ThemeMilestone, *, actor: User, note: str) -> ThemeMilestone:
    """A milestone done, with what was done (required)."""
    note = _text(note, "note", limit=MAX_TEXT, required=_("请填写完成情况。"))
    theme = _locked(milestone.theme, actor, milestone=True)
    if theme.status != ThemeStatus.ACTIVE:
        raise _error("status", _("题目启动后才能完成节点。"), "conflict")
    row = ThemeMilestone.objects.select_for_update().get(pk=milestone.pk, theme=theme)
    if row.done_at is not None:
        raise _error("status", _("该节点已完成。"), "conflict")
    row.done_at = timezone.now()
    row.note = note
    row.save(update_fields=["done_at", "note"])
    _touch(theme)
    _log(theme, ThemeEventKind.MILESTONE_DONE, actor, milestone=row, note=note, title=row.title)
    return row


def _open(theme: MonthlyTheme) -> None:
    if theme.status not in OPEN_STATUSES:
        raise _error("status", _("题目已完成或已撤销，不能再调整事项。"), "conflict")


def _add(theme: MonthlyTheme, case_ids: list[int]) -> list[int]:
    """Add the cases not yet in ``theme``; answer their ids."""
    through = MonthlyTheme.cases.through
    present = set(
        through.objects.filter(monthlytheme_id=theme.pk, case_id__in=case_ids).values_list(
            "case_id", flat=True
        )
    )
    new = [pk for pk in dict.fromkeys(case_ids) if pk not in present]
    through.objects.bulk_create(through(monthlytheme_id=theme.pk, case_id=pk) for pk in new)
    return new


def matching_cases(theme: MonthlyTheme, first_month: int, last_month: int, *, actor: User) -> Any:
    """The rule: the counted cases of the theme's category (or case type) under its place,
    received in the months, among those ``actor`` may see."""
    if theme.category_id is None and theme.case_type_id is None:
        raise _error("category", _("该题目未设分类或事项类型，不能按规则纳入事项。"), "no_rule")
    if first_month > last_month:
        raise _error("last_month", _("截止月份不能早于起始月份。"), "months")
    cases = (
        visible_cases(actor)
        .counted()
        .filter(reported_month__gte=first_month, reported_month__lte=last_month)
    )
    if theme.category_id is not None:
        cases = cases.filter(category_id=theme.category_id)
    else:
        cases = cases.filter(case_type_id=theme.case_type_id)
    if theme.place is not None:
        cases = cases.in_region(theme.place)
    return cases


@transaction.atomic
def add_matching_cases(
    theme: MonthlyTheme,
    *,
    actor: User,
    first_month: int | None = None,
    last_month: int | None = None,
) -> list[int]:
    """纳入匹配事项: every case the rule finds for the months (default: the theme's month) that
    the theme does not cover yet; answers the ids added."""
    theme = _locked(theme, actor)
    _open(theme)
    first = check_month(first_month or theme.month)
    last = check_month(last_month or first_month or theme.month)
    found = list(
        matching_cases(theme, first, last, actor=actor).order_by("pk").values_list("pk", flat=True)
    )
    added = _add(theme, found)
    if added:
        _touch(theme)
        _log(
            theme,
            ThemeEventKind.CASES_ADDED,
            actor,
            rule={
                "category": theme.category_id,
                "case_type": theme.case_type_id,
                "place": theme.place_id,
                "first_month": first,
                "last_month": last,
            },
            cases=added,
        )
    return added


@transaction.atomic
def add_cases(theme: MonthlyTheme, cases: Sequence[Case], *, actor: User) -> list[int]:
    """纳入 chosen cases (those ``actor`` may see); answers the ids added."""
    theme = _locked(theme, actor)
    _open(theme)
    ids = [c.pk for c in cases]
    allowed = set(
        visible_cases(actor, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    if len(allowed) != len(set(ids)):
        raise _error("cases", _("只能纳入您可查看的事项。"), "case_scope")
    added = _add(theme, ids)
    if added:
        _touch(theme)
        _log(theme, ThemeEventKind.CASES_ADDED, actor, cases=added)
    return added


@transaction.atomic
def remove_cases(
    theme: MonthlyTheme, case_ids: Sequence[int], *, actor: User, note: str = ""
) -> list[int]:
    """移出 cases that do not belong to the theme after all; answers the ids removed."""
    note = _text(note, "note", limit=MAX_TEXT)
    theme = _locked(theme, actor)
    _open(theme)
    through = MonthlyTheme.cases.through
    rows = through.objects.filter(monthlytheme_id=theme.pk, case_id__in=list(case_ids))
    removed = sorted(rows.values_list("case_id", flat=True))
    if removed:
        rows.delete()
        _touch(theme)
        _log(theme, ThemeEventKind.CASES_REMOVED, actor, note=note, cases=removed)
    return removed


@transaction.atomic
def finish_theme(theme: MonthlyTheme, *, actor: User, note: str) -> MonthlyTheme:
    """完成: every milestone done, with a summary of what changed (required)."""
    note = _text(note, "note", limit=MAX_TEXT, required=_("请填写完成情况。"))
    theme = _locked(theme, actor)
    if theme.status != ThemeStatus.ACTIVE:
        raise _error("status", _("只有推进中的题目可以完成。"), "conflict")
    if theme.milestones.filter(done_at__isnull=True).exists():
        raise _error("status", _("还有未完成的节点，不能完成题目。"), "milestones_open")
    theme.status = ThemeStatus.DONE
    theme.finished_at = timezone.now()
    _touch(theme, "status", "finished_at")
    _log(theme, ThemeEventKind.FINISHED, actor, note=note)
    return theme


@transaction.atomic
def drop_theme(theme: MonthlyTheme, *, actor: User, note: str) -> MonthlyTheme:
    """撤销 a proposed or active theme, with the reason (required)."""
    note = _text(note, "note", limit=MAX_TEXT, required=_("请填写撤销理由。"))
    theme = _locked(theme, actor)
    _open(theme)
    theme.status = ThemeStatus.DROPPED
    _touch(theme, "status")
    _log(theme, ThemeEventKind.DROPPED, actor, note=note)
    return theme
