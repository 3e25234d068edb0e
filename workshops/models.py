"""Common-prosperity workshops (共富工坊) as a registry of their own, their quarterly figures, and
jobs for special groups (脱贫户, 低保, 残疾 …) with the placements made, plus the append-only log
of every change (``WorkshopEvent``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation, OrgKind
from people.models import Household, HouseholdTag, Person
from regions.models import Region


class WorkshopType(models.TextChoices):
    # The six types named by the Yongchun county organisation department (seed 001).
    PROCESSING = "processing", _("来料加工")
    HIRING = "hiring", _("定向招工")
    LIVESTREAM = "livestream", _("电商直播")
    AGRI_TOURISM = "agri_tourism", _("农旅融合")
    BRAND = "brand", _("品牌带动")
    INDUSTRY = "industry", _("产业赋能")


class WorkshopProfile(models.Model):
    """The workshop's file: its type, the party member who leads it, the township contact."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("工坊"),
        on_delete=models.PROTECT,
        related_name="workshop",
        limit_choices_to={"kind": OrgKind.WORKSHOP},
    )
    type = models.CharField(_("工坊类型"), max_length=16, choices=WorkshopType.choices)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("领办党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshops_led",
    )
    township_contact = models.ForeignKey(
        Person,
        verbose_name=_("挂钩乡镇领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshops_contacted",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在村(社区)"), on_delete=models.PROTECT, related_name="+"
    )
    # The town above ``region``, kept so the totals group by town without walking the tree.
    town = models.ForeignKey(
        Region, verbose_name=_("所在乡镇"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("合作企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_workshops",
    )
    jobs = models.PositiveIntegerField(_("提供岗位"), default=0)
    description = models.TextField(_("简介"), blank=True)
    households: models.ManyToManyField[Household, HelpedHousehold] = models.ManyToManyField(
        Household, through="HelpedHousehold", verbose_name=_("带动农户"), related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共富工坊")
        verbose_name_plural = _("共富工坊")
        ordering = ["town__path", "organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class HelpedHousehold(models.Model):
    """A household the workshop helps (带动), since when."""

    workshop = models.ForeignKey(
        WorkshopProfile, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="helped"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("带动起始日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("带动农户")
        verbose_name_plural = _("带动农户")
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "household"], name="unique_helped")
        ]

    def __str__(self) -> str:
        return f"{self.workshop} · {self.household}"


class WorkshopYear(models.Model):
    """A workshop's figures for a year as reported at the end of a quarter: cumulative from
    January (年初至本季度末), so the fourth quarter's row is the year's."""

    workshop = models.ForeignKey(
        WorkshopProfile, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=[(q, f"{q}") for q in range(1, 5)], default=4
    )
    jobs = models.PositiveIntegerField(_("提供岗位"), default=0)
    households = models.PositiveIntegerField(_("带动农户(户)"), default=0)
    income = models.DecimalField(_("带动增收(万元)"), max_digits=10, decimal_places=2, default=0)
    output = models.DecimalField(_("产值(万元)"), max_digits=12, decimal_places=2, default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工坊年度数据")
        verbose_name_plural = _("工坊年度数据")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "year", "quarter"], name="unique_workshop_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workshop} · {self.year}Q{self.quarter}"


class PostingStatus(models.TextChoices):
    OPEN = "open", _("招聘中")
    CLOSED = "closed", _("已结束")


EMPLOYER_KINDS = (OrgKind.ENTERPRISE, OrgKind.WORKSHOP)


class JobPosting(models.Model):
    """Jobs an enterprise or a workshop offers to households of special groups (tags)."""

    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("用工单位"),
        on_delete=models.PROTECT,
        related_name="job_postings",
        limit_choices_to={"kind__in": EMPLOYER_KINDS},
    )
    title = models.CharField(_("岗位名称"), max_length=100)
    positions = models.PositiveIntegerField(_("招聘人数"))
    wage = models.CharField(_("薪资待遇"), max_length=100, blank=True)
    place = models.CharField(_("工作地点"), max_length=200, blank=True)
    # Where the households are sought: a town, or the county.
    region = models.ForeignKey(
        Region, verbose_name=_("面向区域"), on_delete=models.PROTECT, related_name="+"
    )
    tags = models.ManyToManyField(HouseholdTag, verbose_name=_("面向群体"), related_name="+")
    status = models.CharField(
        _("状态"), max_length=8, choices=PostingStatus.choices, default=PostingStatus.OPEN
    )
    posted_on = models.DateField(_("发布日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("就业岗位")
        verbose_name_plural = _("就业岗位")
        ordering = ["status", "-posted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"


class Placement(models.Model):
    """A member of a household placed in a posting's job."""

    posting = models.ForeignKey(
        JobPosting, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="placements"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="+"
    )
    # The member placed, one of the household's member rows (``households``, named by its label
    # so the two registries stay independent); placements made before members were matched
    # name a person only.
    member = models.ForeignKey(
        "households.HouseholdMember",
        verbose_name=_("家庭成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person_name = models.CharField(_("上岗人员"), max_length=50)
    placed_on = models.DateField(_("上岗日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("就业安置")
        verbose_name_plural = _("就业安置")
        ordering = ["-placed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "household", "person_name"], name="unique_placement"
            ),
            models.UniqueConstraint(
                fields=["posting", "member"],
                condition=models.Q(member__isnull=False),
                name="unique_member_placement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting} · {self.household}"


class WorkshopEventKind(models.TextChoices):
    REGISTERED = "workshop.registered", _("登记工坊")
    UPDATED = "workshop.updated", _("修改工坊信息")
    FIGURES = "workshop.figures", _("填报季度数据")
    HOUSEHOLD_ADDED = "workshop.household_added", _("登记带动农户")
    HOUSEHOLD_REMOVED = "workshop.household_removed", _("移除带动农户")
    POSTED = "job.posted", _("发布岗位")
    CLOSED = "job.closed", _("结束招聘")
    PLACED = "job.placed", _("登记上岗")


class WorkshopEvent(models.Model):
    """One change made by a workshops service, written in its transaction; append-only."""

    kind = models.CharField(_("类型"), max_length=32, choices=WorkshopEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    workshop = models.ForeignKey(
        WorkshopProfile,
        verbose_name=_("工坊"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    posting = models.ForeignKey(
        JobPosting,
        verbose_name=_("岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("工坊与就业记录")
        verbose_name_plural = _("工坊与就业记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
