"""Case types, cases and their append-only events: the data of the closed loop.

Only ``cases/services.py`` changes a case's status or writes its events.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.attachments import IMAGE_SUFFIXES, attachment_path
from enterprises.models import Policy
from eventlog import AppendOnly
from orgs.models import Organisation
from people.masking import mask_name, mask_phone
from people.models import REQUESTERS, Household, Person, RoleAssignment
from regions.models import GridStation, Region


class Status(models.TextChoices):
    """The canonical states every case type shares; each type labels them in its own words."""

    REPORTED = "reported", _("已受理")
    TRIAGED = "triaged", _("已研判")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    ANSWERED = "answered", _("已答复")
    VERIFIED = "verified", _("已回访")
    CLOSED = "closed", _("已销号")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (
    Status.REPORTED,
    Status.TRIAGED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.ANSWERED,
    Status.VERIFIED,
)
HANDLING_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)


class EventKind(models.TextChoices):
    """Every kind of ``CaseEvent``: the moves of ``cases/moves.py`` and the intake. The label is
    the one word the timeline, Open311 and the exports use for it."""

    REPORTED = "reported", _("受理登记")
    RESOLVED_ON_SPOT = "resolved_on_spot", _("当场办结")
    REJECTED = "rejected", _("不予受理")
    TRIAGED = "triaged", _("研判")
    ASSIGNED = "assigned", _("交办")
    REASSIGNED = "reassigned", _("改派")
    RECALLED = "recalled", _("撤回交办")
    ACCEPTED = "accepted", _("签收")
    PROGRESS_NOTED = "progress_noted", _("办理进展")
    MEDIATED = "mediated", _("调解")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    SENT_BACK = "sent_back", _("退单")
    ANSWERED = "answered", _("答复")
    VISITED = "visited", _("回访")
    VISIT_FAILED_TO_REACH = "visit_failed_to_reach", _("回访未联系上")
    RATED = "rated", _("群众评价")
    INFO_REQUESTED = "info_requested", _("请补充信息")
    INFO_ADDED = "info_added", _("补充信息")
    REOPENED = "reopened", _("重办")
    CLOSED = "closed", _("销号")
    SUPERVISED = "supervised", _("督办")
    MERGED = "merged", _("合并")
    DUPLICATE_MERGED = "duplicate_merged", _("并入重复事项")
    REMINDED = "reminded", _("到期提醒")
    OVERDUE = "overdue", _("超期")
    # Issue 15: staged clocks, the escalation ladder, split, unmerge and manual reminders.
    CONTACTED = "contacted", _("首次联系")
    CLOCK_PAUSED = "clock_paused", _("暂停计时")
    CLOCK_RESUMED = "clock_resumed", _("恢复计时")
    ESCALATED = "escalated", _("逐级督办")
    URGED = "urged", _("催办")
    SPLIT = "split", _("拆分")
    UNMERGED = "unmerged", _("撤销合并")
    DUPLICATE_UNMERGED = "duplicate_unmerged", _("移出重复事项")


class Via(models.TextChoices):
    """The door a move came through (an event records it, as an audit log records the device)."""

    WEB = "web", _("网页")
    API = "api", _("接口")
    OPEN311 = "open311", "Open311"
    IMPORT = "import", _("导入")
    SYSTEM = "system", _("系统")


class Priority(models.TextChoices):
    URGENT = "urgent", _("紧急")
    IMPORTANT = "important", _("重要")
    NORMAL = "normal", _("一般")
    COMPLEX = "complex", _("疑难复杂")


class Channel(models.TextChoices):
    MEETING = "meeting", _("会议收集")
    VISIT = "visit", _("走访")
    EVENING_MEETING = "evening_meeting", _("屋场夜谈会")
    GRID = "grid", _("网格上报")
    HOTLINE = "hotline", _("热线")
    WALK_IN = "walk_in", _("窗口来访")
    WEB = "web", _("网站/小程序")
    API = "api", _("系统对接")
    TRANSFER = "transfer", _("上级交办")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class MediationOutcome(models.TextChoices):
    SUCCESS = "success", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFERRED = "referred", _("转诉讼/仲裁")
    TERMINATED = "terminated", _("终止调解")


class SendBackReason(models.TextChoices):
    NOT_REMIT = "not_remit", _("不属本单位职责")
    WRONG_PLACE = "wrong_place", _("不属本辖区")
    INFO_MISSING = "info_missing", _("诉求信息不全")
    LEGAL_PROCESS = "legal_process", _("已进入司法/行政程序")
    OTHER = "other", _("其他")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "days", _("工作日")
    WORKING_HOURS = "hours", _("工作小时")


class CaseType(models.Model):
    """A kind of case (企业诉求, 矛盾纠纷, …) with its own words for the shared states."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    # {"reported": "摸排", "triaged": "研判", …}: labels override the canonical ones.
    step_labels = models.JSONField(_("环节名称"), default=dict, blank=True)
    has_mediation = models.BooleanField(_("需调解"), default=False)
    default_priority = models.CharField(
        _("默认紧急程度"),
        max_length=16,
        choices=Priority.choices,
        default=Priority.NORMAL,
    )
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项类型")
        verbose_name_plural = _("事项类型")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name

    def label(self, status: str) -> str:
        return self.step_labels.get(status) or str(Status(status).label)


