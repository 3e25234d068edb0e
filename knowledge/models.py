"""知识库 and 常用回复: the answers the office keeps (policy answers, procedures, contacts, FAQs),
the saved replies staff insert into their answers, and the residents' questions an article
answered without a case (自助解答).

Only ``knowledge/services.py`` writes these rows; every change of an article or a saved reply is
logged by its ``ArticleEvent`` / ``SavedReplyEvent`` in the same transaction.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from eventlog import AppendOnly
from orgs.models import Organisation


class ArticleKind(models.TextChoices):
    POLICY = "policy", _("政策解答")
    GUIDE = "guide", _("办事指南")
    CONTACT = "contact", _("联系方式")
    FAQ = "faq", _("常见问题")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    ARCHIVED = "archived", _("已归档")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)

    def public(self) -> ArticleQuerySet:
        """What residents read: published and marked public."""
        return self.published().filter(is_public=True)

    def due_for_review(self, today: date | None = None) -> ArticleQuerySet:
        """Not archived and past the review date (待复核)."""
        today = today or timezone.localdate()
        return self.exclude(status=ArticleStatus.ARCHIVED).filter(review_by__lt=today)


class Article(models.Model):
    """One entry of the knowledge base, kept by a unit (or the office when ``owner_unit`` is
    empty) and re-read by its ``review_by`` date: past it the lists flag it 待复核."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    kind = models.CharField(_("类型"), max_length=16, choices=ArticleKind.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("事项分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("维护单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("负责维护本条目的单位；不选则由研判交办中心维护。"),
    )
    keywords = models.CharField(
        _("关键词"),
        max_length=200,
        blank=True,
        help_text=_("群众常用的说法，用顿号、逗号或空格分隔，便于检索。"),
    )
    review_by = models.DateField(_("复核日期"), help_text=_("到期后须复核内容是否仍然有效。"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    is_public = models.BooleanField(
        _("向群众公开"), default=False, help_text=_("公开的条目在群众反映诉求前供其自助查看。")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("最近复核时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库条目")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "review_by"], name="article_status_review")]

    def __str__(self) -> str:
        return self.title

    @property
    def due_for_review(self) -> bool:
        return self.status != ArticleStatus.ARCHIVED and self.review_by < timezone.localdate()

    @property
    def citation(self) -> str:
        return str(_("（引自知识库《%(title)s》）")) % {"title": self.title}

    @property
    def insert_text(self) -> str:
        """What 插入 puts into an answer: the body, then the title as its citation."""
        return f"{self.body.strip()}\n{self.citation}"


class ArticleEventKind(models.TextChoices):
    CREATED = "created", _("创建")
    UPDATED = "updated", _("修改")
    PUBLISHED = "published", _("发布")
    ARCHIVED = "archived", _("归档")
    REVIEWED = "reviewed", _("复核")


class ArticleEvent(AppendOnly, models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=ArticleEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("知识库条目记录")
        verbose_name_plural = _("知识库条目记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind}"


class ReplyScope(models.TextChoices):
    PERSONAL = "personal", _("个人")
    UNIT = "unit", _("本单位")
    OFFICE = "office", _("全县通用")


class SavedReply(models.Model):
    """A saved reply (常用回复) with variables (``knowledge.replies.VARIABLES``): personal (an
    ``owner``), a unit's (an ``owner_unit``) or office-wide (neither). One naming a move kind
    and marked ``auto_fill`` fills that move's text when its form opens."""

    title = models.CharField(_("名称"), max_length=60)
    text = models.TextField(_("回复内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("个人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    move_kind = models.CharField(_("用于操作"), max_length=40, blank=True)
    auto_fill = models.BooleanField(
        _("自动填入"), default=False, help_text=_("打开该操作的表单时自动填入本回复。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("常用回复")
        verbose_name_plural = _("常用回复")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(owner_unit__isnull=True),
                name="saved_reply_one_scope",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        if self.owner_id:
            return ReplyScope.PERSONAL
        if self.owner_unit_id:
            return ReplyScope.UNIT
        return ReplyScope.OFFICE

    def get_scope_display(self) -> str:
        return str(ReplyScope(self.scope).label)


class SavedReplyEventKind(models.TextChoices):
    CREATED = "created", _("创建")
    UPDATED = "updated", _("修改")
    RETIRED = "retired", _("停用")


class SavedReplyEvent(AppendOnly, models.Model):
    reply = models.ForeignKey(SavedReply, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=SavedReplyEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("常用回复记录")
        verbose_name_plural = _("常用回复记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.reply_id} {self.kind}"


class SelfServiceAnswer(AppendOnly, models.Model):
    """A resident's question a public article answered before they filed a case (自助解答):
    counted as answered without a case (``knowledge.selectors.self_service_count``)."""

    article = models.ForeignKey(
        Article, verbose_name=_("条目"), on_delete=models.PROTECT, related_name="self_answers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("群众"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    query = models.CharField(_("所问内容"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("自助解答")
        verbose_name_plural = _("自助解答")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at"], name="self_answer_at")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.at:%Y-%m-%d %H:%M}"
