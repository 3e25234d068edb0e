"""Investment projects carried from signing to production (签约 → 供地/办证 → 开工 → 投产) by
their resident commissioner (驻厂专员), with each stage's milestones and an append-only log.

Only ``projects/services.py`` changes a project's stage or a milestone's status, each change with
its ``ProjectEvent`` in the same transaction. A milestone's deadline is counted in Chinese working
days by ``cases.deadlines``, the calendar the cases use.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Via
from eventlog import AppendOnly
from orgs.models import Organisation
from people.models import Person
from regions.models import Region


class Stage(models.TextChoices):
    """The stages a project passes, in this order and only forward."""

    SIGNED = "signed", _("签约")
    LAND_PERMITS = "land_permits", _("供地/办证")
    CONSTRUCTION = "construction", _("开工")
    PRODUCTION = "production", _("投产")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


def next_stage(stage: str) -> str | None:
    """The stage after ``stage``, or None after production."""
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("待完成")
    DONE = "done", _("已完成")
    BLOCKED = "blocked", _("受阻")


class ProjectQuerySet(models.QuerySet["Project"]):
    def in_region(self, region: Region) -> ProjectQuerySet:
        return self.filter(region__path__gte=region.path, region__path__lt=region.path_range_end)


class Project(models.Model):
    """An investment project of an enterprise, followed by its commissioner and owner unit."""

    name = models.CharField(_("项目名称"), max_length=150)
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("项目企业"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to=Q(kind="enterprise"),
    )
    region = models.ForeignKey(
        Region, verbose_name=_("项目地点"), on_delete=models.PROTECT, related_name="+"
    )
    investment = models.DecimalField(_("计划投资（万元）"), max_digits=14, decimal_places=2)
    signed_on = models.DateField(_("签约日期"))
    stage = models.CharField(
        _("当前阶段"), max_length=16, choices=Stage.choices, default=Stage.SIGNED
    )
    # When the current stage began: its milestones' deadlines count from here.
    stage_started_at = models.DateTimeField(_("本阶段开始时间"))
    commissioner = models.ForeignKey(
        Person,
        verbose_name=_("驻厂专员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissioned_projects",
    )
    owner_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
        help_text=_("牵头服务项目的产业链党委或职能部门"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["stage"], name="project_stage")]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)


class Milestone(models.Model):
    """A step of one stage (土地摘牌, 施工许可证, …) with its working-day deadline.

    The deadline is set when its stage begins: ``planned_days`` working days after that, or the
    end of ``due_on`` (the next working day's if it falls on a holiday). A blocked milestone has
    the case opened for its blocker (``case``); it is unblocked once that case is over.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    stage = models.CharField(_("所属阶段"), max_length=16, choices=Stage.choices)
    title = models.CharField(_("节点名称"), max_length=100)
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)
    planned_days = models.PositiveSmallIntegerField(
        _("计划工作日"), null=True, blank=True, help_text=_("自所属阶段开始起的工作日数")
    )
    due_on = models.DateField(_("指定完成日期"), null=True, blank=True)
    deadline = models.DateTimeField(_("完成期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    blocked_reason = models.TextField(_("受阻原因"), blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name=_("协调事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_milestones",
    )

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "ordering", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="milestone_status_deadline")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_days__isnull=False) | Q(due_on__isnull=False),
                name="milestone_has_plan",
                violation_error_message=_("请填写计划工作日或指定完成日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.title}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == MilestoneStatus.PENDING
            and self.deadline is not None
            and self.deadline < timezone.now()
        )


def overdue_milestones_q(now=None, prefix: str = "") -> Q:
    """The overdue condition of a milestone, written once: pending and past its deadline."""
    return Q(
        **{
            f"{prefix}status": MilestoneStatus.PENDING,
            f"{prefix}deadline__lt": now or timezone.now(),
        }
    )


class ProjectEventKind(models.TextChoices):
    CREATED = "created", _("登记项目")
    STAGE_ADVANCED = "stage_advanced", _("推进阶段")
    MILESTONE_COMPLETED = "milestone_completed", _("节点完成")
    MILESTONE_BLOCKED = "milestone_blocked", _("节点受阻")
    MILESTONE_UNBLOCKED = "milestone_unblocked", _("解除受阻")


class ProjectEvent(AppendOnly, models.Model):
    """One change of a project, written by the service that made it. Append-only."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("节点"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("动作"), max_length=32, choices=ProjectEventKind.choices)
    via = models.CharField(_("来源"), max_length=10, choices=Via.choices, default=Via.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "created_at"], name="project_event_time")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind}"
