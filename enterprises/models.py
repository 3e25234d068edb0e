"""The enterprise file: honours (荣誉/资质) with the years they were awarded, the yearly output
value and tax the office enters, and the log of every change to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class EnterpriseEvent(models.Model):
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
