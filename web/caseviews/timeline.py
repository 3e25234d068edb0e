"""A case's timeline and clock in readable Chinese: the events with their data spelled out.

Event data holds ids and ISO times (cases/services.py); the names behind the ids are loaded
for all events at once, so a timeline costs the same queries with 3 events or 300.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.clocks import StageLight
from cases.models import (
    HANDLING_STATUSES,
    Case,
    CaseEvent,
    Category,
    Channel,
    EscalationTarget,
    EventKind,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
)
from cases.scope import names_the_requester
from orgs.models import Organisation
from people.masking import is_personal_key, mask_free_text, mask_name
from people.models import RegionResponsibility
from web.time_left import WorkClock, deadline_text

_UNIT_KEYS = ("lead_unit", "unit", "from_unit")


@dataclass
class TimelineEntry:
    event: CaseEvent
    label: str
    actor: str
    from_label: str
    to_label: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    master: Case | None = None  # the case this one was merged into
    duplicate: Case | None = None  # a case merged into this one

    @property
    def changed_state(self) -> bool:
        return self.event.from_status != self.event.to_status


def when(value: str | datetime | None) -> str:
    """A moment as local "2025-06-01 17:00"; event data keeps times as ISO text."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _yes_no(value: Any) -> str:
    return _("是") if value else _("否")


def _actor(event: CaseEvent, case: Case, hide_requester: bool) -> str:
    actor = event.actor
    if actor is None:
        return _("系统")
    if hide_requester and names_the_requester(actor, case):
        # The requester's own steps (filed, added information, rated) name them: masked for
        # those who may not see the requester (cases.scope.can_see_requester).
        return mask_name(actor.display_name)
    return actor.display_name


def timeline(case: Case, *, hide_requester: bool = False) -> list[TimelineEntry]:
    """Every event of ``case``, oldest first, with readable facts (four queries in all);
    ``hide_requester``: the requester's name masked where they acted themselves."""
    events = list(
        CaseEvent.objects.filter(case=case)
        .select_related("actor__person")
        .order_by("created_at", "id")
    )
    unit_ids: set[int] = set()
    category_ids: set[int] = set()
    master_ids: set[int] = set()
    for event in events:
        data = event.data or {}
        unit_ids.update(data[k] for k in _UNIT_KEYS if isinstance(data.get(k), int))
        unit_ids.update(u for u in data.get("co_units") or () if isinstance(u, int))
        if isinstance(data.get("category"), int):
            category_ids.add(data["category"])
        master_ids.update(data[k] for k in ("master", "duplicate") if isinstance(data.get(k), int))
    units = Organisation.objects.in_bulk(unit_ids) if unit_ids else {}
    categories = Category.objects.in_bulk(category_ids) if category_ids else {}
    linked = Case.objects.only("number", "title").in_bulk(master_ids) if master_ids else {}
    labels = case.case_type
    entries = []
    for event in events:
        entries.append(
            TimelineEntry(
                event=event,
                label=event.get_kind_display(),
                actor=_actor(event, case, hide_requester),
                from_label=labels.label(event.from_status) if event.from_status else "",
                to_label=labels.label(event.to_status),
                facts=_facts(event.kind, event.data or {}, units, categories),
                master=linked.get((event.data or {}).get("master")),
                duplicate=linked.get((event.data or {}).get("duplicate")),
            )
        )
    return entries


