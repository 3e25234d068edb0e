"""Play planned cases through the engine's services, under a controlled clock.

Each case goes from report to its last move with ``time_machine``, every move at a plausible
working time after the previous one. The overdue sweep runs at the moments the real worker
would have run it, so reminders, overdue flags and supervision sit in the event log where
they belong. A move planned after "now" is not made: recent cases stay open in whatever state
they reached.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases import clocks, deadlines, services
from cases.models import (
    HANDLING_STATUSES,
    Case,
    CaseType,
    Category,
    Channel,
    EscalationStep,
    MediationOutcome,
    Satisfaction,
)
from cases.sweep import sweep
from demo import fake, words
from demo.county import County
from demo.plan import Spec, pick
from enterprises.models import Policy
from orgs.models import Organisation, OrgKind
from people.models import COLLECTOR_ROLES, User
from regions.models import GridStation

C = Channel
SWEEP_INTERVAL = timedelta(minutes=10)
ONE_MINUTE = timedelta(minutes=1)

MEDIATION_OUTCOMES = {
    "dispute": {
        MediationOutcome.SUCCESS: 985,
        MediationOutcome.FAILED: 10,
        MediationOutcome.REFERRED: 5,
    },
    "ip_infringement": {
        MediationOutcome.SUCCESS: 80,
        MediationOutcome.REFERRED: 15,
        MediationOutcome.TERMINATED: 5,
    },
}
CHANNEL_NOTES: dict[str, str] = {
    C.HOTLINE: "（12345热线来电）",
    C.WALK_IN: "（到便民服务中心窗口反映）",
    C.TRANSFER: "（泉州市12345平台转办）",
    C.API: "（“闽政通”平台推送）",
    C.EVENING_MEETING: "（屋场夜谈会上群众提出）",
}
SOURCE_WORDS: dict[str, str] = {
    C.GRID: "网格摸排",
    C.VISIT: "走访排查",
    C.HOTLINE: "热线来电",
    C.WALK_IN: "窗口来访",
    C.TRANSFER: "上级交办",
    C.WEB: "网上反映",
    C.EVENING_MEETING: "屋场夜谈会",
    C.MEETING: "会议收集",
    C.API: "平台推送",
}


class _Stop(Exception):
    """The next move would happen after now (or after a forced stage): the case stays open."""


class Replayer:
    """Plays specs through ``cases.services`` under a time-machine traveller."""

    def __init__(
        self,
        county: County,
        types: dict[str, CaseType],
        rng: random.Random,
        now: datetime,
        move_clock: Callable[[datetime], None],
    ) -> None:
        self.county, self.types, self.rng, self.now, self.move_clock = (
            county,
            types,
            rng,
            now,
            move_clock,
        )
        self.categories = {(c.case_type_id, c.name): c for c in Category.objects.all()}
        # Grid reports in an area with a grid station (网格驿站) are taken in there: the
        # deepest station whose area holds the place (Shangbu's 52).
        self.stations = sorted(
            GridStation.objects.select_related("region"), key=lambda s: -len(s.region.path)
        )
        self.users = county.users
        self.case: Case | None = None
        self._done: set[tuple[str, datetime]] = set()
        self.last = now
        self.sweeps = 0
        self.played = 0
        self._ladders: dict[int | None, dict[str, list[EscalationStep]]] | None = None

    def _current(self) -> Case:
        """The case being played (reported by ``_report``)."""
        assert self.case is not None
        return self.case

    def _deadline(self) -> datetime:
        """The deadline of the case being played, which is in handling."""
        deadline = self._current().deadline
        assert deadline is not None
        return deadline

    # --- the clock ---------------------------------------------------------------------------

    def _at(self, moment: datetime) -> None:
        """Advance this case's clock to ``moment`` (after its last move), sweeping on the way."""
        moment = max(moment, self.last + ONE_MINUTE)
        if moment > self.now:
            raise _Stop
        self._catch_up(moment)
        self.move_clock(moment)
        self.last = moment

    def _after(self, low: float, high: float) -> None:
        """The next move, some working hours after the last one."""
        hours = self.rng.uniform(low, high) * (0.25 if self.spec.brisk else 1.0)
        self._at(deadlines.add_working_hours(self.last, hours))

    @staticmethod
    def _working_hours(start: datetime, end: datetime) -> float:
        conf, tz = settings.LIANXIN, timezone.get_current_timezone()
        total, day = 0.0, timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            if deadlines.is_workday(day):
                open_at = datetime.combine(day, time(conf["WORKDAY_START_HOUR"]), tzinfo=tz)
                close_at = datetime.combine(day, time(conf["WORKDAY_END_HOUR"]), tzinfo=tz)
                begin, finish = max(open_at, start), min(close_at, end)
                if finish > begin:
                    total += (finish - begin).total_seconds() / 3600
            day += timedelta(days=1)
        return total

    def _between(self, start: datetime, end: datetime, fraction: float) -> datetime:
        """The moment ``fraction`` of the working time from ``start`` to ``end``."""
        return deadlines.add_working_hours(start, self._working_hours(start, end) * fraction)

    def _catch_up(self, until: datetime) -> None:
        """Run the overdue sweep for this case at each moment the real worker would have.

        The worker runs every few minutes: a reminder shortly before the deadline, the overdue
        flag right after it, supervision after midnight and escalation five working days on.
        Each checkpoint runs once per deadline; a case the sweep leaves alone costs nothing.
        """
        done: set[tuple[str, datetime]] = self._done
        while (
            self.case is not None and self.case.status in HANDLING_STATUSES and self.case.deadline
        ):
            case, due = self.case, self.case.deadline
            candidates = []
            if case.reminded_at is None and not case.is_overdue:
                candidates.append(
                    ("remind", deadlines.subtract_working_days(due, 1) + SWEEP_INTERVAL)
                )
            if not case.is_overdue:
                candidates.append(("overdue", due + SWEEP_INTERVAL))
            if case.supervision_level == 0:
                # The sweep supervises on working days only: the first after the deadline.
                midnight = datetime.combine(
                    deadlines.next_workday(timezone.localtime(due).date()),
                    time(0),
                    tzinfo=timezone.get_current_timezone(),
                )
                candidates.append(("supervise", midnight + SWEEP_INTERVAL))
            elif case.supervision_level == 1:
                candidates.append(("escalate", self._escalation_moment(due)))
            # The escalation ladder's rungs (逐级督办), each at its own moment after its stage's
            # deadline, as the worker running every few minutes would climb them.
            if case.clock_paused_at is None:
                for stage, stage_due, done_at in clocks.stage_deadlines(case):
                    if stage_due is None or done_at is not None:
                        continue
                    for step in self._ladder(case, stage):
                        if step.offset_hours >= 0:
                            rung = deadlines.add_working_hours(stage_due, step.offset_hours)
                            rung += SWEEP_INTERVAL  # the worker's next run after it is due
                            candidates.append((f"rung-{stage}-{step.level}-{stage_due}", rung))
            best = None
            for kind, moment in candidates:
                moment = max(moment, self.last + SWEEP_INTERVAL)
                if (kind, due) in done or moment >= until or (kind == "remind" and moment >= due):
                    continue
                if best is None or moment < best[0]:
                    best = (moment, kind)
            if best is None:
                return
            moment, kind = best
            done.add((kind, due))
            self.move_clock(moment)
            self.last = moment
            sweep(now=moment, case_ids=[case.pk])
            self.sweeps += 1
            self.case = Case.objects.select_related("region", "case_type").get(pk=case.pk)

    def _ladder(self, case: Case, stage: str) -> list[EscalationStep]:
        """The rungs of the case's type for ``stage`` (the default ladder without its own)."""
        if self._ladders is None:
            self._ladders = {}
            for step in EscalationStep.objects.order_by("level"):
                by_stage = self._ladders.setdefault(step.case_type_id, {})
                by_stage.setdefault(step.stage, []).append(step)
        ladder = self._ladders.get(case.case_type_id, self._ladders.get(None, {}))
        return ladder.get(stage, [])

    @staticmethod
    def _escalation_moment(due: datetime) -> datetime:
        local = timezone.localtime(due)
        day = local.date()
        for _ in range(5):
            day = deadlines.next_workday(day)
        return datetime.combine(day, local.timetz()) + SWEEP_INTERVAL

    # --- actors ------------------------------------------------------------------------------

    def _dispatcher(self) -> User:
        return self.users[
            {
                "chain": "chain_dispatcher",
                "huju": "huju_dispatcher",
                "shangbu": "shangbu_dispatcher",
                "dehua": "dispatcher",
            }[self.spec.area]
        ]

    def _committee(self) -> Organisation | None:
        area = self.spec.area
        if area == "chain":
            return self.county.units["chain"]
        return self.county.town_govs[area] if area in ("huju", "shangbu") else None

    def _window(self) -> User:
        """The town's service-centre window (便民服务中心) where there is one, else its dispatcher."""
        return self.users["huju_window"] if self.spec.area == "huju" else self._dispatcher()

    def _field_worker(self) -> User:
        """The grid worker, grid chief or village cadre responsible for the case's place."""
        spec, county = self.spec, self.county
        region = spec.region
        if spec.area == "huju" or (spec.village and spec.village[0] == "huju"):
            return county.village_cadres[spec.village]
        workers = county.grid_workers.get(region.pk) or []
        chief = county.grid_chiefs.get(region.pk)
        if chief and (not workers or self.rng.random() < 0.25):
            return chief
        if workers:
            return self.rng.choice(workers)
        return county.village_cadres.get(spec.village) or self._dispatcher()

    def _collector(self) -> User | None:
        spec = self.spec
        if spec.channel == C.HOTLINE:
            return self.users["operator"]  # 12345 热线话务员
        if spec.channel == C.WALK_IN:
            return self._window()
        if spec.channel == C.TRANSFER:
            return self.users["dispatcher"]
        if spec.channel == C.API:
            return None
        if spec.channel == C.WEB:
            return spec.web_user
        if spec.area == "chain":
            ent = spec.enterprise  # every chain case concerns an enterprise
            if (
                spec.channel == C.VISIT
                and spec.meeting is None
                and ent is not None
                and ent.pk in self.county.linked_cadres
            ):
                return self.county.linked_cadres[ent.pk]
            if spec.channel in (C.MEETING, C.VISIT):
                return self.users["chain_dispatcher"]
        if spec.channel == C.VISIT and spec.area == "shangbu":
            return self.county.grid_chiefs.get(spec.region.pk) or self._field_worker()
        return self._field_worker()

    def _resolver(self, collector: User | None) -> User:
        spec = self.spec
        if spec.channel == C.HOTLINE:
            return self.users["operator"]  # 直接答复 on the call
        if spec.channel == C.WALK_IN:
            return self._window()
        if spec.channel == C.TRANSFER:
            return self.users["dispatcher"]
        if spec.channel in (C.WEB, C.API) or spec.area == "chain":
            return self._dispatcher()
        if collector is not None and any(
            a.role in COLLECTOR_ROLES and a.region_id for a in collector.role_assignments
        ):
            return collector
        return self._field_worker()

    def _visitor(self) -> User:
        """Who calls back: the hotline for its own callers, else the committee or the grid."""
        spec, rng = self.spec, self.rng
        if spec.area == "chain":
            return self.users["chain_dispatcher"]
        if spec.channel == C.HOTLINE:
            return self.users["dispatcher"]
        if spec.area == "huju" and rng.random() < 0.7:
            return self.county.village_cadres[spec.village]  # 村民代表反馈结果
        if (
            spec.area == "shangbu"
            and rng.random() < 0.5
            and spec.region.pk in self.county.grid_chiefs
        ):
            return self.county.grid_chiefs[spec.region.pk]
        if (
            spec.area == "dehua"
            and rng.random() < 0.2
            and self.county.grid_workers.get(spec.region.pk)
        ):
            return self.county.grid_workers[spec.region.pk][0]
        return self._dispatcher()

    def _unit(self, key: str) -> Organisation:
        if key == "town":
            return self.county.town_govs[self.spec.village[0]]
        if key == "village":
            return self.county.village_committees[self.spec.village]
        return self.county.units[key]

    def _handler(self, unit: Organisation) -> User:
        return self.county.handlers[unit.pk]

    # --- one case ----------------------------------------------------------------------------

    def play(self, spec: Spec) -> Case | None:
        self.spec, self.case, self._done = spec, None, set()
        self.played += 1
        self.last = spec.reported_at - ONE_MINUTE
        try:
            self._report()
            self._stage("reported")
            if spec.scenario == "on_spot":
                self._on_spot()
            elif spec.scenario == "reject":
                self._reject()
            elif (
                spec.scenario == "merge"
                and spec.master is not None
                and spec.master.case is not None
            ):
                self._merge()
            else:
                self._dispatch()
        except _Stop:
            pass
        if self.case is not None and self.case.status in HANDLING_STATUSES:
            self._catch_up(self.now)
        spec.case = self.case
        return self.case

    def _stage(self, name: str) -> None:
        if self.spec.stop == name:
            raise _Stop

    def _category(self) -> Category:
        spec = self.spec
        return self.categories[(self.types[spec.type_code].pk, spec.category)]

    def _texts(self) -> tuple[str, str]:
        spec, rng = self.spec, self.rng
        values = dict(spec.numbers)
        ent = spec.enterprise
        values["ent"] = ent.name if ent else ""
        values["park"] = ent.park if ent and ent.park else "园区"
        village = self.county.villages[spec.village].name if spec.village else ""
        values["place"] = spec.region.name if spec.region.level > 3 else village
        values["village"] = village
        detail = spec.topic.detail.format_map(values)
        if spec.meeting is not None and spec.channel in (C.MEETING, C.VISIT):
            detail += f"（{spec.meeting.title}上提出）"
        else:
            detail += CHANNEL_NOTES.get(spec.channel, "")
        title = spec.topic.title
        if ent is not None and spec.type_code in ("enterprise_demand", "ip_infringement"):
            short = ent.name.replace("德化县", "").replace("有限公司", "").replace("(福建)", "")
            title = f"{short}：{title}"
        elif village and rng.random() < 0.6:
            title = f"{village}{title}"
        self._values = values
        return title, detail

    def _details(self) -> dict[str, Any]:
        spec, rng = self.spec, self.rng
        details: dict[str, Any] = {}
        if spec.type_code == "dispute":
            details = {
                "party": spec.requester_name or (spec.requester.name if spec.requester else ""),
                "opposing_party": fake.person_name(rng),
                "dispute_source": SOURCE_WORDS.get(spec.channel, ""),
            }
        elif spec.type_code == "ip_infringement":
            details = {
                "right_holder": spec.enterprise.name if spec.enterprise else "",
                "infringer": rng.choice(
                    ("某电商平台店铺", "外地陶瓷经销商", "本地个体作坊", "直播带货账号")
                ),
                "ip_kind": spec.category,
            }
        elif spec.type_code == "enterprise_demand":
            details = {
                "duty_list": True,
                "chain_position": spec.enterprise.chain_position if spec.enterprise else "",
            }
        if spec.channel == C.API:
            details["source_system"] = "闽政通"
        elif spec.channel == C.TRANSFER:
            details["transferred_from"] = "泉州市12345政务服务便民热线"
        return details

    def _report(self) -> None:
        spec = self.spec
        self._at(spec.reported_at)
        title, detail = self._texts()
        self.collector = self._collector()
        self.case = services.report_case(
            actor=self.collector,
            case_type=self.types[spec.type_code],
            region=spec.region,
            title=title,
            description=detail,
            channel=spec.channel,
            category=self._category()
            if spec.channel in (C.WEB, C.API, C.HOTLINE, C.WALK_IN)
            else None,
            requester=spec.requester,
            requester_name=spec.requester_name,
            requester_phone=spec.requester_phone,
            enterprise=spec.enterprise,
            station=self._station() if spec.channel == C.GRID else None,
            committee=self._committee(),
            meeting=spec.meeting,
            address=spec.address,
            details=self._details(),
            source_key=f"demo-mzt-{spec.reported_at:%Y%m%d%H%M%S}-{self.played}"
            if spec.channel == C.API
            else None,
        )

    def _station(self) -> GridStation | None:
        path = self.spec.region.path
        return next((s for s in self.stations if path.startswith(s.region.path)), None)

    def _on_spot(self) -> None:
        rng = self.rng
        self._at(self.last + timedelta(minutes=rng.uniform(5, 40)))  # there and then, any hour
        # A dispute settled there and then is a successful mediation (Shangbu: 90 of 91).
        outcome = "success" if self._current().case_type.has_mediation else ""
        self.case = services.resolve_on_spot(
            self.case,
            actor=self._resolver(self.collector),
            answer=self.spec.topic.on_spot,
            mediation_outcome=outcome,
            policy=self._policy(),
        )
        self._stage("answered")
        self._after(4, 20)
        self._visit(passed=rng.random() > 0.03)
        self._stage("visited")
        self._close()

    def _reject(self) -> None:
        dispatcher = self._dispatcher()
        if self.rng.random() < 0.3:
            self._after(0.3, 4)
            self.case = services.triage_case(self.case, actor=dispatcher, category=self._category())
        self._after(0.3, 6)
        self.case = services.reject_case(
            self.case, actor=dispatcher, reason=self.rng.choice(words.REJECT_REASONS)
        )

    def _merge(self) -> None:
        assert self.spec.master is not None and self.spec.master.case is not None
        master = self.spec.master.case
        self._after(0.2, 4)
        self.case = services.merge_case(
            self.case,
            actor=self._dispatcher(),
            master=master,
            note=f"与{master.number}反映的是同一问题，合并办理。",
        )

    def _assign(self, lead: Organisation, co: list[Organisation], note: str = "") -> None:
        self.case = services.assign_case(
            self.case, actor=self._dispatcher(), lead_unit=lead, co_units=co, note=note
        )

    def _dispatch(self) -> None:
        spec, rng = self.spec, self.rng
        dispatcher = self._dispatcher()
        if rng.random() < 0.12:
            self._after(8, 24)  # a backlog day: it waits a day or two for 研判
        else:
            self._after(0.3, 6)
        units = spec.topic.units
        lead = self._unit(units[0] if rng.random() < 0.85 or len(units) == 1 else rng.choice(units))
        co = [self._unit(k) for k in spec.topic.co if rng.random() < 0.5]
        if spec.type_code == "enterprise_demand" and rng.random() < 0.25:
            co.append(self.county.units["zhuanban"])  # the working group tracks and feeds back
        co = [u for i, u in enumerate(co) if u.pk != lead.pk and u not in co[:i]]
        self.case = services.triage_case(
            self.case,
            actor=dispatcher,
            category=self._category(),
            priority=spec.priority,
            risk_level=spec.risk,
            note=words.TRIAGE_NOTE_CO_UNITS if co else rng.choice(words.TRIAGE_NOTES),
        )
        self._stage("triaged")
        self._after(0.05, 1.5)
        self._assign(lead, co)
        self._stage("assigned")
        if spec.scenario == "send_back":
            if rng.random() < 0.5:
                self._after(0.2, 2)
                self.case = services.accept_case(self.case, actor=self._handler(lead))
            local = lead.kind in (OrgKind.TOWN_GOVERNMENT, OrgKind.VILLAGE_COMMITTEE)
            code, reason = rng.choice(
                words.LOCAL_SEND_BACK_REASONS if local else words.SEND_BACK_REASONS
            )
            self._after(0.5, 6)
            self.case = services.send_back(
                self.case, actor=self._handler(lead), reason_code=code, reason=reason
            )
            self._after(0.3, 3)
            self.case = services.triage_case(self.case, actor=dispatcher, note=words.RETRIAGE_NOTE)
            fallback = ("tcb", "zhuanban") if spec.area == "chain" else ("village", "town")
            options = [
                k
                for k in (*spec.topic.units, *spec.topic.co, "town", *fallback)
                if self._unit(k).pk != lead.pk
            ]
            lead = self._unit(rng.choice(options))
            self._after(0.05, 1)
            self._assign(lead, [u for u in co if u.pk != lead.pk], note=words.RETRIAGE_NOTE)
        if spec.scenario == "stuck" and rng.random() < 0.3:
            raise _Stop  # never signed for: overdue while still waiting in the unit's inbox
        if rng.random() < 0.08:
            self._after(3, 12)  # signed late, past the response limit
        else:
            self._after(0.2, 3)
        self.case = services.accept_case(self.case, actor=self._handler(lead))
        self._stage("accepted")
        if spec.scenario == "stuck":
            raise _Stop
        self._ask_requester(lead)
        self._handle(lead, co, first=True)
        self._stage("answered")
        passed = spec.scenario not in ("rework", "closed_unsatisfied")
        self._after(2, 16)
        if spec.scenario == "unreached":
            self.case = services.return_visit(
                self.case, actor=self._visitor(), reached=False, note=words.UNREACHED_NOTE
            )
            self._after(3, 12)
        self._visit(passed=passed)
        self._stage("visited")
        if spec.scenario == "rework":
            self._after(0.5, 4)
            self.case = services.reopen_case(
                self.case, actor=dispatcher, reason=words.REOPEN_REASON
            )
            self._handle(lead, co, first=False)
            self._after(2, 16)
            self._visit(passed=True)
        self._close()

    def _ask_requester(self, lead: Organisation) -> None:
        """Some units ask a requester who follows the case on the phone for more (请补充信息);
        the requester answers a few hours later."""
        requester = self.spec.web_user
        if requester is None or not services.is_requester(requester, self._current()):
            return
        rng = self.rng
        if rng.random() >= 0.3:
            return
        self._after(0.2, 2)
        index = rng.randrange(len(words.INFO_QUESTIONS))
        self.case = services.request_info(
            self.case, actor=self._handler(lead), question=words.INFO_QUESTIONS[index]
        )
        self._after(1, 6)
        self.case = services.add_info(self.case, actor=requester, info=words.INFO_ANSWERS[index])

    def _handle(self, lead: Organisation, co: list[Organisation], *, first: bool) -> None:
        """From signing to the answer: notes, mediation, an extension, supervision if late."""
        spec, rng = self.spec, self.rng
        scenario = spec.scenario if first else "normal"
        handler = self._handler(lead)
        late = scenario == "late"
        if scenario in ("extension", "ext_refused") and self.last < self._deadline() - timedelta(
            hours=1
        ):
            due = self._deadline()
            self._at(self._between(self.last, due, rng.uniform(0.4, 0.8)))
            until = deadlines.add_working_days(due, rng.choice((3, 5, 10)))
            self.case = services.request_extension(
                self.case, actor=handler, until=until, reason=rng.choice(words.EXTENSION_REASONS)
            )
            self._after(0.5, 4)
            if scenario == "extension":
                self.case = services.approve_extension(
                    self.case, actor=self._dispatcher(), note="同意延期。"
                )
            else:
                self.case = services.refuse_extension(
                    self.case, actor=self._dispatcher(), reason=rng.choice(words.REFUSE_REASONS)
                )
                late = rng.random() < 0.5
        due = self._deadline()
        if late or self.last >= due:
            answer_at = deadlines.add_working_hours(max(due, self.last), rng.uniform(1, 30))
        else:
            low, high = (0.1, 0.3) if spec.brisk else (0.25, 0.92)
            answer_at = self._between(self.last, due, rng.uniform(low, high))
        steps: list[tuple[datetime, str]] = []
        anchor = self.last
        if spec.type_code in MEDIATION_OUTCOMES:
            sessions = rng.choice((1, 1, 2, 2, 3))
            for i in range(sessions):
                moment = self._between(anchor, answer_at, (i + 1) / (sessions + 1))
                steps.append((moment, "final" if i == sessions - 1 else "mediate"))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            steps.append((self._between(anchor, answer_at, rng.uniform(0.1, 0.9)), "note"))
        if late and rng.random() < 0.35:
            steps.append((deadlines.add_working_hours(due, rng.uniform(0.5, 3)), "leader"))
        outcome = ""
        for moment, kind in sorted(steps, key=lambda s: s[0]):
            if moment >= answer_at:
                continue
            self._at(moment)
            if kind == "note":
                actor = self._handler(rng.choice(co)) if co and rng.random() < 0.3 else handler
                self.case = services.add_progress_note(
                    self.case, actor=actor, note=rng.choice(words.PROGRESS_NOTES)
                )
            elif kind == "leader":
                self.case = services.supervise_case(
                    self.case, actor=self.users["leader"], note=words.LEADER_SUPERVISION
                )
            else:
                if kind == "final":
                    outcome = pick(rng, MEDIATION_OUTCOMES[spec.type_code])
                self.case = services.record_mediation(
                    self.case,
                    actor=self._mediator(handler),
                    outcome=outcome if kind == "final" else "",
                    note=self._mediation_note(kind, outcome),
                )
        self._at(answer_at)
        head = self.county.heads.get(lead.pk)
        answerer = head if head and rng.random() < 0.5 else handler
        answer = spec.topic.answer.format_map(self._values)
        if outcome in (MediationOutcome.FAILED, MediationOutcome.REFERRED):
            answer = words.MEDIATION_FAILED
        elif outcome == MediationOutcome.TERMINATED:
            answer = "权利人撤回投诉，终止调解，已告知其可依法另行主张权利。"
        if not first:
            answer = "重办情况：" + answer
        self.case = services.answer_case(
            self.case, actor=answerer, answer=answer, policy=self._policy()
        )

    def _policy(self) -> Policy | None:
        """The policy the topic's answer applies, if it was in force by now."""
        policy = self.county.policies.get(self.spec.topic.policy)
        if policy is None or policy.valid_from > timezone.localdate():
            return None
        return policy

    def _mediation_note(self, kind: str, outcome: str) -> str:
        spec = self.spec
        if kind == "final":
            if outcome == MediationOutcome.SUCCESS:
                return words.MEDIATION_SUCCESS[spec.type_code]
            return words.MEDIATION_FAILED
        notes = (
            words.IP_MEDIATION_NOTES
            if spec.type_code == "ip_infringement"
            else words.MEDIATION_NOTES
        )
        return self.rng.choice(notes).format(venue=words.MEDIATION_VENUES[spec.area])

    def _mediator(self, handler: User) -> User:
        spec = self.spec
        if (
            spec.type_code == "dispute"
            and spec.area in ("huju", "shangbu")
            and self.rng.random() < 0.5
        ):
            return self._field_worker()
        return handler

    def _visit(self, *, passed: bool) -> None:
        rng = self.rng
        if passed:
            satisfaction, resolved = (
                (Satisfaction.SATISFIED if rng.random() < 0.85 else Satisfaction.BASIC),
                True,
            )
        elif rng.random() < 0.7:
            satisfaction, resolved = Satisfaction.UNSATISFIED, rng.random() < 0.4
        else:
            satisfaction, resolved = Satisfaction.BASIC, False
        contacted = rng.random() < 0.96
        requester = self.spec.web_user
        if requester is not None and services.is_requester(requester, self._current()):
            # The requester rates on the phone (群众评价): that is the return visit.
            self.case = services.rate_case(
                self.case,
                actor=requester,
                contacted=contacted,
                resolved=resolved,
                satisfaction=satisfaction,
                comment=words.RATING_COMMENTS[satisfaction],
            )
            return
        self.case = services.return_visit(
            self.case,
            actor=self._visitor(),
            reached=True,
            contacted=contacted,
            resolved=resolved,
            satisfaction=satisfaction,
            note=words.VISIT_NOTES[satisfaction],
        )

    def _close(self) -> None:
        self._after(0.3, 8)
        note = "" if self._current().visit_passed else words.CLOSE_UNSATISFIED
        self.case = services.close_case(self.case, actor=self._dispatcher(), note=note)


def suggest_units(county: County, types: dict[str, CaseType]) -> None:
    """Fill each category's suggested lead unit (only where an administrator left it empty)."""
    for code, categories in words.TOPICS.items():
        for name, topics in categories.items():
            key = next((k for t in topics for k in t.units if k not in ("town", "village")), None)
            if key:
                Category.objects.filter(
                    case_type=types[code], name=name, suggested_unit__isnull=True
                ).update(suggested_unit=county.units[key])
