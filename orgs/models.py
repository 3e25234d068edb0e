"""Organisations: party committees and branches, departments, associations, enterprises."""

import re
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.credit_code import validate_credit_code
from regions.models import Region


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("党委")
    CHAIN_COMMITTEE = "chain_committee", _("产业链党委")
    PARTY_BRANCH = "party_branch", _("党支部")
    WORKING_GROUP = "working_group", _("工作专班")
    DEPARTMENT = "department", _("职能部门")
    TOWN_GOVERNMENT = "town_government", _("乡镇政府")
    VILLAGE_COMMITTEE = "village_committee", _("村(社区)两委")
    ASSOCIATION = "association", _("协会/同业公会")
    ENTERPRISE = "enterprise", _("企业")
    COOPERATIVE = "cooperative", _("合作社")
    VILLAGE_COMPANY = "village_company", _("村集体公司")
    WORKSHOP = "workshop", _("共富工坊")


class EnterpriseSize(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class ChainPosition(models.TextChoices):
    UPSTREAM = "upstream", _("上游(原料、装备)")
    MIDSTREAM = "midstream", _("中游(生产制造)")
    DOWNSTREAM = "downstream", _("下游(销售、文创、物流)")
    SERVICE = "service", _("配套服务")


# What separates the aliases of one organisation: a line break or a list mark (、,，;；).
ALIAS_SEPARATORS = re.compile(r"[\n\r、,，;；]+")

# Kinds of organisation a case may be assigned to (主办/协办).
HANDLING_KINDS = frozenset(
    {
        OrgKind.DEPARTMENT,
        OrgKind.TOWN_GOVERNMENT,
        OrgKind.VILLAGE_COMMITTEE,
        OrgKind.WORKING_GROUP,
        OrgKind.ASSOCIATION,
    }
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def enterprises(self) -> "OrganisationQuerySet":
        return self.filter(kind=OrgKind.ENTERPRISE)

    def handling_units(self) -> "OrganisationQuerySet":
        """Units a case may be assigned to."""
        return self.filter(kind__in=HANDLING_KINDS, is_active=True)


class Organisation(models.Model):
    """Any body that raises, dispatches or handles cases; enterprises carry their profile."""

    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=150)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    # Other spellings offices use for the unit in their ledgers ("县住建局", "住建"): the ledger
    # import (ledgers/units.py) matches them as it matches the name and the short name.
    aliases = models.TextField(
        _("别名"),
        blank=True,
        help_text=_("台账中对该单位的其他叫法，每行一个，或用顿号、逗号、分号分隔。"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # The unit that keeps the workshops' file and quarterly totals (the county's organisation
    # department, 组织部): its staff read every workshop and job posting (workshops.scope).
    keeps_workshops = models.BooleanField(
        _("主管共富工坊"),
        default=False,
        help_text=_("组织部等负责共富工坊建档和季度统计的部门，其人员可查看全部工坊和岗位。"),
    )
    # Enterprise profile (blank for other kinds).
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_credit_code],
    )
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    size = models.CharField(_("规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    park = models.CharField(_("所在园区"), max_length=100, blank=True)
    chain_position = models.CharField(
        _("产业链环节"), max_length=16, choices=ChainPosition.choices, blank=True
    )
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    is_above_scale = models.BooleanField(_("规模以上"), default=False)
    # A committee's or association's chain: enterprises in the ceramic chain point at it.
    chain = models.ForeignKey(
        "self",
        verbose_name=_("所属产业链党委"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chain_members",
        limit_choices_to={"kind": OrgKind.CHAIN_COMMITTEE},
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="enterprise") | Q(credit_code__isnull=False),
                name="enterprise_has_credit_code",
                violation_error_message=_("企业必须填写统一社会信用代码。"),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args, **kwargs) -> None:
        # A blank code is stored as NULL: the unique constraint allows many NULLs, not many "".
        self.credit_code = (self.credit_code or "").strip().upper() or None
        super().save(*args, **kwargs)

    @property
    def alias_list(self) -> list[str]:
        """The aliases, trimmed, without blanks or repeats, in the order written."""
        found = (alias.strip() for alias in ALIAS_SEPARATORS.split(self.aliases or ""))
        return list(dict.fromkeys(alias for alias in found if alias))


OrganisationManager = models.Manager.from_queryset(OrganisationQuerySet)


class EnterpriseManager(OrganisationManager["Enterprise"]):
    """What ``Organisation.objects`` offers (its queryset methods), over enterprises only."""

    def get_queryset(self) -> models.QuerySet["Enterprise"]:
        return super().get_queryset().filter(kind=OrgKind.ENTERPRISE)


class Enterprise(Organisation):
    """Enterprises only, for the admin and registries."""

    objects: ClassVar[EnterpriseManager] = EnterpriseManager()

    class Meta:
        proxy = True
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def save(self, *args, **kwargs) -> None:
        self.kind = OrgKind.ENTERPRISE
        super().save(*args, **kwargs)