class Category(models.Model):
    """A category of a case type, with the unit usually responsible for it."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("事项类型"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=50)
    suggested_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("建议主办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["case_type", "code"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="unique_category_code")
        ]

    def __str__(self) -> str:
        return self.name


class TimeLimit(models.Model):
    """Handling and response limits per case type and priority, in working time."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("事项类型"), on_delete=models.CASCADE, related_name="time_limits"
    )
    priority = models.CharField(_("紧急程度"), max_length=16, choices=Priority.choices)
    amount = models.PositiveSmallIntegerField(_("办理时限"))
    unit = models.CharField(
        _("单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    # The sign-for stage (签收): the lead unit signs within this many working hours of 交办.
    response_hours = models.PositiveSmallIntegerField(_("签收时限(工作小时)"), default=2)
    # The first-contact stage: the unit calls the requester within this many working hours.
    contact_hours = models.PositiveSmallIntegerField(_("首次联系时限(工作小时)"), default=8)
    # A stage's light turns yellow when less than this share of its time is left (red: past).
    warn_percent = models.PositiveSmallIntegerField(
        _("黄灯阈值(剩余时间%)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("某一环节剩余时间少于该环节总时长的这一比例时亮黄灯"),
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["case_type", "priority"], name="unique_time_limit")
        ]

    def __str__(self) -> str:
        return f"{self.case_type} · {self.get_priority_display()} · {self.amount}{self.get_unit_display()}"


class Stage(models.TextChoices):
    """The staged clocks of a case in handling, each with its own working-time deadline."""

    SIGN = "sign", _("签收")
    CONTACT = "contact", _("首次联系")
    FINISH = "finish", _("办结")


class EscalationTarget(models.TextChoices):
    """Who a rung of the ladder tells, lowest first: a case's ``escalation_level`` is the rank
    (1–4) of the highest reached since its last hand-over."""

    HANDLER = "handler", _("承办人")
    UNIT_HEAD = "unit_head", _("单位负责人")
    BOARD = "board", _("督办台")
    LEADER = "leader", _("分管领导")

    @classmethod
    def rank(cls, target: str) -> int:
        return cls.values.index(target) + 1

    @classmethod
    def of_rank(cls, rank: int) -> "EscalationTarget | None":
        return cls(cls.values[rank - 1]) if 1 <= rank <= len(cls.values) else None


class EscalationStep(models.Model):
    """One rung of the escalation ladder (逐级督办), as data the office edits.

    When a stage's deadline is ``offset_hours`` working hours behind (negative: before it), the
    sweep makes the ``escalated`` move for the rung, which tells its ``target``. A rung with a
    case type applies to that type only; otherwise to every type without rungs of its own.
    """

    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("事项类型"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        help_text=_("留空表示适用于没有单独设置的所有类型"),
    )
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices)
    level = models.PositiveSmallIntegerField(_("级别"), validators=[MinValueValidator(1)])
    offset_hours = models.SmallIntegerField(
        _("相对期限(工作小时)"), help_text=_("到期后多少个工作小时触发；负数表示到期前")
    )
    target = models.CharField(_("提醒对象"), max_length=12, choices=EscalationTarget.choices)

    class Meta:
        verbose_name = _("逐级督办规则")
        verbose_name_plural = _("逐级督办规则")
        ordering = ["case_type", "stage", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "stage", "level"],
                name="unique_escalation_step",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.level}级 → {self.get_target_display()}"


class CatalogueStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("现行")
    RETIRED = "retired", _("已停用")


class DispatchCatalogue(models.Model):
    """A version of the dispatch catalogue (派单目录): category → lead unit, co-units, tier.

    The office edits a draft and publishes it; the one published version is in force and the
    one before it is retired. Each assignment records the version that named its unit.
    """

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=CatalogueStatus.choices, default=CatalogueStatus.DRAFT
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published"),
                name="one_published_catalogue",
            )
        ]

    def __str__(self) -> str:
        return f"派单目录 v{self.version}（{self.get_status_display()}）"


class DispatchEntry(models.Model):
    """One line of a catalogue version: where a category goes and how urgent it is."""

    catalogue = models.ForeignKey(
        DispatchCatalogue, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="entries"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.CASCADE, related_name="+"
    )
    lead_unit = models.ForeignKey(
        Organisation, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        Organisation, verbose_name=_("协办单位"), blank=True, related_name="+"
    )
    priority = models.CharField(
        _("紧急程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )

    class Meta:
        verbose_name = _("派单目录条目")
        verbose_name_plural = _("派单目录条目")
        ordering = ["catalogue", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "category"], name="unique_catalogue_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead_unit}"


class WorkCalendarDay(models.Model):
    """An official day entered by an administrator: a holiday or a make-up workday.

    Entering any day of a year declares that year's State Council schedule known to the
    product; it then overrides the ``chinese-calendar`` package for that year.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("是工作日"), help_text=_("勾选表示调休上班日；不勾选表示法定节假日")
    )
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Meeting(models.Model):
    """A meeting or visit (联席会议, 党委会, 屋场会, 走访) where demands are raised."""

    class Kind(models.TextChoices):
        JOINT = "joint", _("联席会议")
        COMMITTEE = "committee", _("党委会议")
        EVENING = "evening", _("屋场夜谈会")
        VISIT = "visit", _("走访")
        ON_SITE = "on_site", _("现场办公")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("主题"), max_length=150)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=150, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("主办组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("走访企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.TextField(_("参会人员"), blank=True)
    notes = models.TextField(_("纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("会议走访")
        verbose_name_plural = _("会议走访")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return self.title


def overdue_q(now=None, prefix: str = "") -> Q:
    """The overdue condition, written once: in handling, its clock running (not standing for
    an extension, a question to the requester or a pause: ``cases.clocks``) and past the
    deadline now. The ``is_overdue`` flag is the sweep's record of it; pages and rates ask this
    instead."""
    return Q(
        **{
            f"{prefix}status__in": HANDLING_STATUSES,
            f"{prefix}deadline__lt": now or timezone.now(),
            f"{prefix}clock_paused_at__isnull": True,
        }
    )


def rated_by_requester_q() -> Q:
    """Cases whose requester follows them on the phone (a resident or an enterprise liaison
    who filed it, or who is named as its requester) and so may rate the answer themselves."""
    requester_roles = RoleAssignment.objects.filter(role__in=REQUESTERS, is_active=True)
    return Q(Exists(requester_roles.filter(user=OuterRef("reported_by")))) | Q(
        Exists(requester_roles.filter(user__person=OuterRef("requester")))
    )


def due_for_visit_q(now=None) -> Q:
    """Answered cases waiting for a staff return visit (回访). A requester who can rate on the
    phone is given ``SELF_RATING_WAIT_HOURS`` to do so first; their rating is the visit, so
    nobody calls them to ask again."""
    now = now or timezone.now()
    wait = timedelta(hours=settings.LIANXIN["SELF_RATING_WAIT_HOURS"])
    return Q(status=Status.ANSWERED) & ~(Q(answered_at__gt=now - wait) & rated_by_requester_q())


class CaseQuerySet(models.QuerySet["Case"]):
    def due_for_visit(self, now=None) -> "CaseQuerySet":
        return self.filter(due_for_visit_q(now))

    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def in_handling(self) -> "CaseQuerySet":
        return self.filter(status__in=HANDLING_STATUSES)

    def overdue(self, now=None) -> "CaseQuerySet":
        """In handling and past the deadline in force at ``now`` (the one overdue condition)."""
        return self.filter(overdue_q(now))

    def search(self, text: str) -> "CaseQuerySet":
        """Every door's search: cases whose number or ledger number contains ``text`` as typed
        (whole or in part), or whose title, description or answer has its words (``textsearch``:
        jieba's terms, ranked), each annotated with ``relevance`` and ordered by it.

        A number match counts most, then a title over a description or answer, more words over
        fewer, the whole text as a phrase over scattered words. A door that keeps its own order
        replaces this one. A blank ``text`` leaves the queryset as it is, without ``relevance``.
        The requester's phone is not searched: a reader who sees it masked could test numbers.
        """
        from textsearch import ranked  # the lowest layer; imported here to keep the edit local

        return ranked(
            self,
            text,
            {"title": 3, "description": 1, "answer": 1},
            phrase_fields={"number": 20, "ledger_number": 20},
        )

    def for_unit(self, unit: Organisation) -> "CaseQuerySet":
        return self.filter(
            Q(lead_unit=unit) | Q(assignments__unit=unit, assignments__is_active=True)
        ).distinct()

    def in_region(self, region: Region) -> "CaseQuerySet":
        return self.filter(region__path__gte=region.path, region__path__lt=region.path_range_end)

    def counted(self) -> "CaseQuerySet":
        """Cases that count in rates: duplicates count in their master, refusals not at all."""
        return self.exclude(status__in=(Status.MERGED, Status.REJECTED))


class Case(models.Model):
    """A demand, dispute, hazard or other matter, followed from report to close."""

    number = models.CharField(_("编号"), max_length=24, unique=True, null=True, editable=False)
    case_type = models.ForeignKey(CaseType, verbose_name=_("事项类型"), on_delete=models.PROTECT)
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    priority = models.CharField(
        _("紧急程度"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("诉求内容"))

    requester = models.ForeignKey(
        Person,
        verbose_name=_("诉求人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requester_name = models.CharField(_("诉求人姓名"), max_length=50, blank=True)
    requester_phone = models.CharField(_("诉求人电话"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("涉及企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_raised",
    )
    # The household the case is about (一户一策, 1+10+N): its file lists the case.
    household = models.ForeignKey(
        Household,
        verbose_name=_("涉及户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="+"
    )
    # The grid station (网格驿站) where it was taken in, for the figures per station.
    station = models.ForeignKey(
        GridStation,
        verbose_name=_("受理驿站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    committee = models.ForeignKey(
        Organisation,
        verbose_name=_("受理机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("负责研判交办的机构，如产业链党委、镇综治中心"),
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("来源会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A caller-chosen key (form token, API Idempotency-Key) so a resubmission never makes two cases.
    source_key = models.CharField(max_length=80, unique=True, null=True, blank=True, editable=False)
    # The number the office's own ledger gave it (工单编号, 案号), normalised: the business key
    # of an imported case, so importing the ledger again updates or skips instead of doubling.
    ledger_number = models.CharField(
        _("台账编号"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateTimeField(_("办理期限"), null=True, blank=True)
    response_deadline = models.DateTimeField(_("响应期限"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    pending_extension_until = models.DateTimeField(_("申请延期至"), null=True, blank=True)
    is_overdue = models.BooleanField(_("已超期"), default=False)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    # The first-contact stage: when the unit must call the requester, and when it did.
    contact_deadline = models.DateTimeField(_("首次联系期限"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    # Set while the clock stands (an extension pending, the requester asked, a pause move);
    # on resuming every open stage's deadline moves by the working time it stood.
    clock_paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    clock_paused_by_hand = models.BooleanField(_("人工暂停计时"), default=False)
    # How high the escalation ladder has reached since the last hand-over: the rank of the
    # highest target told (1 handler … 3 the supervision board, 4 the leader; 0 none).
    escalation_level = models.PositiveSmallIntegerField(_("逐级督办级别"), default=0)
    # Set while the requester is asked for more information (请补充信息), cleared when they add it.
    info_requested_at = models.DateTimeField(_("待补充信息"), null=True, blank=True)
    supervision_level = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    send_back_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    rework_count = models.PositiveSmallIntegerField(
        _("返工次数"), default=0, help_text=_("回访不通过后重办的次数")
    )

    reported_at = models.DateTimeField(_("受理时间"))
    # The month the case was received (YYYYMM, local time): every rate's cohort key.
    reported_month = models.PositiveIntegerField(_("受理月份"), editable=False)
    triaged_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    answer = models.TextField(_("答复内容"), blank=True)
    # The policy the answer applied (答复所依据的政策), so "which demands were answered by which
    # policy" is a count.
    policy = models.ForeignKey(
        Policy,
        verbose_name=_("依据政策"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_cases",
    )
    resolved_on_spot = models.BooleanField(_("当场办结"), default=False)
    answered_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    handling_hours = models.FloatField(_("办理用时(小时)"), null=True, blank=True)

    # The latest valid return visit (有效回访: the requester was reached and answered).
    visit_valid = models.BooleanField(_("有效回访"), default=False)
    visit_contacted = models.BooleanField(_("及时联系"), null=True, blank=True)
    visit_resolved = models.BooleanField(_("问题解决"), null=True, blank=True)
    visit_satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )

    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    mediation_outcome = models.CharField(
        _("调处结果"), max_length=16, choices=MediationOutcome.choices, blank=True
    )
    details = models.JSONField(_("扩展信息"), default=dict, blank=True)

    # Privacy: the handling units see the requester masked (only the desk knows them), and the
    # case is left out of Open311's public listing.
    anonymous_to_unit = models.BooleanField(_("对承办单位保密"), default=False)
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("不勾选则不在公开接口中显示")
    )
    # A call holding several demands is split into cases that keep a link to the original.
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("拆分自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="split_cases",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求事项")
        verbose_name_plural = _("诉求事项")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["lead_unit", "reported_month"], name="case_unit_month"),
            models.Index(fields=["region", "reported_at"], name="case_region_reported"),
            models.Index(fields=["reported_month", "case_type"], name="case_month_type"),
            models.Index(fields=["-reported_at"], name="case_reported_desc"),
            # The desk looks a caller up by phone number (重复来电).
            models.Index(fields=["requester_phone"], name="case_requester_phone"),
            # A reporter's own cases by date: the grid home's recent reports and today's count,
            # 我登记的, a resident's 我的诉求 (a worker may have reported tens of thousands).
            models.Index(fields=["reported_by", "reported_at"], name="case_reporter_reported"),
            # Today's answers (grid home's 当场办结): written once per answer, read by date.
            models.Index(fields=["answered_at"], name="case_answered_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def status_label(self) -> str:
        return self.case_type.label(self.status)

    @property
    def masked_requester_name(self) -> str:
        return mask_name(self.requester_name)

    @property
    def masked_requester_phone(self) -> str:
        return mask_phone(self.requester_phone)

    @property
    def escalated_to(self) -> "EscalationTarget | None":
        """The highest target the escalation ladder has told since the last hand-over."""
        return EscalationTarget.of_rank(self.escalation_level)

    @property
    def visit_passed(self) -> bool:
        """A return visit passes when the requester says it is solved and is not unsatisfied."""
        return bool(
            self.visit_valid
            and self.visit_resolved
            and self.visit_satisfaction != Satisfaction.UNSATISFIED
        )


class CaseAssignment(models.Model):
    """A unit's part in a case: the lead unit (主办) or a co-handling unit (协办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    is_lead = models.BooleanField(_("主办"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    assigned_at = models.DateTimeField(_("交办时间"))
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    # The dispatch catalogue (派单目录) version in force when the unit was named.
    catalogue = models.ForeignKey(
        "DispatchCatalogue",
        verbose_name=_("派单目录版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("交办单位")
        verbose_name_plural = _("交办单位")
        indexes = [models.Index(fields=["unit", "is_active"], name="assignment_unit_active")]

    def __str__(self) -> str:
        return f"{self.unit} ({_('主办') if self.is_lead else _('协办')})"


class CaseEvent(AppendOnly, models.Model):
    """One move of a case: who, when, from which state to which, why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("动作"), max_length=40, choices=EventKind.choices)
    via = models.CharField(_("来源"), max_length=10, choices=Via.choices, default=Via.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("理由/说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_status}→{self.to_status}"


class CaseAttachment(models.Model):
    """A photo or document attached to a case.

    The file is stored under a random name (``cases.attachments``) and is served only through
    the case's scope, never from MEDIA_URL; ``name`` keeps the name it was sent under.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """A photo, shown inline on the case page (its stored name ends in the extension of the
        type its bytes showed)."""
        return str(self.file).lower().endswith(IMAGE_SUFFIXES)
