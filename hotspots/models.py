"""未诉先办: hot spots (the same category rising at the same place) raised as alerts to the
dispatchers, and the fitted suggester of a new case's category and lead unit.

Only ``hotspots/services.py`` and ``hotspots/suggest.py`` write these rows; every change of an
alert is logged by its ``HotSpotEvent`` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Category
from eventlog import AppendOnly
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region, RegionLevel

# The path of a village is three segments: a case below it counts at its village.
PLACE_PATH_LENGTH = RegionLevel.VILLAGE * (PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR))


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处置")
    ACKNOWLEDGED = "acknowledged", _("已知悉")
    CLOSED = "closed", _("已关闭")


# An alert still being followed: a second one for its place and category is not raised.
LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class HotSpot(models.Model):
    """The cases of one category at one place in a window, clearly above the place's usual rate.

    ``place`` is the village (村/社区) holding the cases, or the town (or county) itself for the
    cases placed there; ``count`` the cases of the window (``cases``, as they were counted) and
    ``baseline`` the place's mean count over a window of the same length in the weeks before."""

    place = models.ForeignKey(
        Region, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateField(_("统计起始日"))
    window_end = models.DateField(_("统计截止日"))
    count = models.PositiveIntegerField(_("窗口内事项数"))
    baseline = models.FloatField(_("以往同期均值"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"))
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    note = models.TextField(_("处置说明"), blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("事项"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("热点预警")
        verbose_name_plural = _("热点预警")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "category"],
                condition=~Q(status="closed"),
                name="hotspot_one_live_per_place_category",
            )
        ]
        indexes = [models.Index(fields=["status", "-raised_at"], name="hotspot_status_raised")]

    def __str__(self) -> str:
        return f"{self.place} · {self.category.name}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def place_only(self) -> bool:
        """Whether the place counts only its own cases (a town or county holding cases itself)
        rather than its whole subtree (a village)."""
        return len(self.place.path) < PLACE_PATH_LENGTH


class HotSpotEventKind(models.TextChoices):
    RAISED = "raised", _("发出预警")
    ACKNOWLEDGED = "acknowledged", _("知悉")
    CLOSED = "closed", _("关闭")


class HotSpotEvent(AppendOnly, models.Model):
    hotspot = models.ForeignKey(HotSpot, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=HotSpotEventKind.choices)
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
        verbose_name = _("热点预警记录")
        verbose_name_plural = _("热点预警记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.hotspot_id} {self.kind}"


class SuggesterModel(models.Model):
    """One training of the suggester: the fitted models in a file under ``VAR_DIR`` and what
    they were learnt from. The newest row is the one used."""

    trained_at = models.DateTimeField(_("训练时间"))
    file = models.CharField(_("模型文件"), max_length=200)
    cases_used = models.PositiveIntegerField(_("训练事项数"))
    category_accuracy = models.FloatField(_("分类准确率(首选)"), null=True, blank=True)
    unit_accuracy = models.FloatField(_("承办单位准确率(首选)"), null=True, blank=True)
    evaluated_on = models.PositiveIntegerField(_("检验事项数"), default=0)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("训练人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("智能建议模型")
        verbose_name_plural = _("智能建议模型")
        ordering = ["-trained_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.cases_used})"
