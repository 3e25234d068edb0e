"""A world with a case in every corner of docs/metrics.md, made by the engine under a set clock:
the fixture of the tests that follow each figure to its list (web and API).

``NOW`` is 2030-06-12; cases fall in March, May and June 2030 and in June 2029 (a year before),
in two towns, at the county itself, at a grid station, for two departments and none, with and
without a category, and as requests a town dispatched to a county department (吹哨报到).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from cases import services
from cases.models import Case, MediationOutcome, Satisfaction, Status
from cases.sweep import sweep
from orgs.models import Organisation, OrgKind
from regions.models import GridStation

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 6, 12, 10, 0, tzinfo=TZ)  # a Wednesday
DAY = timedelta(days=1)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def _handler(world, case: Case):
    return world.handler if case.lead_unit_id == world.dept.pk else world.other_handler


def _assign(world, case: Case, unit=None, deadline=None, category=True) -> Case:
    case = services.triage_case(
        case,
        actor=world.dispatcher,
        category=world.category(case.case_type.code) if category else None,
    )
    return services.assign_case(
        case, actor=world.dispatcher, lead_unit=unit or world.dept, deadline=deadline
    )


def _accept(world, case: Case) -> Case:
    return services.accept_case(case, actor=_handler(world, case))


def _answer(world, case: Case) -> Case:
    if case.status == Status.ASSIGNED:
        case = _accept(world, case)
    return services.answer_case(case, actor=_handler(world, case), answer="已办理，情况已反馈。")


def _visit(world, case: Case, contacted: bool, resolved: bool, satisfaction: str) -> Case:
    return services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=contacted,
        resolved=resolved,
        satisfaction=satisfaction,
    )


def _month(world, start: datetime, unit, region, station=None, town_gov=None) -> None:
    """One month's cases for one unit and place: every kind of figure gets members."""

    def report(type_code: str = "resident_issue", **extra):
        fields = {"region": region, **extra}
        if station is not None:
            fields["station"] = station
        return world.report(type_code, **fields)

    with at(start):
        # Visited: 满意 and closed; 基本满意 not contacted; 不满意 not resolved, reopened (rework).
        closed = _visit(
            world, _answer(world, _assign(world, report(), unit)), True, True, "satisfied"
        )
        services.close_case(closed, actor=world.dispatcher)
        _visit(
            world, _answer(world, _assign(world, report(), unit)), False, True, Satisfaction.BASIC
        )
        failed = _visit(
            world, _answer(world, _assign(world, report(), unit)), True, False, "unsatisfied"
        )
        failed = services.reopen_case(failed, actor=world.dispatcher, reason="问题未解决，重新办理")
        _answer(world, failed)
        # Overdue and never answered; inside its limit; answered late; sent back.
        _assign(world, report(), unit, deadline=start + DAY)
        _assign(world, report(), unit, category=False, deadline=start + 60 * DAY)
        late = _assign(world, report(), unit, deadline=start + DAY)
        sent = _accept(world, _assign(world, report(), unit))
        services.send_back(
            sent, actor=_handler(world, sent), reason_code="not_remit", reason="非本单位职责"
        )
        # On the spot; only reported; refused; a merged duplicate.
        services.resolve_on_spot(report(), actor=world.dispatcher, answer="当场答复。")
        report()
        world.in_status(Status.REJECTED, region=region)
        world.in_status(Status.MERGED, region=region)
        # Disputes: mediated and answered (success, failure), one still inside its limit.
        for outcome in (MediationOutcome.SUCCESS, MediationOutcome.FAILED):
            case = _accept(world, _assign(world, report("dispute"), unit))
            case = services.record_mediation(
                case, actor=_handler(world, case), note="双方到场调解", outcome=outcome
            )
            _answer(world, case)
        _assign(world, report("dispute"), unit, deadline=start + 60 * DAY)
        # A town's whistle to a county department: one signed at once and answered, one never.
        if town_gov is not None:
            for signed in (True, False):
                case = world.report(region=region, committee=town_gov)
                case = _assign(world, case, unit)
                if signed:
                    _answer(world, case)
    with at(start + 3 * DAY):
        _answer(world, late)
        extended = _accept(world, _assign(world, report(), unit, deadline=start + 5 * DAY))
        extended = services.request_extension(
            extended, actor=_handler(world, extended), until=start + 20 * DAY, reason="需协调"
        )
        services.approve_extension(extended, actor=world.dispatcher)
    with at(start + 4 * DAY):
        sweep()


def build(world) -> dict:
    """The cases, and the places and units they fall under."""
    town_gov = Organisation.objects.create(
        kind=OrgKind.TOWN_GOVERNMENT, name="浔中镇人民政府", short_name="浔中镇", region=world.town
    )
    station = GridStation.objects.create(name="浔中村网格驿站", region=world.grid)
    _month(world, datetime(2030, 3, 4, 9, 30, tzinfo=TZ), world.dept, world.grid, station, town_gov)
    _month(world, datetime(2030, 5, 6, 9, 30, tzinfo=TZ), world.other_dept, world.other_grid)
    _month(world, datetime(2029, 6, 3, 9, 30, tzinfo=TZ), world.dept, world.grid)
    with at(datetime(2030, 6, 3, 9, 30, tzinfo=TZ)):
        # At the county itself (above the towns), and one for the other department in June.
        _assign(world, world.report(region=world.county), world.other_dept)
        _answer(world, _assign(world, world.report(region=world.other_grid), world.other_dept))
    return {"town_gov": town_gov, "station": station}
