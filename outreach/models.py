"""Linked cadres' visits to their enterprises (走访), the rhythm they keep per link kind, and the
policy briefing tasks (政策宣讲) pushed to them, with the append-only log of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Meeting
from enterprises.models import Policy
from eventlog import AppendOnly
from orgs.models import Organisation
from people.models import EnterpriseLinkKind, Person

ENTERPRISE_ONLY = models.Q(kind="enterprise")

# The links that oblige a person to visit the firm; a liaison or legal representative is the
# firm's own side.
VISITING_KINDS: tuple[str, ...] = (
    EnterpriseLinkKind.LINKED_CADRE,
    EnterpriseLinkKind.RESIDENT_COMMISSIONER,
    EnterpriseLinkKind.PARTY_INSTRUCTOR,
)
VISITING_KIND_CHOICES = [(k, EnterpriseLinkKind(k).label) for k in VISITING_KINDS]


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF_YEAR = "half_year", _("每半年")
    YEAR = "year", _("每年")


# Months in each period: the windows start in January and split the year evenly.
PERIOD_MONTHS = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF_YEAR: 6, Period.YEAR: 12}

# 挂钩干部 and 驻厂专员 monthly, 党建指导员 quarterly (seeded by migration 0002).
DEFAULT_RHYTHMS: dict[str, str] = {
    EnterpriseLinkKind.LINKED_CADRE: Period.MONTH,
    EnterpriseLinkKind.RESIDENT_COMMISSIONER: Period.MONTH,
    EnterpriseLinkKind.PARTY_INSTRUCTOR: Period.QUARTER,
}


class VisitRhythm(models.Model):
    """How often a person with this kind of link is expected to visit the firm (走访频次)."""

    link_kind = models.CharField(
        _("联系类型"), max_length=32, choices=VISITING_KIND_CHOICES, unique=True
    )
    period = models.CharField(_("走访周期"), max_length=12, choices=Period.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("走访频次")
        verbose_name_plural = _("走访频次")
        ordering = ["link_kind"]

    def __str__(self) -> str:
        return f"{self.get_link_kind_display()} · {self.get_period_display()}"


class EnterpriseVisit(models.Model):
    """One visit to an enterprise: who went, whom they met, what they found. The demands raised
    are cases of the ``meeting`` (kind 走访) made for it, so they show their source."""

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    visitors = models.ManyToManyField(Person, verbose_name=_("走访人员"), related_name="visits")
    met = models.CharField(_("接待人"), max_length=200, blank=True)
    findings = models.TextField(_("走访情况"))
    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("会议走访记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise_visit",
    )
    # The form's one-time token: a resubmitted form finds the visit it already made.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业走访")
        verbose_name_plural = _("企业走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "visited_on"], name="visit_firm_date")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.visited_on:%Y-%m-%d}"


class BriefingStatus(models.TextChoices):
    PENDING = "pending", _("待宣讲")
    DONE = "done", _("已宣讲")


class BriefingTask(models.Model):
    """A policy to explain to one firm, the task of one of its linked cadres (政策宣讲)."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="briefing_tasks"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="briefing_tasks",
        limit_choices_to=ENTERPRISE_ONLY,
    )
    cadre = models.ForeignKey(
        Person, verbose_name=_("宣讲人"), on_delete=models.PROTECT, related_name="briefing_tasks"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=BriefingStatus.choices, default=BriefingStatus.PENDING
    )
    due_on = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.TextField(_("宣讲情况"), blank=True)
    visit = models.ForeignKey(
        EnterpriseVisit,
        verbose_name=_("结合走访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("下发时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策宣讲任务")
        verbose_name_plural = _("政策宣讲任务")
        ordering = ["status", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "cadre"], name="unique_briefing_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.enterprise} · {self.cadre}"


class OutreachEventKind(models.TextChoices):
    VISIT_LOGGED = "visit.logged", _("登记走访")
    BRIEFING_PUSHED = "briefing.pushed", _("下发宣讲任务")
    BRIEFING_DONE = "briefing.done", _("完成宣讲")
    RHYTHM_CHANGED = "rhythm.changed", _("调整走访频次")


class OutreachEvent(AppendOnly, models.Model):
    """One change made by an outreach service, written in its transaction; append-only."""

    kind = models.CharField(_("类型"), max_length=32, choices=OutreachEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    visit = models.ForeignKey(
        EnterpriseVisit,
        verbose_name=_("走访"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    policy = models.ForeignKey(
        Policy,
        verbose_name=_("政策"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("走访宣讲记录")
        verbose_name_plural = _("走访宣讲记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
