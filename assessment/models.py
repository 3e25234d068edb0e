"""Assessment tasks (考核任务): a task list with its indicators (指标), broken down to units
(任务分解表: indicator × unit with target, weight, reported progress and score), the units'
progress reports, and the issuing office's two moves on a unit's indicator: 通报 (a notice) and
限期整改 (a rectification order with a deadline, answered by the unit).

An indicator is either typed by the unit (manual) or fed by the engine: its actual value is a
rate of ``stats.metrics`` over the unit's cases (lead unit) in the task's period, never typed.

Only ``assessment/services.py`` writes these rows, each change with its ``AssessmentEvent``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.attachments import EXTENSIONS
from cases.models import Via
from eventlog import AppendOnly
from orgs.models import Organisation
from regions.models import Region

# The engine's rates an indicator may be fed by (stats.metrics.RATES keys whose value is a
# share of cases, shown as a percentage).
ENGINE_METRICS: dict[str, Any] = {
    "on_time_rate": _("按期办结率"),
    "satisfaction_rate": _("满意率"),
    "on_spot_rate": _("当场办结率"),
    "mediation_success_rate": _("调处成功率"),
    "response_rate": _("响应率"),
    "resolution_rate": _("解决率"),
    "rework_rate": _("返工率"),
}


class IndicatorKind(models.TextChoices):
    MANUAL = "manual", _("单位报送")
    ENGINE = "engine", _("系统取数")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class RowStatus(models.TextChoices):
    PENDING = "pending", _("待报送")
    REPORTED = "reported", _("已报送")
    AUTO = "auto", _("系统取数")
    RECTIFYING = "rectifying", _("限期整改中")
    RECTIFIED = "rectified", _("已整改")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    ANSWERED = "answered", _("已反馈")


def month_q(field: str) -> Q:
    """A YYYYMM key in a sane range."""
    return Q(**{f"{field}__gte": 200001, f"{field}__lte": 209912})


class AssessmentTask(models.Model):
    """A task list (考核任务), e.g. 2026年度为民办实事考核, issued by an office over a region."""

    title = models.CharField(_("任务名称"), max_length=150)
    year = models.PositiveSmallIntegerField(_("年度"))
    start_month = models.PositiveIntegerField(_("考核期起(年月)"))
    end_month = models.PositiveIntegerField(_("考核期止(年月)"))
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("下达单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("考核范围"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考核任务")
        verbose_name_plural = _("考核任务")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=month_q("start_month") & month_q("end_month"),
                name="assessment_task_months",
            ),
            models.CheckConstraint(
                condition=Q(end_month__gte=models.F("start_month")),
                name="assessment_task_period",
                violation_error_message=_("考核期止不能早于考核期起。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def months(self) -> list[int]:
        """Every month of the period as YYYYMM."""
        result, month = [], self.start_month
        while month <= self.end_month:
            result.append(month)
            month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
        return result

    @property
    def period_label(self) -> str:
        start, end = self.start_month, self.end_month
        return f"{start // 100}年{start % 100}月—{end // 100}年{end % 100}月"


class Indicator(models.Model):
    """An indicator (考核指标) of a task: typed by the units or fed by an engine rate."""

    task = models.ForeignKey(
        AssessmentTask,
        verbose_name=_("考核任务"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("指标名称"), max_length=100)
    kind = models.CharField(
        _("取数方式"), max_length=8, choices=IndicatorKind.choices, default=IndicatorKind.MANUAL
    )
    metric = models.CharField(
        _("系统指标"), max_length=32, blank=True, choices=list(ENGINE_METRICS.items())
    )
    measure = models.CharField(_("计量单位"), max_length=20)
    direction = models.CharField(
        _("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    description = models.TextField(_("指标说明"), blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["task", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "name"],
                name="assessment_indicator_name",
                violation_error_message=_("该任务已有同名指标。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind=IndicatorKind.MANUAL, metric="") | ~Q(kind=IndicatorKind.MANUAL))
                & (~Q(kind=IndicatorKind.ENGINE) | ~Q(metric="")),
                name="assessment_indicator_metric",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_engine(self) -> bool:
        return self.kind == IndicatorKind.ENGINE


class Breakdown(models.Model):
    """One row of the 任务分解表: an indicator for one unit, with its target, weight, the
    actual value (reported by the unit, or the engine's), the score and the status."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="rows"
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="assessment_rows",
    )
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    weight = models.DecimalField(_("权重(分值)"), max_digits=6, decimal_places=2)
    actual = models.DecimalField(
        _("完成值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("进展说明"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RowStatus.choices, default=RowStatus.PENDING
    )
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("任务分解")
        verbose_name_plural = _("任务分解表")
        ordering = ["indicator__position", "indicator_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                name="assessment_breakdown_unit",
                violation_error_message=_("该单位已分解过此指标。"),
            ),
            models.CheckConstraint(condition=Q(target__gt=0), name="assessment_target_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="assessment_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit}"


def report_path(instance: Any, filename: str) -> str:
    """A random name under the month; only an accepted type's extension is kept."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        extension = "bin"
    return f"assessment/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ProgressReport(AppendOnly, models.Model):
    """A unit's report of progress on one row (值 + 说明 + an optional attachment)."""

    row = models.ForeignKey(
        Breakdown, verbose_name=_("任务分解"), on_delete=models.CASCADE, related_name="reports"
    )
    value = models.DecimalField(_("完成值"), max_digits=14, decimal_places=2)
    note = models.TextField(_("进展说明"), blank=True)
    file = models.FileField(_("附件"), upload_to=report_path, blank=True)
    file_name = models.CharField(_("附件名称"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.row} · {self.value}"


class Notice(AppendOnly, models.Model):
    """A notice (通报) on a unit's indicator, by the issuing office."""

    row = models.ForeignKey(
        Breakdown, verbose_name=_("任务分解"), on_delete=models.CASCADE, related_name="notices"
    )
    text = models.TextField(_("通报内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("通报人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("通报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.row} · {self.issued_at:%Y-%m-%d}"


class Rectification(models.Model):
    """A rectification order (限期整改) on a unit's indicator, answered by the unit."""

    row = models.ForeignKey(
        Breakdown,
        verbose_name=_("任务分解"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    requirement = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下达人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    answer = models.TextField(_("整改报告"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("限期整改")
        verbose_name_plural = _("限期整改")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.row} · {self.deadline:%Y-%m-%d}"

    def is_overdue(self, today: date | None = None) -> bool:
        """Still open past its deadline, or answered after it."""
        today = today or timezone.localdate()
        if self.status == RectificationStatus.OPEN:
            return self.deadline < today
        assert self.answered_at is not None
        return timezone.localdate(self.answered_at) > self.deadline

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


def overdue_rectifications_q(today: date) -> Q:
    """Open rectifications past their deadline (逾期未整改)."""
    return Q(status=RectificationStatus.OPEN, deadline__lt=today)


class AssessmentEventKind(models.TextChoices):
    TASK_CREATED = "task_created", _("创建考核任务")
    INDICATOR_ADDED = "indicator_added", _("增加指标")
    BROKEN_DOWN = "broken_down", _("分解到单位")
    PROGRESS_REPORTED = "progress_reported", _("报送进展")
    SCORED = "scored", _("计算得分")
    ENGINE_REFRESHED = "engine_refreshed", _("系统指标取数")
    NOTICE_ISSUED = "notice_issued", _("通报")
    RECTIFICATION_ORDERED = "rectification_ordered", _("限期整改")
    RECTIFICATION_ANSWERED = "rectification_answered", _("整改反馈")


class AssessmentEvent(AppendOnly, models.Model):
    """One change of an assessment task, written by the service that made it. Append-only."""

    kind = models.CharField(_("动作"), max_length=32, choices=AssessmentEventKind.choices)
    task = models.ForeignKey(
        AssessmentTask, verbose_name=_("考核任务"), on_delete=models.CASCADE, related_name="events"
    )
    row = models.ForeignKey(
        Breakdown,
        verbose_name=_("任务分解"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
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
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind
