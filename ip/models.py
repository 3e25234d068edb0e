"""Intellectual property around the ceramic chain: the facts of an infringement case, the firms'
registrations (外观设计, 作品登记, 商标, 专利), the licences to use the county's geographic-indication
marks (德化白瓷 地理标志证明商标) and the joint enforcement actions (联合执法).

Only ``ip/services.py`` writes these rows, each change with its ``IpEvent`` in the same
transaction.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Via
from eventlog import AppendOnly
from orgs.models import Organisation
from regions.models import Region

# The case type whose cases carry infringement facts (cases/reference.py).
IP_CASE_TYPE = "ip_infringement"


class RightType(models.TextChoices):
    """The right an infringement case is about."""

    DESIGN_PATENT = "design_patent", _("外观设计专利")
    PATENT = "patent", _("实用新型/发明专利")
    COPYRIGHT = "copyright", _("著作权(作品登记)")
    TRADEMARK = "trademark", _("注册商标")
    GI_MARK = "gi_mark", _("地理标志证明商标")


class InfringementFacts(models.Model):
    """Who holds the right, who infringed it and which right: one row per ip_infringement case."""

    case = models.OneToOneField(
        Case,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="infringement_facts",
        limit_choices_to=Q(case_type__code=IP_CASE_TYPE),
    )
    holder_enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("权利人企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=Q(kind="enterprise"),
    )
    # A holder outside the county's register (a designer, a firm elsewhere) is named only.
    holder_name = models.CharField(_("权利人"), max_length=150, blank=True)
    infringer_name = models.CharField(_("侵权人"), max_length=150)
    infringer_enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("侵权企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=Q(kind="enterprise"),
    )
    right_type = models.CharField(_("权利类型"), max_length=16, choices=RightType.choices)
    registration_number = models.CharField(_("登记/注册号"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("侵权事实")
        verbose_name_plural = _("侵权事实")

    def __str__(self) -> str:
        return f"{self.holder} / {self.infringer_name}"

    @property
    def holder(self) -> str:
        return self.holder_name or (str(self.holder_enterprise) if self.holder_enterprise else "")


class RegistrationKind(models.TextChoices):
    DESIGN = "design", _("外观设计")
    COPYRIGHT = "copyright", _("著作权作品登记")
    TRADEMARK = "trademark", _("商标")
    PATENT = "patent", _("专利")


class IpRegistration(models.Model):
    """A right an enterprise registered: a design patent, a work's copyright registration, …"""

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="ip_registrations",
        limit_choices_to=Q(kind="enterprise"),
    )
    kind = models.CharField(_("类别"), max_length=16, choices=RegistrationKind.choices)
    title = models.CharField(_("名称"), max_length=150)
    number = models.CharField(_("登记/注册号"), max_length=60)
    registered_on = models.DateField(_("登记日期"))
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("知识产权登记")
        verbose_name_plural = _("知识产权登记")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"],
                name="ip_registration_kind_number",
                violation_error_message=_("该类别下已有相同登记号。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")
    EXPIRED = "expired", _("到期")


def licence_state_q(state: str, today: date, prefix: str = "") -> Q:
    """The licences in ``state`` on ``today``, written once: an active licence past its end is
    expired without anyone setting it."""
    status, until = f"{prefix}status", f"{prefix}valid_until__lt"
    if state == LicenceStatus.ACTIVE:
        return Q(**{status: LicenceStatus.ACTIVE}) & ~Q(**{until: today})
    if state == LicenceStatus.EXPIRED:
        return Q(**{status: LicenceStatus.EXPIRED}) | Q(
            **{status: LicenceStatus.ACTIVE, until: today}
        )
    return Q(**{status: state})


class GiLicence(models.Model):
    """A licence to use a geographic-indication mark (地理标志证明商标 使用许可).

    ``status`` is what the office set (suspended, revoked, expired early); an active licence past
    ``valid_until`` reads as expired (``state``)."""

    licensee = models.ForeignKey(
        Organisation,
        verbose_name=_("被许可企业"),
        on_delete=models.PROTECT,
        related_name="gi_licences",
        limit_choices_to=Q(kind="enterprise"),
    )
    mark_name = models.CharField(_("证明商标"), max_length=60)
    number = models.CharField(_("许可编号"), max_length=60, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE
    )
    status_reason = models.TextField(_("状态说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("地理标志使用许可")
        verbose_name_plural = _("地理标志使用许可")
        ordering = ["number", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="gi_licence_period",
                violation_error_message=_("有效期止不能早于有效期起。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mark_name} {self.number}"

    def state_on(self, today: date) -> str:
        if self.status == LicenceStatus.ACTIVE and self.valid_until < today:
            return LicenceStatus.EXPIRED
        return self.status

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(LicenceStatus(self.state).label)


class EnforcementAction(models.Model):
    """A joint enforcement action (联合执法) of the copyright office, the market regulator, …"""

    acted_on = models.DateField(_("执法日期"))
    place = models.CharField(_("地点"), max_length=150)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(
        Organisation, verbose_name=_("参与单位"), related_name="ip_enforcement_actions"
    )
    result = models.TextField(_("执法结果"))
    seized = models.TextField(_("查扣物品"), blank=True)
    cases = models.ManyToManyField(
        Case, verbose_name=_("关联事项"), blank=True, related_name="ip_enforcement_actions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("执法行动")
        verbose_name_plural = _("执法行动")
        ordering = ["-acted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.acted_on:%Y-%m-%d} {self.place}"


class IpEventKind(models.TextChoices):
    FACTS_RECORDED = "facts_recorded", _("记录侵权事实")
    REGISTRATION_CREATED = "registration_created", _("登记知识产权")
    REGISTRATION_UPDATED = "registration_updated", _("修改知识产权登记")
    LICENCE_CREATED = "licence_created", _("登记使用许可")
    LICENCE_UPDATED = "licence_updated", _("修改使用许可")
    LICENCE_STATUS_CHANGED = "licence_status_changed", _("变更许可状态")
    ACTION_CREATED = "action_created", _("登记执法行动")
    ACTION_UPDATED = "action_updated", _("修改执法行动")


class IpEvent(AppendOnly, models.Model):
    """One change of an IP record, written by the service that made it. Append-only."""

    kind = models.CharField(_("动作"), max_length=32, choices=IpEventKind.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registration = models.ForeignKey(
        IpRegistration,
        verbose_name=_("知识产权登记"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    licence = models.ForeignKey(
        GiLicence,
        verbose_name=_("使用许可"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.ForeignKey(
        EnforcementAction,
        verbose_name=_("执法行动"),
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
        verbose_name = _("知识产权记录")
        verbose_name_plural = _("知识产权记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind
