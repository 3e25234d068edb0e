"""Every change of a project: one transaction each, with its ``ProjectEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code and lazy Chinese text (each
door renders it), ``PermissionDenied`` for a caller outside ``projects.scope.may_write``. A
milestone blocked by a problem opens a case on the engine (``cases.services.report_case``), in
the same transaction, so the firm's blocker is dispatched, handled and visited like any demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases import services as engine
from cases.models import Case, CaseType, Category, Channel, Status, Via
from orgs.models import Organisation, OrgKind
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, User
from projects.models import (
    STAGE_ORDER,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectEvent,
    ProjectEventKind,
    Stage,
    next_stage,
)
from projects.scope import OWNER_KINDS, may_write
from regions.models import Region

K = ProjectEventKind
MAX_INVESTMENT = Decimal("999999999999.99")  # the column's 14 digits, 2 after the point
# Who may lead the service of a project (责任单位): ``projects.scope.OWNER_KINDS``.
# The case a blocked milestone opens: an enterprise demand, raised on the commissioner's visit.
BLOCKER_CASE_TYPE = "enterprise_demand"
BLOCKER_CHANNEL = Channel.VISIT
# A blocker's case is over when it is closed or refused; a merged one follows its master.
OVER = (Status.CLOSED, Status.REJECTED)


@dataclass(frozen=True)
class MilestonePlan:
    """A milestone to create: its stage, title, and working days from its stage's start (or a
    due date)."""

    stage: str
    title: str
    planned_days: int | None = None
    due_on: date | None = None


# The usual steps of a manufacturing project (the seeds' 签约 → 供地 → 开工 → 投产), with
# working days from the start of each stage.
STANDARD_MILESTONES: tuple[MilestonePlan, ...] = (
    MilestonePlan(Stage.SIGNED, "项目备案", 10),
    MilestonePlan(Stage.SIGNED, "土地摘牌", 40),
    MilestonePlan(Stage.LAND_PERMITS, "环评批复", 30),
    MilestonePlan(Stage.LAND_PERMITS, "不动产权证", 20),
    MilestonePlan(Stage.LAND_PERMITS, "施工许可证", 40),
    MilestonePlan(Stage.CONSTRUCTION, "主体封顶", 120),
    MilestonePlan(Stage.CONSTRUCTION, "设备安装", 160),
    MilestonePlan(Stage.PRODUCTION, "试生产", 20),
    MilestonePlan(Stage.PRODUCTION, "竣工验收", 60),
)


def _error(field: str | None, message: Any, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _authorize(actor: User, project: Project) -> None:
    if not may_write(actor, project):
        raise PermissionDenied(_("您无权维护该项目。"))


def _log(
    project: Project,
    kind: str,
    *,
    actor: User | None,
    via: str,
    now: datetime,
    milestone: Milestone | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ProjectEvent:
    event = ProjectEvent(
        project=project,
        milestone=milestone,
        kind=kind,
        actor=actor,
        via=via,
        reason=reason,
        data=data or {},
        created_at=now,
    )
    event.save(force_insert=True)
    return event


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def milestone_deadline(plan: Milestone | MilestonePlan, start: datetime) -> datetime:
    """When a milestone is due if its stage begins at ``start``: ``planned_days`` working days
    after that day, or the end of ``due_on`` (the next working day when it is a holiday)."""
    if plan.due_on is not None:
        tz = timezone.get_current_timezone()
        return deadlines.add_working_days(datetime.combine(plan.due_on, time(), tzinfo=tz), 0)
    assert plan.planned_days is not None
    return deadlines.add_working_days(start, plan.planned_days)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.get_current_timezone())


# --- Creating a project -----------------------------------------------------------------------


def _clean_plans(plans: Iterable[MilestonePlan]) -> list[MilestonePlan]:
    cleaned = []
    for plan in plans:
        title = (plan.title or "").strip()
        if plan.stage not in STAGE_ORDER:
            raise _error("milestones", _("节点的所属阶段无效。"), "invalid_stage")
        if not title:
            raise _error("milestones", _("请填写节点名称。"), "required")
        if plan.planned_days is None and plan.due_on is None:
            raise _error(
                "milestones",
                _("节点“%(title)s”须填写计划工作日或指定完成日期。"),
                "no_plan",
                title=title,
            )
        if plan.planned_days is not None and not 0 < plan.planned_days <= 1000:
            raise _error(
                "milestones", _("计划工作日须在 1 至 1000 之间。"), "invalid_days", title=title
            )
        cleaned.append(MilestonePlan(plan.stage, title[:100], plan.planned_days, plan.due_on))
    return cleaned


def _investment(value: Decimal | int | str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or not Decimal(0) < amount <= MAX_INVESTMENT:
        raise _error("investment", _("计划投资须为大于 0 的数（万元）。"), "invalid_amount")
    return amount.quantize(Decimal("0.01"))


# Who may be named a project's commissioner: a cadre the firm is linked to (the demo's firms
# without a 驻厂专员 have their 挂钩干部 in that place).
COMMISSIONER_KINDS = (
    EnterpriseLinkKind.RESIDENT_COMMISSIONER,
    EnterpriseLinkKind.LINKED_CADRE,
    EnterpriseLinkKind.PARTY_INSTRUCTOR,
)


def _links(person: Person, enterprise: Organisation) -> bool:
    return EnterpriseLink.objects.filter(
        person=person, enterprise=enterprise, kind__in=COMMISSIONER_KINDS
    ).exists()


def check_project(
    *,
    name: str,
    enterprise: Organisation,
    owner_unit: Organisation,
    signed_on: date,
    investment: Decimal | int | str,
    commissioner: Person | None = None,
) -> tuple[str, Decimal]:
    """The checks of a new project's own fields (the admin's form runs them too); returns the
    trimmed name and the investment as stored."""
    name = (name or "").strip()
    if not name:
        raise _error("name", _("请填写项目名称。"), "required")
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("项目企业须为企业。"), "not_enterprise")
    if owner_unit.kind not in OWNER_KINDS or not owner_unit.is_active:
        raise _error(
            "owner_unit",
            _("“%(unit)s”不能作为项目责任单位。"),
            "not_owner_unit",
            unit=str(owner_unit),
        )
    if signed_on > timezone.localdate():
        raise _error("signed_on", _("签约日期不能晚于今天。"), "future")
    if commissioner is not None and not _links(commissioner, enterprise):
        # The commissioner writes the project: naming oneself would make anyone a writer.
        raise _error(
            "commissioner", _("驻厂专员须为该企业的驻厂专员或挂钩干部。"), "not_commissioner"
        )
    return name, _investment(investment)


def create_project(
    *,
    actor: User,
    name: str,
    enterprise: Organisation,
    region: Region,
    investment: Decimal | int | str,
    signed_on: date,
    owner_unit: Organisation,
    commissioner: Person | None = None,
    milestones: Iterable[MilestonePlan] | None = None,
    via: str = Via.SYSTEM,
) -> Project:
    """Register a signed project with its milestones (the standard ones unless given). The first
    stage starts on the signing day, so its milestones' deadlines count from there."""
    name, amount = check_project(
        name=name,
        enterprise=enterprise,
        owner_unit=owner_unit,
        signed_on=signed_on,
        investment=investment,
        commissioner=commissioner,
    )
    plans = _clean_plans(STANDARD_MILESTONES if milestones is None else milestones)
    now = timezone.now()
    project = Project(
        name=name[:150],
        enterprise=enterprise,
        region=region,
        investment=amount,
        signed_on=signed_on,
        stage=Stage.SIGNED,
        stage_started_at=_start_of(signed_on),
        commissioner=commissioner,
        owner_unit=owner_unit,
        created_by=actor,
        created_at=now,
    )
    _authorize(actor, project)
    with transaction.atomic():
        project.save(force_insert=True)
        Milestone.objects.bulk_create(
            Milestone(
                project=project,
                stage=plan.stage,
                title=plan.title,
                ordering=index,
                planned_days=plan.planned_days,
                due_on=plan.due_on,
                # Only the first stage has begun; the others get theirs when they begin.
                deadline=(
                    milestone_deadline(plan, project.stage_started_at)
                    if plan.stage == Stage.SIGNED
                    else None
                ),
            )
            for index, plan in enumerate(plans, start=1)
        )
        _log(
            project,
            K.CREATED,
            actor=actor,
            via=via,
            now=now,
            data={
                "enterprise": enterprise.pk,
                "investment": str(amount),
                "signed_on": signed_on.isoformat(),
                "milestones": len(plans),
            },
        )
    return project


