"""每月一题 (未诉先办): each month the most frequent hard problems become a theme with a lead
unit, co-units and two or three concrete milestones — from handling one case to governing a
class of cases. A theme covers the cases of its problem (added by rule or one by one) and its
progress is read from them.

Only ``themes/services.py`` writes these rows; every change is logged by its ``ThemeEvent`` in
the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseType, Category
from eventlog import AppendOnly
from orgs.models import Organisation
from regions.models import Region


class ThemeStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟定")
    ACTIVE = "active", _("推进中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已撤销")


# A theme still being worked on: cases may be added or removed, milestones marked done.
OPEN_STATUSES = (ThemeStatus.PROPOSED, ThemeStatus.ACTIVE)


class MonthlyTheme(models.Model):
    """One month's theme: the problem, where (``place``; none: the whole county), which kind of
    cases (``case_type``, ``category``), who leads and who helps."""

    month = models.PositiveIntegerField(_("月份"))  # yyyymm
    title = models.CharField(_("题目"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("事项类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        Region,
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空：全县范围。"),
    )
    lead_unit = models.ForeignKey(
        Organisation, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        Organisation, verbose_name=_("协办单位"), related_name="+", blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ThemeStatus.choices, default=ThemeStatus.PROPOSED
    )
    cases = models.ManyToManyField(
        Case, verbose_name=_("涵盖事项"), related_name="monthly_themes", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering = ["-month", "pk"]
        indexes = [models.Index(fields=["month", "status"], name="theme_month_status")]

    def __str__(self) -> str:
        return f"{self.month} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def month_label(self) -> str:
        year, month = divmod(self.month, 100)
        return _("%(y)d年%(m)d月") % {"y": year, "m": month}


class ThemeMilestone(models.Model):
    """One concrete task of a theme, due on a day, done when the lead unit says so."""

    theme = models.ForeignKey(MonthlyTheme, on_delete=models.CASCADE, related_name="milestones")
    ordering = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("节点任务"), max_length=200)
    due = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("每月一题节点")
        verbose_name_plural = _("每月一题节点")
        ordering = ["theme", "ordering", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ThemeEventKind(models.TextChoices):
    CREATED = "created", _("创建")
    ACTIVATED = "activated", _("启动")
    MILESTONE_DONE = "milestone_done", _("完成节点")
    CASES_ADDED = "cases_added", _("纳入事项")
    CASES_REMOVED = "cases_removed", _("移出事项")
    FINISHED = "finished", _("完成")
    DROPPED = "dropped", _("撤销")


class ThemeEvent(AppendOnly, models.Model):
    theme = models.ForeignKey(MonthlyTheme, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=ThemeEventKind.choices)
    milestone = models.ForeignKey(
        ThemeMilestone,
        verbose_name=_("节点"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("每月一题记录")
        verbose_name_plural = _("每月一题记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.theme_id} {self.kind}"
