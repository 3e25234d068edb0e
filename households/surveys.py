"""Survey campaigns (摸排): a checklist sent to the grid workers of a set of households, each
household visited (走访) and then re-checked (复核) by someone else; a finding becomes a case in
the same transaction. Services write one transaction each with their ``HouseholdEvent``;
selectors read through ``households.scope``.

Who does what:
- Create: administrators, dispatchers and village cadres over the survey's region.
- Visit: whoever works on the household (``scope.may_work``).
- Recheck: a village cadre, grid chief or dispatcher over the household (or an administrator),
  never the one who visited.
- Close: whoever may create a survey over its region; a closed survey takes no visit or
  recheck.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services as cases
from cases.models import Case, CaseType, Category, Channel, Via
from households import scope
from households.models import (
    HouseholdEvent,
    HouseholdEventKind,
    Survey,
    SurveyStatus,
    SurveyTask,
    SurveyTaskStatus,
)
from households.services import derive_title
from people.models import (
    Household,
    HouseholdTag,
    RegionDuty,
    RegionResponsibility,
    Role,
    RoleAssignment,
    User,
)
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region

CREATOR_ROLES = frozenset({Role.DISPATCHER, Role.VILLAGE_CADRE})
RECHECK_ROLES = frozenset({Role.DISPATCHER, Role.VILLAGE_CADRE, Role.GRID_CHIEF})
ANSWERS = ("yes", "no")
# The task list's filters (``state``); the progress counts use the same ones.
STATES = ("all", "pending", "visited", "rechecked", "finding")


def _error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _covers(regions: Iterable[Region], region: Region) -> bool:
    return any(r.path <= region.path < r.path_range_end for r in regions)


def _role_regions(user: User, roles: frozenset[str]) -> list[Region]:
    return [a.region for a in user.role_assignments if a.role in roles and a.region is not None]


def may_create(user: User, region: Region) -> bool:
    """Start a survey over ``region``."""
    if not user.is_authenticated:
        return False
    return user.is_admin or _covers(_role_regions(user, CREATOR_ROLES), region)


def creator_regions(user: User) -> list[Region] | None:
    """The regions whose subtrees ``user`` may start surveys in; None means everywhere."""
    return None if user.is_admin else _role_regions(user, CREATOR_ROLES)


def may_close(user: User, survey: Survey) -> bool:
    """End ``survey`` (``survey.region`` loaded): who may start one over its region."""
    return may_create(user, survey.region)


def is_survey_user(user: User) -> bool:
    """Whether the user may open the survey pages at all."""
    return scope.is_household_user(user)


def may_recheck(user: User, household: Household) -> bool:
    """Recheck a visit to ``household`` (``household.region`` loaded)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or _covers(_role_regions(user, RECHECK_ROLES), household.region)


# --- Selectors --------------------------------------------------------------------------------


def visible_surveys(user: User) -> QuerySet[Survey]:
    """Surveys with at least one task the user reads, and those they may manage."""
    tasks = visible_tasks(user)
    q = Q(pk__in=tasks.values("survey_id"))
    if user.is_authenticated and not user.is_admin:
        for region in _role_regions(user, CREATOR_ROLES):
            q |= Q(region__path__gte=region.path, region__path__lt=region.path_range_end)
    elif user.is_authenticated:
        q = Q()
    return Survey.objects.filter(q).select_related("region")


def visible_tasks(user: User) -> QuerySet[SurveyTask]:
    """The tasks on households the user reads (``households.scope``)."""
    q = scope.visible_q(user)
    tasks = SurveyTask.objects.all()
    if q is None:
        return tasks
    return tasks.filter(household__in=Household.objects.filter(q))


def filter_state(tasks: QuerySet[SurveyTask], state: str) -> QuerySet[SurveyTask]:
    """Tasks in one of ``STATES``; ``visited`` counts rechecked ones too."""
    if state == "pending":
        return tasks.filter(status=SurveyTaskStatus.PENDING)
    if state == "visited":
        return tasks.filter(status__in=[SurveyTaskStatus.VISITED, SurveyTaskStatus.RECHECKED])
    if state == "rechecked":
        return tasks.filter(status=SurveyTaskStatus.RECHECKED)
    if state == "finding":
        return tasks.exclude(finding="")
    return tasks