# --- Moving a project -------------------------------------------------------------------------


def _lock(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("enterprise", "region")
        .get(pk=project.pk)
    )


def _lock_milestone(milestone: Milestone, actor: User) -> tuple[Project, Milestone]:
    """Lock the project, then the milestone (always in this order: no deadlock between two
    moves of one project), and check the actor on the fresh project."""
    project = _lock(milestone.project)
    _authorize(actor, project)
    fresh = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=milestone.pk)
    )
    fresh.project = project
    return project, fresh


def advance_stage(
    project: Project,
    *,
    actor: User,
    stage: str | None = None,
    reason: str = "",
    via: str = Via.SYSTEM,
) -> Project:
    """Move the project one stage forward (``stage``, if given, must be that next one: a form
    read before a colleague's advance does not skip a stage). Every milestone of the current
    stage must be done, unless ``reason`` says why it goes ahead without them. The new stage's
    milestones get their deadlines from now."""
    reason = (reason or "").strip()
    with transaction.atomic():
        project = _lock(project)
        _authorize(actor, project)
        target = next_stage(project.stage)
        if target is None:
            raise _error("stage", _("项目已投产，没有下一阶段。"), "last_stage")
        if stage is not None and stage != target:
            raise _error(
                "stage",
                _("只能推进到下一阶段“%(stage)s”。"),
                "not_next_stage",
                stage=Stage(target).label,
            )
        open_ids = list(
            project.milestones.filter(stage=project.stage)
            .exclude(status=MilestoneStatus.DONE)
            .values_list("pk", flat=True)
        )
        if open_ids and not reason:
            raise _error(
                "reason",
                _("本阶段还有 %(count)s 个节点未完成，须说明理由才能推进。"),
                "milestones_open",
                count=len(open_ids),
            )
        now = timezone.now()
        from_stage = project.stage
        project.stage, project.stage_started_at = target, now
        project.save(update_fields=["stage", "stage_started_at", "updated_at"])
        due = list(project.milestones.filter(stage=target, status=MilestoneStatus.PENDING))
        for milestone in due:
            milestone.deadline = milestone_deadline(milestone, now)
        Milestone.objects.bulk_update(due, ["deadline"])
        _log(
            project,
            K.STAGE_ADVANCED,
            actor=actor,
            via=via,
            now=now,
            reason=reason,
            data={"from": from_stage, "to": target, "open_milestones": open_ids},
        )
    return project


