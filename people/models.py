"""People, user accounts, roles scoped to a region subtree or an organisation, and typed links."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from config.prepared import PreparedRead
from orgs.models import Organisation
from people.masking import mask_id_number, mask_name, mask_phone
from regions.models import Region


class Person(models.Model):
    """A real person: cadre, grid worker, party member, resident, enterprise contact."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    position = models.CharField(_("职务"), max_length=50, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    is_representative = models.BooleanField(_("村民代表"), default=False)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name"]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("研判交办员")
    DEPT_HANDLER = "dept_handler", _("承办人")
    DEPT_HEAD = "dept_head", _("部门负责人")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_CHIEF = "grid_chief", _("网格长")
    VILLAGE_CADRE = "village_cadre", _("村(社区)干部")
    LINKED_CADRE = "linked_cadre", _("挂钩干部")
    ENTERPRISE_LIAISON = "enterprise_liaison", _("企业联络员")
    OPERATOR = "operator", _("话务员/窗口")
    RESIDENT = "resident", _("群众")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("管理员")


# Roles whose scope is a region subtree, and roles whose scope is an organisation.
REGION_ROLES = {
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.GRID_WORKER,
    Role.GRID_CHIEF,
    Role.VILLAGE_CADRE,
    Role.LEADER,
}
ORG_ROLES = {Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.ENTERPRISE_LIAISON, Role.LINKED_CADRE}
COLLECTOR_ROLES = {
    Role.GRID_WORKER,
    Role.GRID_CHIEF,
    Role.VILLAGE_CADRE,
    Role.LINKED_CADRE,
    Role.DISPATCHER,
}

# The role groups the engine's rules, the workbenches and the menus share, declared once.
DISPATCHERS = frozenset({Role.DISPATCHER})
# The hotline / walk-in desk (话务员/窗口): registers calls and visits, answers on the spot or
# triages and assigns in the same step.
OPERATORS = frozenset({Role.OPERATOR})
INTAKE = DISPATCHERS | OPERATORS
# Who files demands for themselves and follows them on the phone pages.
REQUESTERS = frozenset({Role.RESIDENT, Role.ENTERPRISE_LIAISON})
SUPERVISORS = frozenset({Role.DISPATCHER, Role.LEADER})
UNIT_STAFF = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
GRID_STAFF = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE})
COLLECTORS = frozenset(COLLECTOR_ROLES)
# Who makes return visits, and who sees a requester unmasked to contact them.
VISITORS = DISPATCHERS | GRID_STAFF
REPORT_READERS = frozenset({Role.LEADER, Role.DISPATCHER, Role.DEPT_HEAD})


class User(AbstractUser):
    """A sign-in account; the person behind it carries the real-world identity."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        # No query without a person: the descriptor answers None from the empty person_id.
        person = self.person
        return person.name if person is not None else (self.get_full_name() or self.username)

    @cached_property
    def role_assignments(self) -> list["RoleAssignment"]:
        """The user's active roles with their scopes, loaded once per request (one query, its
        SQL built once: every request asks)."""
        assignments = _ACTIVE_ROLES(user_id=self.pk)
        for assignment in assignments:
            RoleAssignment.user.field.set_cached_value(assignment, self)
        return assignments

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(a.role in roles for a in self.role_assignments)

    @property
    def is_requester_only(self) -> bool:
        """A resident or enterprise liaison and nothing else: they follow their own demands on
        the phone pages (我的诉求), never the staff pages with internal notes."""
        held = {a.role for a in self.role_assignments}
        return bool(held) and held <= REQUESTERS and not self.is_admin

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or any(a.role == Role.ADMIN for a in self.role_assignments)


class RoleAssignment(models.Model):
    """A role held over a region subtree or an organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区域范围"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("组织范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "organisation"], name="unique_role_scope"
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.organisation or _("全部")
        return f"{self.get_role_display()} @ {scope}"

    def clean(self) -> None:
        # A resident sees only what they raised: a scope would show them a whole region.
        if self.role == Role.RESIDENT and (self.region_id or self.organisation_id):
            raise ValidationError(_("群众角色不能指定区域或组织范围。"))
        if self.role == Role.ENTERPRISE_LIAISON and self.region_id:
            raise ValidationError({"region": _("企业联络员只能指定所在企业。")})
        # A leader without a region reads everywhere.
        if self.role in REGION_ROLES - {Role.DISPATCHER, Role.LEADER} and not self.region_id:
            raise ValidationError({"region": _("该角色必须指定区域范围。")})
        if self.role in ORG_ROLES and not self.organisation_id:
            raise ValidationError({"organisation": _("该角色必须指定组织范围。")})
        if self.role == Role.DISPATCHER and not (self.region_id or self.organisation_id):
            raise ValidationError(_("研判交办员必须指定区域或产业链范围。"))