@dataclass(frozen=True)
class GridProgress:
    grid_id: int
    grid_name: str
    total: int
    visited: int
    rechecked: int
    finding: int


def progress_by_grid(survey: Survey, user: User) -> list[GridProgress]:
    """Per grid, the user's visible tasks: total, visited, rechecked, with a finding (one query).
    Each number is the count of ``filter_state`` of the same name."""
    done = [SurveyTaskStatus.VISITED, SurveyTaskStatus.RECHECKED]
    rows = (
        visible_tasks(user)
        .filter(survey=survey)
        .order_by()
        .values("grid_id", "grid__name", "grid__path")
        .annotate(
            total=Count("id"),
            visited=Count("id", filter=Q(status__in=done)),
            rechecked=Count("id", filter=Q(status=SurveyTaskStatus.RECHECKED)),
            finding=Count("id", filter=~Q(finding="")),
        )
        .order_by("grid__path")
    )
    return [
        GridProgress(
            r["grid_id"], r["grid__name"], r["total"], r["visited"], r["rechecked"], r["finding"]
        )
        for r in rows
    ]


# --- Services ---------------------------------------------------------------------------------


def _grids(regions: Iterable[Region]) -> dict[int, Region]:
    """Each region's grid: itself or its nearest ancestor marked ``is_grid``, else itself (one
    query)."""
    regions = list({r.pk: r for r in regions}.values())
    segment = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
    prefixes = {r.path[: i + segment] for r in regions for i in range(0, len(r.path), segment)}
    grids = {g.path: g for g in Region.objects.filter(is_grid=True, path__in=prefixes)}
    result: dict[int, Region] = {}
    for region in regions:
        found = [g for p, g in grids.items() if region.path.startswith(p)]
        result[region.pk] = max(found, key=lambda g: len(g.path)) if found else region
    return result


def _grid_workers(grids: Iterable[Region]) -> dict[int, int]:
    """The person id of each grid's worker: a grid worker role on it, else a 网格员 duty."""
    ids = [g.pk for g in grids]
    workers: dict[int, int] = {}
    for region_id, person_id in (
        RegionResponsibility.objects.filter(region_id__in=ids, duty=RegionDuty.GRID_WORKER)
        .order_by("-id")
        .values_list("region_id", "person_id")
    ):
        workers[region_id] = person_id
    for region_id, person_id in (
        RoleAssignment.objects.filter(
            region_id__in=ids,
            role=Role.GRID_WORKER,
            is_active=True,
            user__person__isnull=False,
        )
        .order_by("-id")
        .values_list("region_id", "user__person_id")
    ):
        workers[region_id] = person_id
    return workers


