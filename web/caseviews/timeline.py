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

from cases.models import (
    HANDLING_STATUSES,
    Case,
    CaseEvent,
    Category,
    Channel,
    EventKind,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
)
from orgs.models import Organisation
from people.masking import mask_name, mask_phone
from people.models import RegionResponsibility
from web.time_left import WorkClock

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


def timeline(case: Case) -> list[TimelineEntry]:
    """Every event of ``case``, oldest first, with readable facts (four queries in all)."""
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
                actor=event.actor.display_name if event.actor is not None else _("系统"),
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
    if data.get("level"):
        facts.append((_("督办"), _("第 %(n)s 次") % {"n": data["level"]}))
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
    left = WorkClock(now).time_left(case.deadline)
    assert left is not None
    return Clock(case.deadline, left.state == "overdue", left.text, True)


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


# Words in a ledger column's header that mark personal data (a party's name, a phone, an ID).
_PERSONAL = (
    "姓名",
    "电话",
    "手机",
    "联系方式",
    "当事人",
    "申请人",
    "身份证",
    "被反映人",
    "被投诉人",
)


def ledger_details(case: Case, unmasked: bool) -> list[tuple[str, str]]:
    """The columns a ledger import kept in the case's details (Chinese headers; the system's
    own keys are ASCII and not shown), masked like the requester for those who may not see
    personal data."""
    shown = []
    for key, value in (case.details or {}).items():
        if key.isascii() or not isinstance(value, str | int | float):
            continue
        text = str(value)
        if not unmasked and any(word in key for word in _PERSONAL):
            text = mask_phone(text) if any(c.isdigit() for c in text) else mask_name(text)
        shown.append((key, text))
    return shown