# ``User.role_assignments``: in the order the roles were granted, as before.
_ACTIVE_ROLES = PreparedRead(
    lambda user_id: (
        RoleAssignment.objects.filter(user_id=user_id, is_active=True)
        .select_related("region", "organisation")
        .order_by("id")
    ),
    user_id=int,
)


class RegionDuty(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    TOWN_CADRE = "town_cadre", _("包村镇干部")
    VILLAGE_CADRE = "village_cadre", _("包片村干部")
    GROUP_LEADER = "group_leader", _("组长")
    REPRESENTATIVE = "representative", _("村民代表(联邻)")
    GRID_CHIEF = "grid_chief", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")


class RegionResponsibility(models.Model):
    """Who answers for a region node (镇干部包村, 村干部包片, 组长包组, 村民代表联邻)."""

    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.CASCADE, related_name="responsibilities"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("责任人"), on_delete=models.CASCADE, related_name="region_duties"
    )
    duty = models.CharField(_("职责"), max_length=32, choices=RegionDuty.choices)

    class Meta:
        verbose_name = _("区域责任人")
        verbose_name_plural = _("区域责任人")
        constraints = [
            models.UniqueConstraint(fields=["region", "person", "duty"], name="unique_region_duty")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_duty_display()} · {self.person}"


class EnterpriseLinkKind(models.TextChoices):
    LINKED_CADRE = "linked_cadre", _("挂钩干部")
    RESIDENT_COMMISSIONER = "resident_commissioner", _("驻厂专员")
    PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
    LIAISON = "liaison", _("企业联络员")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")


class EnterpriseLink(models.Model):
    """A typed link between a person and an enterprise."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="enterprise_links"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="person_links",
        limit_choices_to=Q(kind="enterprise"),
    )
    kind = models.CharField(_("联系类型"), max_length=32, choices=EnterpriseLinkKind.choices)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("人员-企业联系")
        verbose_name_plural = _("人员-企业联系")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "enterprise", "kind"], name="unique_enterprise_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.enterprise}"


class HouseholdTag(models.Model):
    """A tag for assistance and employment work (脱贫户, 监测对象, 低保, 残疾)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household in a neighbourhood; personal data is shown masked."""

    head_name = models.CharField(_("户主姓名"), max_length=50)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="households"
    )
    members = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    tags = models.ManyToManyField(
        HouseholdTag, verbose_name=_("标签"), blank=True, related_name="households"
    )

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return f"{mask_name(self.head_name)}户"


class HouseholdLinkKind(models.TextChoices):
    VILLAGE = "village", _("包村")
    PIECE = "piece", _("包片")
    GROUP = "group", _("包组")
    NEIGHBOURHOOD = "neighbourhood", _("包邻")
    PARTY_MEMBER = "party_member", _("党员联户(1+10+N)")
    ASSISTANCE = "assistance", _("帮扶责任人")


class HouseholdLink(models.Model):
    """A typed link between a person and a household."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="household_links"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="person_links"
    )
    kind = models.CharField(_("联系类型"), max_length=32, choices=HouseholdLinkKind.choices)

    class Meta:
        verbose_name = _("人员-户联系")
        verbose_name_plural = _("人员-户联系")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household", "kind"], name="unique_household_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.household}"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key for another system (12345 platform, mini-program, Open311 client).

    Only a SHA-256 digest of the key is stored; the key is shown once, when it is created. The
    key acts as its ``user``, a service account whose roles give the key its scope.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    user = models.ForeignKey(
        User, verbose_name=_("服务账号"), on_delete=models.PROTECT, related_name="api_keys"
    )
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS (短信验证码): only a keyed digest of it is kept.

    Rows are written for every number asked for, registered or not, so the rate limits answer
    the same either way (``people.otp``); a code goes out only to a registered number.
    """

    phone = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["phone", "created_at"], name="otp_phone_created")]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