def create_survey(
    *,
    title: str,
    items: Sequence[str],
    region: Region,
    due_on: date,
    households: Iterable[Household] | None = None,
    tag: HouseholdTag | None = None,
    token: uuid.UUID | str | None = None,
    actor: User,
    via: str = Via.WEB,
) -> Survey:
    """Start a survey over the households of ``region`` (those given, or those with ``tag``,
    or all), one task each, assigned to the grid worker of the household's grid if any. A
    ``token`` names the request: sent again by the same user, it returns the survey it made."""
    if not may_create(actor, region):
        raise PermissionDenied(_("您无权在该区域发起摸排。"))
    if token is not None:
        earlier = _earlier_survey(token, actor)
        if earlier is not None:
            return earlier
    rows = [i.strip() for i in items if i.strip()]
    if not title.strip():
        raise _error("title", _("请填写摸排标题。"), "required")
    if not rows:
        raise _error("items", _("请至少填写一项摸排事项。"), "required")
    if len(set(rows)) != len(rows):
        raise _error("items", _("摸排事项不能重复。"), "duplicate")
    if due_on < timezone.localdate():
        raise _error("due_on", _("截止日期不能早于今天。"), "past")
    chosen = Household.objects.filter(
        region__path__gte=region.path, region__path__lt=region.path_range_end
    ).select_related("region")
    if households is not None:
        chosen = chosen.filter(pk__in=[h.pk for h in households])
    if tag is not None:
        chosen = chosen.filter(tags=tag)
    homes = list(chosen.order_by("pk"))
    if not homes:
        raise _error("households", _("该范围内没有符合条件的户。"), "empty")
    grids = _grids(h.region for h in homes)
    workers = _grid_workers(grids.values())
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                title=title.strip(),
                items=rows,
                region=region,
                due_on=due_on,
                token=token,
                created_by=actor,
            )
            tasks = SurveyTask.objects.bulk_create(
                SurveyTask(
                    survey=survey,
                    household=h,
                    grid=grids[h.region_id],
                    assignee_id=workers.get(grids[h.region_id].pk),
                )
                for h in homes
            )
            HouseholdEvent.objects.bulk_create(
                HouseholdEvent(
                    kind=HouseholdEventKind.SURVEY_TASKED,
                    household=t.household,
                    actor=actor,
                    via=via,
                    data={"survey": survey.pk, "task": t.pk, "title": survey.title},
                )
                for t in tasks
            )
    except IntegrityError:
        if token is not None:
            earlier = _earlier_survey(token, actor)
            if earlier is not None:
                return earlier
        raise
    return survey


def _earlier_survey(token: uuid.UUID | str, actor: User) -> Survey | None:
    earlier = Survey.objects.select_related("region").filter(token=token).first()
    if earlier is not None and earlier.created_by_id != actor.pk:
        raise _error("token", _("该请求编号已被使用，请换一个新的编号。"), "token_reused")
    return earlier


