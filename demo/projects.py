"""The demo county's investment projects (招商项目), carried from signing towards production by
their resident commissioners (驻厂专员, seed 004) through the projects' services.

Four projects of the ceramic chain at different stages: one in production, one under
construction with a milestone overdue, one whose environmental approval is blocked (with the case
that blocker opened on the engine), and one of Shangbu's electric-porcelain firms just signed and
late on its land. Each move is made at a plausible working time under ``time_machine``, so the
deadlines, the log and the case sit where the real office would have put them.

``load_projects`` is not part of ``demo.load.load`` yet; call it after the county is built.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from cases import deadlines
from demo.county import County
from orgs.models import Organisation
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, User
from projects import services
from projects.models import STAGE_ORDER, Milestone, MilestoneStatus, Project, Stage


@dataclass(frozen=True)
class _Plan:
    firm: str  # the enterprise's name in demo.places; "" for one the login zhuchang serves
    name: str
    investment: Decimal  # 万元
    days_ago: int  # signed this many days before now
    stage: str  # the stage it reaches
    blocked: str = ""  # the title of the milestone left blocked in that stage…
    blocker: str = ""  # …and why
    late: bool = False  # leave the reached stage's milestones pending (overdue)


PLANS = (
    _Plan(
        "佳诚陶瓷有限公司",
        "年产5000万件高端日用瓷智能化生产线项目",
        Decimal("35000"),
        430,
        Stage.PRODUCTION,
    ),
    _Plan(
        "德化县宏图陶瓷科技有限公司",
        "陶瓷3D打印及新材料研发生产基地项目",
        Decimal("28000"),
        330,
        Stage.CONSTRUCTION,
        late=True,
    ),
    _Plan(
        "德化县家和日用瓷有限公司",
        "日用瓷隧道窑节能改造及扩产项目",
        Decimal("12000"),
        120,
        Stage.LAND_PERMITS,
        blocked="环评批复",
        blocker="项目涉及新增窑炉废气排放总量，县域总量指标不足，环评报告书无法受理，"
        "需协调市生态环境局调剂排放总量指标。",
    ),
    _Plan(
        "",  # a Shangbu firm the demo's commissioner (login zhuchang) serves
        "高压电瓷绝缘子扩产项目（二期）",
        Decimal("18000"),
        75,
        Stage.SIGNED,
        late=True,
    ),
)


def _commissioner(firm: Organisation) -> Person | None:
    """The firm's resident commissioner, else its linked cadre (the Dehua firms have no 驻厂专员
    in the demo county yet)."""
    links = EnterpriseLink.objects.filter(enterprise=firm).select_related("person")
    by_kind = {link.kind: link.person for link in links}
    return by_kind.get(EnterpriseLinkKind.RESIDENT_COMMISSIONER) or by_kind.get(
        EnterpriseLinkKind.LINKED_CADRE
    )


def _working_moment(moment: datetime, rng: random.Random) -> datetime:
    """A working time on or after ``moment``'s day: 9:00–16:00 on a working day."""
    local = timezone.localtime(moment)
    day = local.date()
    if not deadlines.is_workday(day):
        day = deadlines.next_workday(day)
    tz = timezone.get_current_timezone()
    return datetime(
        day.year, day.month, day.day, rng.randrange(9, 16), rng.randrange(60), tzinfo=tz
    )


class _Builder:
    def __init__(self, county: County, rng: random.Random, now: datetime, traveller) -> None:
        self.county, self.rng, self.now, self.traveller = county, rng, now, traveller

    def at(self, moment: datetime) -> None:
        # UTC, so time-machine does not switch the process time zone on every move.
        self.traveller.move_to(moment.astimezone(UTC))

    def firm(self, name: str) -> Organisation:
        if name:
            return next(e for e in self.county.enterprises if e.name == name)
        person = self.county.users["zhuchang"].person
        link = EnterpriseLink.objects.filter(
            person=person, kind=EnterpriseLinkKind.RESIDENT_COMMISSIONER
        ).order_by("enterprise__name")
        served = link.values_list("enterprise_id", flat=True).first()
        return next(e for e in self.county.enterprises if e.pk == served)

    def actor_for(self, firm: Organisation) -> tuple[User, Organisation]:
        """Who registers and moves it, and its owner unit: the Shangbu dispatcher and town for
        Shangbu's firms, the chain committee's office for the rest."""
        users, units = self.county.users, self.county.units
        if firm.park.startswith("上埠"):
            return users["shangbu_dispatcher"], self.county.town_govs["shangbu"]
        return users["chain_dispatcher"], units["chain"]

    def finish_stage(self, project: Project, actor: User, stage: str, until: datetime) -> datetime:
        """Complete the stage's milestones between its start and their deadline (never after
        ``until``); returns the moment of the last one."""
        last = timezone.localtime(project.stage_started_at)
        for milestone in Milestone.objects.filter(project=project, stage=stage).order_by(
            "ordering"
        ):
            assert milestone.deadline is not None
            span = milestone.deadline - project.stage_started_at
            moment = project.stage_started_at + span * self.rng.uniform(0.5, 0.9)
            moment = min(max(moment, last), until)
            last = _working_moment(moment, self.rng)
            if last > until:
                last = until
            self.at(last)
            services.complete_milestone(
                milestone, actor=actor, done_on=timezone.localdate(), note="已办结，材料已归档。"
            )
        return last

    def build(self, plan: _Plan) -> Project:
        firm = self.firm(plan.firm)
        assert firm.region is not None  # every demo firm has its village
        actor, owner = self.actor_for(firm)
        signed = _working_moment(self.now - timedelta(days=plan.days_ago), self.rng)
        self.at(signed)
        project = services.create_project(
            actor=actor,
            name=plan.name,
            enterprise=firm,
            region=firm.region,
            investment=plan.investment,
            signed_on=timezone.localdate(),
            owner_unit=owner,
            commissioner=_commissioner(firm),
        )
        reached = STAGE_ORDER.index(plan.stage)
        for stage in STAGE_ORDER[:reached]:
            last = self.finish_stage(project, actor, stage, self.now - timedelta(days=2))
            self.at(_working_moment(last + timedelta(days=1), self.rng))
            project = services.advance_stage(project, actor=actor)
        if plan.blocked:
            milestone = Milestone.objects.get(project=project, title=plan.blocked)
            self.at(_working_moment(project.stage_started_at + timedelta(days=12), self.rng))
            services.block_milestone(milestone, plan.blocker, actor=actor)
        elif not plan.late and plan.stage == Stage.PRODUCTION:
            self.finish_stage(project, actor, plan.stage, self.now - timedelta(hours=1))
        return project


def load_projects(county: County, rng: random.Random, now: datetime) -> list[Project]:
    """Create the demo's projects (idempotent: none if the county has projects already)."""
    if Project.objects.exists():
        return []
    with time_machine.travel(now, tick=False) as traveller:
        builder = _Builder(county, rng, now, traveller)
        projects = [builder.build(plan) for plan in PLANS]
        builder.at(now)
    overdue = Milestone.objects.filter(
        status=MilestoneStatus.PENDING, deadline__lt=now, project__in=projects
    )
    assert overdue.exists(), "the demo shows an overdue milestone"
    return projects
