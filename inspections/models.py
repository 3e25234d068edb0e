"""Hazard inspections (隐患排查) and the special campaigns (专项行动) they belong to: an inspection
records one visit to a place, each of its findings opens one hazard case (``Finding.case``), and
every change is logged in ``InspectionEvent``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Priority
from orgs.models import Organisation
from people.models import Person
from regions.models import Region

# The case type every finding opens (cases/reference.py, 安全隐患).
HAZARD_TYPE_CODE = "hazard"


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    ACTIVE = "active", _("进行中")
    FINISHED = "finished", _("已结束")


class Campaign(models.Model):
    """A special campaign (专项行动) over a region for a period, led by one unit."""

    name = models.CharField(_("名称"), max_length=150)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    region = models.ForeignKey(
        Region, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    description = models.TextField(_("工作要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="inspections_campaign_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class InspectionResult(models.TextChoices):
    CLEAR = "clear", _("未发现隐患")
    HAZARDS = "hazards", _("发现隐患")


class Inspection(models.Model):
    """One inspection visit (排查) to a firm or a named place, with its findings."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "enterprise"},
    )
    target_name = models.CharField(_("排查对象"), max_length=150, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    inspected_on = models.DateField(_("排查日期"))
    inspectors = models.ManyToManyField(Person, verbose_name=_("排查人员"), related_name="+")
    result = models.CharField(_("排查结果"), max_length=12, choices=InspectionResult.choices)
    note = models.TextField(_("排查情况"), blank=True)
    # The form's one-time token: a resubmission returns this inspection instead of a second one.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐患排查")
        verbose_name_plural = _("隐患排查")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.target} · {self.inspected_on}"

    @property
    def target(self) -> str:
        return self.enterprise.name if self.enterprise_id and self.enterprise else self.target_name


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("一般")
    MAJOR = "major", _("较大")
    SERIOUS = "serious", _("重大")


# The priority of the case a finding opens.
SEVERITY_PRIORITY = {
    Severity.ORDINARY: Priority.NORMAL,
    Severity.MAJOR: Priority.IMPORTANT,
    Severity.SERIOUS: Priority.URGENT,
}


class Finding(models.Model):
    """One hazard found in an inspection; its rectification is tracked as a hazard case."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("排查"), on_delete=models.CASCADE, related_name="findings"
    )
    description = models.TextField(_("隐患描述"))
    severity = models.CharField(_("隐患等级"), max_length=12, choices=Severity.choices)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    case = models.OneToOneField(
        Case, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:30]


class InspectionEventKind(models.TextChoices):
    CAMPAIGN_CREATED = "campaign.created", _("创建专项行动")
    CAMPAIGN_CHANGED = "campaign.changed", _("修改专项行动")
    CAMPAIGN_CLOSED = "campaign.closed", _("结束专项行动")
    INSPECTION_LOGGED = "inspection.logged", _("登记排查")


class InspectionEvent(models.Model):
    """One change made by an inspections service, written in its transaction; append-only."""

    kind = models.CharField(_("类型"), max_length=32, choices=InspectionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("排查"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