def _check_answers(items: Sequence[str], answers: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    clean: dict[str, dict[str, str]] = {}
    for item in items:
        given = answers.get(item)
        if isinstance(given, str):
            given = {"answer": given}
        if not isinstance(given, Mapping) or given.get("answer") not in ANSWERS:
            raise _error("answers", _("请逐项填写摸排结果。"), "incomplete")
        clean[item] = {"answer": str(given["answer"]), "note": str(given.get("note", "")).strip()}
    if set(answers) - set(items):
        raise _error("answers", _("摸排结果中有不属于本次摸排的事项。"), "unknown_item")
    return clean


def _lock(task: SurveyTask) -> SurveyTask:
    return (
        SurveyTask.objects.select_for_update(of=("self",))
        .select_related("survey", "household__region")
        .get(pk=task.pk)
    )


def _channel(actor: User) -> str:
    return Channel.VISIT if Channel.VISIT in cases.claimable_channels(actor) else Channel.WEB


def record_survey_visit(
    task: SurveyTask,
    *,
    answers: Mapping[str, Any],
    finding: str = "",
    raise_case: bool = False,
    case_type: CaseType | None = None,
    category: Category | None = None,
    actor: User,
    via: str = Via.WEB,
) -> SurveyTask:
    """Record the visit of a task: the checklist's answers (each item ``yes``/``no`` with an
    optional note) and the finding; with ``raise_case`` the finding becomes a case about the
    household in the same transaction (a refused case leaves nothing)."""
    finding = finding.strip()
    if raise_case and not finding:
        raise _error("finding", _("转为事项须填写发现的问题。"), "required")
    if raise_case and case_type is None:
        raise _error("case_type", _("请选择事项类型。"), "required")
    with transaction.atomic():
        locked = _lock(task)
        if not scope.may_work(actor, locked.household):
            raise PermissionDenied(_("您不负责该户，无权操作。"))
        if locked.survey.status != SurveyStatus.OPEN:
            raise _error("survey", _("该摸排已结束，不能再登记走访。"), "closed")
        if locked.status != SurveyTaskStatus.PENDING:
            raise _error("task", _("该户已走访。"), "already_visited")
        locked.answers = _check_answers(locked.survey.items, answers)
        locked.finding = finding
        locked.status = SurveyTaskStatus.VISITED
        locked.visited_at = timezone.now()
        locked.visited_by = actor
        if raise_case and case_type is not None:
            locked.case = _report(locked, case_type, category, actor, via)
        locked.save()
        HouseholdEvent.objects.create(
            kind=HouseholdEventKind.SURVEY_VISITED,
            household=locked.household,
            actor=actor,
            via=via,
            data={"survey": locked.survey_id, "task": locked.pk, "case": locked.case_id},
        )
    return locked


def _report(
    task: SurveyTask, case_type: CaseType, category: Category | None, actor: User, via: str
) -> Case:
    household = task.household
    try:
        return cases.report_case(
            actor=actor,
            via=via,
            case_type=case_type,
            category=category,
            region=household.region,
            title=derive_title(task.finding),
            description=task.finding,
            requester_name=household.head_name,
            requester_phone=household.phone,
            household=household,
            channel=_channel(actor),
        )
    except cases.NotPermitted as exc:
        raise _error("case_type", str(exc), "not_permitted") from exc


def recheck_survey_task(
    task: SurveyTask, *, ok: bool, note: str = "", actor: User, via: str = Via.WEB
) -> SurveyTask:
    """Recheck (复核) a visited task: passed, it is done; failed, it goes back to be visited
    again, with the note. The visitor may not recheck their own visit."""
    note = note.strip()
    if not ok and not note:
        raise _error("note", _("复核不通过须填写原因。"), "required")
    with transaction.atomic():
        locked = _lock(task)
        if not may_recheck(actor, locked.household):
            raise PermissionDenied(_("您无权复核该户。"))
        if locked.survey.status != SurveyStatus.OPEN:
            raise _error("survey", _("该摸排已结束，不能再复核。"), "closed")
        if locked.status != SurveyTaskStatus.VISITED:
            raise _error("task", _("该户尚未走访或已复核。"), "not_visited")
        if locked.visited_by_id == actor.pk:
            raise _error("task", _("不能复核本人的走访。"), "own_visit")
        locked.recheck_ok = ok
        locked.recheck_note = note
        locked.rechecked_at = timezone.now()
        locked.rechecked_by = actor
        locked.status = SurveyTaskStatus.RECHECKED if ok else SurveyTaskStatus.PENDING
        locked.save()
        HouseholdEvent.objects.create(
            kind=HouseholdEventKind.SURVEY_RECHECKED,
            household=locked.household,
            actor=actor,
            via=via,
            data={"survey": locked.survey_id, "task": locked.pk, "ok": ok, "note": note},
        )
    return locked


def close_survey(survey: Survey, *, reason: str = "", actor: User, via: str = Via.WEB) -> Survey:
    """End a survey (结束摸排): its tasks take no more visits or rechecks; each household of
    it gets the event, with how far its task had come."""
    reason = reason.strip()
    if len(reason) > 200:
        raise _error("reason", _("结束说明不能超过200字。"), "max_length")
    with transaction.atomic():
        locked = (
            Survey.objects.select_for_update(of=("self",))
            .select_related("region")
            .get(pk=survey.pk)
        )
        if not may_close(actor, locked):
            raise PermissionDenied(_("您无权结束该摸排。"))
        if locked.status != SurveyStatus.OPEN:
            raise _error("survey", _("该摸排已结束。"), "closed")
        locked.status = SurveyStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.close_reason = reason
        locked.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
        HouseholdEvent.objects.bulk_create(
            HouseholdEvent(
                kind=HouseholdEventKind.SURVEY_CLOSED,
                household_id=household_id,
                actor=actor,
                via=via,
                data={"survey": locked.pk, "task": pk, "status": status, "reason": reason},
            )
            for pk, household_id, status in locked.tasks.order_by("pk").values_list(
                "pk", "household_id", "status"
            )
        )
    return locked
