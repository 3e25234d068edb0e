"""未诉先办: hot spots (the same category rising at the same place) and repeat demands (the same
requester, or the same place and category, again and again) raised as alerts to the
dispatchers, and the fitted suggester of a new case's category and lead unit.

Only ``hotspots/services.py``, ``hotspots/repeats.py`` and ``hotspots/suggest.py`` write these
rows; every change of an alert is logged by its ``HotSpotEvent`` (``RepeatAlertEvent``) in the
same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Category
from eventlog import AppendOnly
from orgs.models import Organisation
from people.masking import mask_name, mask_phone
from people.models import Person
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


class RepeatBasis(models.TextChoices):
    REQUESTER = "requester", _("同一诉求人")
    PLACE = "place", _("同一地点同类诉求")


class RepeatAlert(models.Model):
    """重复诉求: the same requester (by phone number, or by person when no number was given), or
    the same place (the case's own region) and category, reported ``REPEAT_MIN_CASES`` times or
    more within ``REPEAT_WINDOW_DAYS`` days.

    ``key`` names the requester (a keyed hash of the number, never the number itself) or the
    place and category; one live alert per key, to which later cases are added (``count``
    follows them). ``place`` is the place of the cases (for a
    requester, the place of the latest case) and ``lead_unit`` the lead unit of the latest case
    that has one: their dispatchers and department heads are told."""

    basis = models.CharField(_("依据"), max_length=16, choices=RepeatBasis.choices)
    key = models.CharField(_("识别键"), max_length=80)
    requester = models.ForeignKey(
        Person,
        verbose_name=_("诉求人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The latest case: the requester is read (masked) from it, so the alert keeps no copy of
    # their name or number and an anonymised case (ops/retention.py) anonymises it too.
    latest_case = models.ForeignKey(
        Case,
        verbose_name=_("最近一件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place = models.ForeignKey(
        Region, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("事项数"))
    window_days = models.PositiveIntegerField(_("统计天数"))
    first_reported_at = models.DateTimeField(_("首次受理时间"))
    last_reported_at = models.DateTimeField(_("最近受理时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    note = models.TextField(_("处置说明"), blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("事项"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("重复诉求预警")
        verbose_name_plural = _("重复诉求预警")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(status="closed"), name="repeat_one_live_per_key"
            )
        ]
        indexes = [models.Index(fields=["status", "-updated_at"], name="repeat_status_updated")]

    def __str__(self) -> str:
        if self.basis == RepeatBasis.REQUESTER:
            return str(_("诉求人 %(who)s") % {"who": self.masked_requester})
        category = self.category.name if self.category else ""
        return f"{self.place} · {category}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def masked_requester(self) -> str:
        """The requester of the latest case, masked (``latest_case`` loaded)."""
        case = self.latest_case
        if case is None:
            return "—"
        parts = [mask_name(case.requester_name), mask_phone(case.requester_phone)]
        return " ".join(p for p in parts if p) or "—"


class RepeatEventKind(models.TextChoices):
    RAISED = "raised", _("发出预警")
    UPDATED = "updated", _("新增事项")
    ACKNOWLEDGED = "acknowledged", _("知悉")
    CLOSED = "closed", _("关闭")


class RepeatAlertEvent(AppendOnly, models.Model):
    alert = models.ForeignKey(RepeatAlert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=RepeatEventKind.choices)
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
        verbose_name = _("重复诉求预警记录")
        verbose_name_plural = _("重复诉求预警记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"