def _facts(
    kind: str,
    data: dict[str, Any],
    units: dict[int, Organisation],
    categories: dict[int, Category],
) -> list[tuple[str, str]]:
    """The event's data as (label, value) pairs, in the order a reader wants them."""

    def unit(pk: Any) -> str:
        return str(units.get(pk, "—"))

    facts: list[tuple[str, str]] = []
    if data.get("ledger"):
        # An imported step: where it was read from (the time shown is the ledger's own).
        facts.append(
            (
                _("台账导入"),
                _("%(ledger)s 第%(row)s行")
                % {"ledger": data["ledger"], "row": data.get("row", "—")},
            )
        )
    if data.get("channel"):
        facts.append((_("来源渠道"), str(dict(Channel.choices).get(data["channel"], ""))))
    if data.get("category"):
        facts.append((_("分类"), str(categories.get(data["category"], "—"))))
    if data.get("priority"):
        facts.append((_("紧急程度"), str(dict(Priority.choices).get(data["priority"], ""))))
    if data.get("risk_level"):
        facts.append((_("风险等级"), str(dict(RiskLevel.choices).get(data["risk_level"], ""))))
    if data.get("from_unit"):
        facts.append((_("原主办单位"), unit(data["from_unit"])))
    if data.get("lead_unit"):
        facts.append((_("主办单位"), unit(data["lead_unit"])))
    if data.get("co_units"):
        facts.append((_("协办单位"), "、".join(unit(u) for u in data["co_units"])))
    if data.get("deadline"):
        facts.append((_("办理期限"), when(data["deadline"])))
    if data.get("until"):
        facts.append((_("申请延期至"), when(data["until"])))
    if data.get("from") or data.get("to"):
        facts.append((_("期限调整"), f"{when(data.get('from')) or '—'} → {when(data.get('to'))}"))
    if data.get("reason_code"):
        reasons = dict(SendBackReason.choices)
        facts.append((_("退单原因"), str(reasons.get(data["reason_code"], data["reason_code"]))))
    if data.get("unit"):
        label = _("撤回自") if kind == EventKind.RECALLED else _("退单单位")
        facts.append((label, unit(data["unit"])))
    if "contacted" in data:
        facts.append((_("及时联系"), _yes_no(data["contacted"])))
    if "resolved" in data:
        facts.append((_("问题解决"), _yes_no(data["resolved"])))
    if data.get("satisfaction"):
        facts.append((_("满意度"), str(dict(Satisfaction.choices).get(data["satisfaction"], ""))))
    if "passed" in data:
        facts.append((_("回访结果"), _("通过") if data["passed"] else _("未通过")))
    if "visit_passed" in data:
        facts.append((_("回访通过"), _yes_no(data["visit_passed"])))
    if data.get("rework"):
        facts.append((_("返工"), _("是（回访未通过）")))
    if data.get("level") and kind == EventKind.ESCALATED:
        facts.append((_("督办级别"), _("第 %(n)s 级") % {"n": data["level"]}))
        if data.get("target") in EscalationTarget.values:
            facts.append((_("提醒对象"), str(EscalationTarget(data["target"]).label)))
    elif data.get("level"):
        facts.append((_("督办"), _("第 %(n)s 次") % {"n": data["level"]}))
    if data.get("clock") == "paused":
        facts.append((_("计时"), _("暂停")))
    elif data.get("clock") == "resumed":
        facts.append(
            (_("计时"), _("恢复（暂停 %(h)s 个工作小时）") % {"h": data.get("paused_hours", 0)})
        )
    if "on_time" in data and kind == EventKind.CONTACTED:
        facts.append((_("按时联系"), _yes_no(data["on_time"])))
    if data.get("split_from"):
        facts.append((_("拆分自"), str(data["split_from"])))
    if data.get("numbers"):
        facts.append((_("拆分为"), "、".join(str(n) for n in data["numbers"])))
    if "old_title" in data and data.get("old_title") != data.get("title"):
        facts.append((_("原标题"), str(data["old_title"])))
    outcome = data.get("outcome") or data.get("mediation_outcome")
    if outcome:
        facts.append((_("调处结果"), str(dict(MediationOutcome.choices).get(outcome, outcome))))
    return facts


@dataclass
class Clock:
    """Where a case stands against its deadline: time left, or how long overdue."""

    deadline: datetime | None
    overdue: bool
    text: str
    running: bool
    # The staged clocks (签收, 首次联系, 办结) while a unit handles the case.
    lights: list[StageLight] = field(default_factory=list)


def clock(case: Case, now: datetime | None = None) -> Clock:
    """The clock runs while a unit handles the case (assigned, in progress), in working time —
    the same reading as the workbenches (web.time_left)."""
    if not case.deadline:
        return Clock(None, False, "", False)
    if case.status not in HANDLING_STATUSES:
        if case.answered_on_time is None:
            return Clock(case.deadline, False, "", False)
        text = _("按期办结") if case.answered_on_time else _("超期办结")
        return Clock(case.deadline, not case.answered_on_time, text, False)
    work_clock = WorkClock(now)
    left = work_clock.time_left(case.deadline)
    assert left is not None
    if case.clock_paused_at is not None:
        text = _("计时暂停中（自%(since)s）") % {"since": deadline_text(case.clock_paused_at)}
        return Clock(case.deadline, False, text, True, work_clock.lights(case))
    return Clock(case.deadline, left.state == "overdue", left.text, True, work_clock.lights(case))


def ancestors_with_people(case: Case) -> list[dict[str, Any]]:
    """The place's chain from the county down, each node with its responsible people (2 queries)."""
    chain = list(case.region.ancestors().only("name", "code", "level", "path"))
    people: dict[int, list[RegionResponsibility]] = {}
    duties: QuerySet[RegionResponsibility] = (
        RegionResponsibility.objects.filter(region__in=chain)
        .select_related("person")
        .order_by("duty", "person__name")
    )
    for duty in duties:
        people.setdefault(duty.region_id, []).append(duty)
    return [{"region": r, "people": people.get(r.pk, [])} for r in chain]


def ledger_details(case: Case, unmasked: bool) -> list[tuple[str, str]]:
    """The columns a ledger import kept in the case's details (Chinese headers; the system's
    own keys are ASCII and not shown), masked like the requester for those who may not see
    personal data."""
    shown = []
    for key, value in (case.details or {}).items():
        if key.isascii() or not isinstance(value, str | int | float):
            continue
        text = str(value)
        if not unmasked and is_personal_key(key):
            text = mask_free_text(text)
        shown.append((key, text))
    return shown
