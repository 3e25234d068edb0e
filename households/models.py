"""A household's file beyond the registry row (people.Household): its members, its tags with
their history, visits by its linked party member or grid staff, its assistance plan (一户一策)
with measures and monthly reviews, and the append-only log of every change."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from people.models import Household, HouseholdTag, Person
from regions.models import Region


class HouseholdMember(models.Model):
    """One member of a household besides the head's registry row; personal data shown masked."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="member_rows"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=20)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        from people.masking import mask_name

        return f"{mask_name(self.name)}（{self.relation}）"


class TagPeriod(models.Model):
    """One stay of a tag on a household: when it was entered and left, by whom, why. The open
    period (``ended_at`` null) mirrors the registry's ``Household.tags``."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="tag_periods"
    )
    tag = models.ForeignKey(
        HouseholdTag, verbose_name=_("标签"), on_delete=models.PROTECT, related_name="periods"
    )
    started_at = models.DateTimeField(_("纳入时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纳入操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start_reason = models.CharField(_("纳入原因"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退出操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.CharField(_("退出原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("标签记录")
        verbose_name_plural = _("标签记录")
        ordering = ["household", "-started_at", "-id"]
        constraints = [
            # A tag is on a household at most once at a time: a parallel tagging fails here.
            models.UniqueConstraint(
                fields=["household", "tag"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_tag_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.tag}"


class HouseholdVisit(models.Model):
    """One visit to a household (入户走访), by its party member (1+10+N) or grid staff; the
    demands raised are cases about the household, listed in ``cases``."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    visitor = models.ForeignKey(
        Person, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="household_visits"
    )
    findings = models.TextField(_("走访情况"))
    cases = models.ManyToManyField(
        Case, verbose_name=_("登记诉求"), blank=True, related_name="household_visits"
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
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"], name="hh_visit_date")]

    def __str__(self) -> str:
        return f"{self.household} · {self.visited_on:%Y-%m-%d}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("帮扶中")
    CLOSED = "closed", _("已结束")


class AssistancePlanQuerySet(models.QuerySet["AssistancePlan"]):
    def active(self) -> AssistancePlanQuerySet:
        return self.filter(status=PlanStatus.ACTIVE)

    def overdue(self, today: date) -> AssistancePlanQuerySet:
        """Active plans whose review date has passed (逾期帮扶复核)."""
        return self.active().filter(next_review_on__lt=today)


class AssistancePlan(models.Model):
    """A household's assistance plan (一户一策): its 帮扶责任人, measures and review rhythm. A
    household has at most one active plan."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="plans"
    )
    responsible = models.ForeignKey(
        Person, verbose_name=_("帮扶责任人"), on_delete=models.PROTECT, related_name="plans"
    )
    summary = models.TextField(_("致贫/风险原因及帮扶思路"), blank=True)
    review_months = models.PositiveSmallIntegerField(_("复核间隔（月）"), default=1)
    started_on = models.DateField(_("开始日期"))
    next_review_on = models.DateField(_("下次复核日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    close_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    objects = AssistancePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("一户一策帮扶计划")
        verbose_name_plural = _("一户一策帮扶计划")
        ordering = ["next_review_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="active"),
                name="one_active_plan_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.get_status_display()}"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已落实")


class PlanMeasure(models.Model):
    """One measure of a plan (产业帮扶, 就业帮扶, 教育资助…) with its target and who carries it."""

    plan = models.ForeignKey(
        AssistancePlan,
        verbose_name=_("帮扶计划"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    measure = models.CharField(_("帮扶措施"), max_length=200)
    target = models.CharField(_("目标"), max_length=200, blank=True)
    responsible = models.CharField(_("责任人/单位"), max_length=100, blank=True)
    status = models.CharField(
        _("进展"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.measure


class PlanReview(models.Model):
    """One review of a plan (帮扶复核): progress per measure (``measures``: measure id → status
    and note) and overall, and the date of the next review."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("帮扶计划"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField(_("复核日期"))
    reviewer = models.ForeignKey(
        Person, verbose_name=_("复核人"), on_delete=models.PROTECT, related_name="plan_reviews"
    )
    progress = models.TextField(_("帮扶进展"))
    measures = models.JSONField(_("措施进展"), default=dict, blank=True)
    next_review_on = models.DateField(_("下次复核日期"))
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
        verbose_name = _("帮扶复核")
        verbose_name_plural = _("帮扶复核")
        ordering = ["plan", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.household} · {self.reviewed_on:%Y-%m-%d}"


class HouseholdEventKind(models.TextChoices):
    MEMBER_ADDED = "member.added", _("登记家庭成员")
    MEMBER_CHANGED = "member.changed", _("修改家庭成员")
    MEMBER_REMOVED = "member.removed", _("移除家庭成员")
    TAGGED = "tag.added", _("纳入标签")
    UNTAGGED = "tag.removed", _("移出标签")
    VISIT_LOGGED = "visit.logged", _("登记入户走访")
    PLAN_CREATED = "plan.created", _("制定帮扶计划")
    PLAN_CHANGED = "plan.changed", _("调整帮扶计划")
    PLAN_REVIEWED = "plan.reviewed", _("帮扶复核")
    PLAN_CLOSED = "plan.closed", _("结束帮扶计划")
    SURVEY_TASKED = "survey.tasked", _("纳入摸排")
    SURVEY_VISITED = "survey.visited", _("摸排走访")
    SURVEY_RECHECKED = "survey.rechecked", _("摸排复核")
    SURVEY_CLOSED = "survey.closed", _("结束摸排")


class HouseholdEvent(models.Model):
    """One change made by a households service, written in its transaction; append-only."""

    kind = models.CharField(_("类型"), max_length=32, choices=HouseholdEventKind.choices)
    # PROTECT: a household with a history is not deleted, as a case with events is not.
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("途径"), max_length=16, default="web")
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("户情记录")
        verbose_name_plural = _("户情记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class SurveyStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Survey(models.Model):
    """A survey campaign (摸排): a checklist sent to grid workers for a set of households in a
    region, each household one ``SurveyTask``."""

    title = models.CharField(_("标题"), max_length=100)
    items = models.JSONField(_("摸排事项"), default=list)
    region = models.ForeignKey(
        Region, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="surveys"
    )
    due_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_reason = models.CharField(_("结束说明"), max_length=200, blank=True)
    # The API's one-time token of the request that started it: sent again, it finds this survey.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("摸排")
        verbose_name_plural = _("摸排")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyTaskStatus(models.TextChoices):
    PENDING = "pending", _("待走访")
    VISITED = "visited", _("已走访")
    RECHECKED = "rechecked", _("已复核")


class SurveyTask(models.Model):
    """One household of a survey: visited by its grid worker, then re-checked (复核) by someone
    else; ``grid`` is the household's grid when the task was made (progress is counted by it)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("摸排"), on_delete=models.CASCADE, related_name="tasks"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="survey_tasks"
    )
    grid = models.ForeignKey(
        Region, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("网格员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_tasks",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=SurveyTaskStatus.choices,
        default=SurveyTaskStatus.PENDING,
        db_index=True,
    )
    answers = models.JSONField(_("摸排结果"), default=dict, blank=True)
    finding = models.TextField(_("发现问题"), blank=True)
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recheck_ok = models.BooleanField(_("复核通过"), null=True, blank=True)
    recheck_note = models.CharField(_("复核意见"), max_length=200, blank=True)
    rechecked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("转为事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_tasks",
    )

    class Meta:
        verbose_name = _("摸排任务")
        verbose_name_plural = _("摸排任务")
        ordering = ["survey", "grid", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="one_task_per_household")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.household}"