def complete_milestone(
    milestone: Milestone,
    *,
    actor: User,
    done_on: date | None = None,
    note: str = "",
    via: str = Via.SYSTEM,
) -> Milestone:
    """Record a milestone as done (on ``done_on``, today by default). A blocked one is first
    unblocked, once its case is over."""
    today = timezone.localdate()
    done_on = done_on or today
    with transaction.atomic():
        project, milestone = _lock_milestone(milestone, actor)
        if milestone.status == MilestoneStatus.BLOCKED:
            raise _error(None, _("该节点受阻中，请先解除受阻再标记完成。"), "milestone_blocked")
        if milestone.status == MilestoneStatus.DONE:
            raise _error(None, _("该节点已完成。"), "milestone_done")
        if done_on > today:
            raise _error("done_on", _("完成日期不能晚于今天。"), "future")
        if done_on < project.signed_on:
            raise _error("done_on", _("完成日期不能早于签约日期。"), "before_signing")
        now = timezone.now()
        milestone.status, milestone.done_on = MilestoneStatus.DONE, done_on
        milestone.save(update_fields=["status", "done_on"])
        late = milestone.deadline is not None and _start_of(done_on) > milestone.deadline
        _log(
            project,
            K.MILESTONE_COMPLETED,
            actor=actor,
            via=via,
            now=now,
            milestone=milestone,
            reason=(note or "").strip(),
            data={
                "title": milestone.title,
                "done_on": done_on.isoformat(),
                "deadline": _iso(milestone.deadline),
                "late": late,
            },
        )
    return milestone


def _requester(project: Project) -> Person | None:
    """Who the blocker's case is raised for: the commissioner, else the firm's liaison."""
    if project.commissioner_id is not None:
        return project.commissioner
    link = (
        EnterpriseLink.objects.filter(
            enterprise_id=project.enterprise_id, kind=EnterpriseLinkKind.LIAISON
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return link.person if link else None


def block_milestone(
    milestone: Milestone,
    reason: str,
    *,
    actor: User,
    category: Category | None = None,
    via: str = Via.SYSTEM,
) -> Milestone:
    """Mark a milestone blocked and open a case for the blocker (an enterprise demand of the
    project's firm, raised on the commissioner's visit), all in one transaction: if the case
    cannot be made, nothing changes."""
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", _("请填写受阻原因。"), "required")
    with transaction.atomic():
        project, milestone = _lock_milestone(milestone, actor)
        if milestone.status != MilestoneStatus.PENDING:
            raise _error(
                None,
                _("只有待完成的节点可以标记受阻（当前：%(status)s）。"),
                "not_pending",
                status=MilestoneStatus(milestone.status).label,
            )
        case_type = CaseType.objects.get(code=BLOCKER_CASE_TYPE)
        if category is not None and category.case_type_id != case_type.pk:
            raise _error("category", _("分类须为企业诉求的分类。"), "invalid_category")
        case = engine.report_case(
            actor=actor,
            case_type=case_type,
            category=category,
            region=project.region,
            title=f"{project.name}：{milestone.title}受阻",
            description=reason,
            channel=BLOCKER_CHANNEL,
            requester=_requester(project),
            enterprise=project.enterprise,
            details={"project": project.pk, "milestone": milestone.pk},
            via=via,
        )
        now = timezone.now()
        milestone.status, milestone.blocked_reason, milestone.case = (
            MilestoneStatus.BLOCKED,
            reason,
            case,
        )
        milestone.save(update_fields=["status", "blocked_reason", "case"])
        _log(
            project,
            K.MILESTONE_BLOCKED,
            actor=actor,
            via=via,
            now=now,
            milestone=milestone,
            reason=reason,
            data={"title": milestone.title, "case": case.pk, "case_number": case.number},
        )
    return milestone


def blocker_over(case: Case | None) -> bool:
    """Whether a blocked milestone's case is over (closed or refused; a merged one by its
    master), so the milestone may be unblocked."""
    if case is None:
        return True
    if case.status == Status.MERGED and case.merged_into_id is not None:
        return Case.objects.filter(pk=case.merged_into_id, status__in=OVER).exists()
    return case.status in OVER


def unblock_milestone(
    milestone: Milestone, *, actor: User, note: str = "", via: str = Via.SYSTEM
) -> Milestone:
    """Put a blocked milestone back to pending once its case is over; the case stays linked."""
    with transaction.atomic():
        project, milestone = _lock_milestone(milestone, actor)
        if milestone.status != MilestoneStatus.BLOCKED:
            raise _error(None, _("该节点未处于受阻状态。"), "not_blocked")
        if not blocker_over(milestone.case):
            assert milestone.case is not None
            raise _error(
                None,
                _("协调事项 %(number)s 尚未办结销号，不能解除受阻。"),
                "case_open",
                number=milestone.case.number,
            )
        now = timezone.now()
        milestone.status, milestone.blocked_reason = MilestoneStatus.PENDING, ""
        milestone.save(update_fields=["status", "blocked_reason"])
        _log(
            project,
            K.MILESTONE_UNBLOCKED,
            actor=actor,
            via=via,
            now=now,
            milestone=milestone,
            reason=(note or "").strip(),
            data={"title": milestone.title, "case": milestone.case_id},
        )
    return milestone
