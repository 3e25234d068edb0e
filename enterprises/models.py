"""The enterprise file: honours (荣誉/资质) with the years they were awarded, the yearly output
value and tax the office enters, and the log of every change to them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventlog import AppendOnly
from orgs.models import Organisation

ENTERPRISE_ONLY = models.Q(kind="enterprise")


class Honour(models.Model):
    """A title or qualification an enterprise may hold (规上工业企业, 专精特新“小巨人”, …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("荣誉资质")
        verbose_name_plural = _("荣誉资质")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name


class HonourAward(models.Model):
    """An enterprise holding an honour from a given year; one row per enterprise, honour and year."""

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="honour_awards",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    honour = models.ForeignKey(
        Honour, verbose_name=_("荣誉资质"), on_delete=models.PROTECT, related_name="awards"
    )
    year = models.PositiveSmallIntegerField(_("认定年度"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业荣誉")
        verbose_name_plural = _("企业荣誉")
        ordering = ["-year", "honour__ordering"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "honour", "year"], name="unique_honour_award"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.honour} · {self.year}"


class YearFigures(models.Model):
    """An enterprise's output value and tax for one year, in 万元, as the office records them."""

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="year_figures",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    output_value = models.DecimalField(_("产值（万元）"), max_digits=14, decimal_places=2)
    tax = models.DecimalField(_("税收（万元）"), max_digits=14, decimal_places=2)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度经营数据")
        verbose_name_plural = _("年度经营数据")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="unique_year_figures")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"


class EnterpriseEventKind(models.TextChoices):
    HONOUR_AWARDED = "honour.awarded", _("登记荣誉")
    HONOUR_REVOKED = "honour.revoked", _("撤销荣誉")
    FIGURES_RECORDED = "figures.recorded", _("登记年度数据")
    TAGGED = "tag.added", _("添加标签")
    UNTAGGED = "tag.removed", _("移除标签")


class EnterpriseEvent(AppendOnly, models.Model):
    """One change to an enterprise's file, written by the service that made it; append-only."""

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="file_events",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    kind = models.CharField(_("类型"), max_length=32, choices=EnterpriseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("企业档案记录")
        verbose_name_plural = _("企业档案记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()}"


class EnterpriseTag(models.Model):
    """A free tag the office puts on enterprises (外贸企业, 出口白瓷, 新招引项目…), for policy
    eligibility and filters."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    enterprises = models.ManyToManyField(
        Organisation,
        verbose_name=_("企业"),
        blank=True,
        related_name="enterprise_tags",
        limit_choices_to=ENTERPRISE_ONLY,
    )

    class Meta:
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PolicyCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("设备更新")
    EMPLOYMENT = "employment", _("稳岗用工")
    TALENT = "talent", _("人才引育")
    TRADE_IN = "trade_in", _("以旧换新")
    INNOVATION = "innovation", _("科技创新")
    FINANCE = "finance", _("融资信贷")
    MARKET = "market", _("市场开拓")
    OTHER = "other", _("其他")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已废止")


class PolicyQuerySet(models.QuerySet["Policy"]):
    def published(self) -> PolicyQuerySet:
        return self.filter(status=PolicyStatus.PUBLISHED)

    def in_force(self, on: date) -> PolicyQuerySet:
        """Valid on ``on``: started by then and not ended before (no end date: open-ended)."""
        return self.filter(valid_from__lte=on).exclude(valid_until__lt=on)


class Policy(models.Model):
    """A policy for enterprises (惠企政策) with its eligibility as structured conditions."""

    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    category = models.CharField(
        _("类别"), max_length=20, choices=PolicyCategory.choices, default=PolicyCategory.OTHER
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    max_amount = models.DecimalField(
        _("最高金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_note = models.CharField(_("支持标准"), max_length=300, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    full_text = models.TextField(_("政策全文"), blank=True)
    # 免申即享: the department pays the firms that qualify without an application.
    exempt_application = models.BooleanField(_("免申即享"), default=False)
    # Conditions a person checks (one per line): "近三年无重大安全事故".
    manual_conditions = models.TextField(_("人工核验条件"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policies",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return self.title


class ConditionAttribute(models.TextChoices):
    INDUSTRY = "industry", _("行业")
    SIZE = "size", _("规模")
    PARK = "park", _("所在园区")
    CHAIN_POSITION = "chain_position", _("产业链环节")
    REGION = "region", _("所在区域")
    ABOVE_SCALE = "above_scale", _("规模以上")
    HONOUR = "honour", _("荣誉资质")
    TAG = "tag", _("企业标签")
    OUTPUT_VALUE = "output_value", _("上年产值（万元）")
    TAX = "tax", _("上年税收（万元）")
    EMPLOYEES = "employees", _("从业人数")


class PolicyCondition(models.Model):
    """One eligibility condition: every condition of a policy must hold. A set attribute holds
    when the firm's value is one of ``values``; a number holds within [minimum, maximum]."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="conditions"
    )
    attribute = models.CharField(_("条件项"), max_length=20, choices=ConditionAttribute.choices)
    values = models.JSONField(_("取值"), default=list, blank=True)
    minimum = models.DecimalField(_("下限"), max_digits=14, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(_("上限"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("申报条件")
        verbose_name_plural = _("申报条件")
        ordering = ["policy", "id"]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_attribute_display()}"


class PolicyAttachment(models.Model):
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="policies/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策附件")
        verbose_name_plural = _("政策附件")
        ordering = ["policy", "id"]

    def __str__(self) -> str:
        return self.name


class PolicyGrant(models.Model):
    """What a firm received under a policy (兑现): amount and date."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="grants"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="policy_grants",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    amount = models.DecimalField(_("兑现金额（万元）"), max_digits=14, decimal_places=2)
    granted_on = models.DateField(_("兑现日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策兑现")
        verbose_name_plural = _("政策兑现")
        ordering = ["-granted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.policy} · {self.enterprise}"


class PolicyEventKind(models.TextChoices):
    CREATED = "policy.created", _("录入政策")
    UPDATED = "policy.updated", _("修改政策")
    PUBLISHED = "policy.published", _("发布政策")
    WITHDRAWN = "policy.withdrawn", _("废止政策")
    ATTACHED = "policy.attached", _("上传附件")
    GRANTED = "policy.granted", _("登记兑现")


class PolicyEvent(AppendOnly, models.Model):
    """One change to a policy or its grants, written by the service that made it; append-only."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=PolicyEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("政策记录")
        verbose_name_plural = _("政策记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_kind_display()}"
