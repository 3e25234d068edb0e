"""The monthly and quarterly work briefing (工作简报): the office's template of sentences, and each
briefing as it was made, its numbers frozen on the day, with the .docx and PDF files.

Only ``briefings/services.py`` writes these rows, each change with its ``BriefingEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventlog import AppendOnly
from regions.models import Region


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")


class BriefingTemplate(models.Model):
    """The words of a briefing, kept by the office in the admin. Each text is a Django template
    over the briefing's figures (``{{ received }}``, ``{{ on_spot }}``, ``{{ on_spot_rate }}`` …,
    the list is in ``briefings/figures.py`` and on the admin page)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    is_default = models.BooleanField(
        _("默认模板"), default=False, help_text=_("新生成的简报使用默认模板。")
    )
    title = models.CharField(
        _("标题"), max_length=200, default="{{ scope }}{{ period }}民情服务工作简报"
    )
    issuer = models.CharField(_("编发单位"), max_length=100, blank=True)
    summary = models.TextField(_("总体情况"))
    ranking_note = models.TextField(_("排名说明"), blank=True)
    typical_intro = models.TextField(_("典型案例导语"), blank=True)
    problems_intro = models.TextField(_("存在问题导语"), blank=True)
    closing = models.TextField(_("下步工作"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("简报模板")
        verbose_name_plural = _("简报模板")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="briefing_one_default_template",
            )
        ]

    def __str__(self) -> str:
        return self.name


class BriefingStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class Briefing(models.Model):
    """One briefing over one period and place, over the cases its requester may see.

    ``figures`` keeps every number as it was when the briefing was made (with the case-list
    parameters that open each number's cases), so a later correction of a case does not change
    a briefing already sent."""

    kind = models.CharField(_("类型"), max_length=10, choices=PeriodKind.choices)
    first_month = models.PositiveIntegerField(_("起始月份"))  # yyyymm
    last_month = models.PositiveIntegerField(_("截止月份"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空：申请人可见的全部范围。"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    template = models.ForeignKey(
        BriefingTemplate,
        verbose_name=_("模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.PENDING
    )
    title = models.CharField(_("标题"), max_length=200, blank=True)
    # The numbers, sentences, rankings, typical cases and problems as they were on the day.
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    docx = models.FileField(_("Word 文件"), upload_to="briefings/%Y/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="briefings/%Y/", blank=True)

    class Meta:
        verbose_name = _("工作简报")
        verbose_name_plural = _("工作简报")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="briefing_mine")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.first_month}–{self.last_month}"


class BriefingEventKind(models.TextChoices):
    REQUESTED = "requested", _("申请生成")
    GENERATED = "generated", _("生成完成")
    FAILED = "failed", _("生成失败")


class BriefingEvent(AppendOnly, models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=BriefingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("简报记录")
        verbose_name_plural = _("简报记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.briefing_id} {self.kind}"
