"""Every change to the knowledge base and the saved replies, one transaction each with its
``ArticleEvent`` / ``SavedReplyEvent``; and the record of a resident's question an article
answered (``SelfServiceAnswer``).

Errors leave as data: ``ValidationError`` keyed by field with a code, ``PermissionDenied`` for
a caller outside ``knowledge.scope``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.models import (
    Article,
    ArticleEvent,
    ArticleEventKind,
    ArticleStatus,
    ReplyScope,
    SavedReply,
    SavedReplyEvent,
    SavedReplyEventKind,
    SelfServiceAnswer,
)
from knowledge.replies import VARIABLES, text_moves, unknown_variables
from knowledge.scope import (
    keeps_everything,
    may_edit_article,
    may_keep_reply,
    may_make_reply,
    may_self_serve,
    may_write_articles,
    unit_ids,
)
from orgs.models import Organisation
from people.models import User

# The fields of an article its keepers set (``create_article`` / ``update_article`` keywords).
ARTICLE_FIELDS = (
    "title",
    "body",
    "kind",
    "category",
    "owner_unit",
    "keywords",
    "review_by",
    "is_public",
)
REPLY_FIELDS = ("title", "text", "move_kind", "auto_fill")
MAX_BODY = 20000
MAX_REPLY = 5000  # a reply goes into a move's text, which holds this much (cases.forms.MAX_TEXT)
MAX_QUERY = 500
# A new article is re-read within a year unless its keeper says otherwise.
DEFAULT_REVIEW_DAYS = 365
_KEYWORD_SEPARATORS = re.compile(r"[\s、,，;；/]+")


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _clean_text(value: Any, field: str) -> Any:
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise _error(field, _("含有无效字符。"), "invalid_characters")
    return value.strip()


def _keywords(text: str) -> str:
    words = [w for w in _KEYWORD_SEPARATORS.split(text or "") if w]
    return "、".join(dict.fromkeys(words))


# --- Articles ---------------------------------------------------------------------------------


def _log(
    article: Article, kind: str, actor: User | None, data: dict[str, Any], note: str = ""
) -> None:
    ArticleEvent.objects.create(
        article=article, kind=kind, actor=actor, at=timezone.now(), note=note, data=data
    )


def _check_owner_unit(actor: User, owner_unit: Organisation | None) -> None:
    """A unit's staff keep their own unit's articles only; dispatchers and admins any."""
    if keeps_everything(actor):
        return
    if owner_unit is None or owner_unit.pk not in unit_ids(actor):
        raise _error("owner_unit", _("只能选择本单位作为维护单位。"), "not_own_unit")


def _apply(article: Article, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(article, name, _clean_text(value, name))
    article.keywords = _keywords(article.keywords)
    if len(article.body) > MAX_BODY:
        raise _error("body", _("正文不能超过 %(n)d 个字。"), "too_long", n=MAX_BODY)
    article.full_clean(exclude=["created_by", "updated_by", "status"])


def _data(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "kind": article.kind,
        "owner_unit": article.owner_unit_id,
        "category": article.category_id,
        "review_by": article.review_by.isoformat() if article.review_by else None,
        "is_public": article.is_public,
    }


def create_article(*, actor: User, **fields: Any) -> Article:
    """Enter an article as a draft (草稿); its review date defaults to a year from today."""
    if not may_write_articles(actor):
        raise PermissionDenied(_("您无权维护知识库。"))
    if fields.get("review_by") is None:
        fields["review_by"] = timezone.localdate() + timedelta(days=DEFAULT_REVIEW_DAYS)
    now = timezone.now()
    article = Article(
        status=ArticleStatus.DRAFT,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
    )
    _apply(article, fields)
    _check_owner_unit(actor, article.owner_unit)
    with transaction.atomic():
        article.save()
        _log(article, ArticleEventKind.CREATED, actor, _data(article))
    return article


def _locked(article: Article, actor: User) -> Article:
    """The locked row, if ``actor`` keeps it (checked on the row as it is now)."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if not may_edit_article(actor, locked):
        raise PermissionDenied(_("只有维护单位和研判交办员可以修改该条目。"))
    return locked


def update_article(article: Article, *, actor: User, **fields: Any) -> Article:
    """Change a draft or published article; an archived one stays as it was archived."""
    with transaction.atomic():
        article = _locked(article, actor)
        if article.status == ArticleStatus.ARCHIVED:
            raise _error("status", _("已归档的条目不能修改，请先重新发布。"), "archived")
        before = _data(article) | {"body": article.body, "keywords": article.keywords}
        _apply(article, fields)
        _check_owner_unit(actor, article.owner_unit)
        article.updated_by, article.updated_at = actor, timezone.now()
        article.save()
        after = _data(article) | {"body": article.body, "keywords": article.keywords}
        changed = sorted(name for name in after if after[name] != before[name])
        _log(article, ArticleEventKind.UPDATED, actor, {"changed": changed})
    return article


def publish_article(article: Article, *, actor: User) -> Article:
    """Publish a draft, or publish an archived article again: staff find it in their search,
    and residents too when it is public."""
    with transaction.atomic():
        article = _locked(article, actor)
        if article.status == ArticleStatus.PUBLISHED:
            raise _error("status", _("该条目已发布。"), "published")
        before = article.status
        article.status = ArticleStatus.PUBLISHED
        article.published_at = article.updated_at = timezone.now()
        article.updated_by = actor
        article.save(update_fields=["status", "published_at", "updated_at", "updated_by"])
        _log(article, ArticleEventKind.PUBLISHED, actor, {"from": before})
    return article


def archive_article(article: Article, *, actor: User, reason: str = "") -> Article:
    """Archive (归档) an article no longer valid: nobody finds it in a search any more."""
    reason = _clean_text(reason or "", "reason")
    with transaction.atomic():
        article = _locked(article, actor)
        if article.status == ArticleStatus.ARCHIVED:
            raise _error("status", _("该条目已归档。"), "archived")
        before = article.status
        article.status = ArticleStatus.ARCHIVED
        article.updated_at, article.updated_by = timezone.now(), actor
        article.save(update_fields=["status", "updated_at", "updated_by"])
        _log(article, ArticleEventKind.ARCHIVED, actor, {"from": before}, note=reason[:2000])
    return article


def review_article(article: Article, *, actor: User, review_by: date, note: str = "") -> Article:
    """复核: the keeper read the article again and found it valid; the next review is due on
    ``review_by`` (after today)."""
    note = _clean_text(note or "", "note")
    if not isinstance(review_by, date) or review_by <= timezone.localdate():
        raise _error("review_by", _("下次复核日期须晚于今天。"), "review_in_past")
    with transaction.atomic():
        article = _locked(article, actor)
        if article.status == ArticleStatus.ARCHIVED:
            raise _error("status", _("已归档的条目不需要复核。"), "archived")
        previous = article.review_by
        article.review_by = review_by
        article.reviewed_at = timezone.now()
        article.save(update_fields=["review_by", "reviewed_at"])
        _log(
            article,
            ArticleEventKind.REVIEWED,
            actor,
            {"review_by": review_by.isoformat(), "previous": previous.isoformat()},
            note=note[:2000],
        )
    return article


# --- Self-service -----------------------------------------------------------------------------


def record_self_service(article: Article, *, user: User, query: str = "") -> SelfServiceAnswer:
    """解决了我的问题: a resident read ``article`` and needs no case."""
    if not may_self_serve(user):
        raise PermissionDenied(_("只有群众和企业联络员可以使用自助解答。"))
    if not Article.objects.public().filter(pk=article.pk).exists():
        raise _error("article", _("该解答已不再公开。"), "not_public")
    text = (query or "").replace("\x00", "").strip()[:MAX_QUERY]
    return SelfServiceAnswer.objects.create(
        article=article, user=user, query=text, at=timezone.now()
    )


# --- Saved replies ----------------------------------------------------------------------------


def _reply_log(reply: SavedReply, kind: str, actor: User, data: dict[str, Any]) -> None:
    SavedReplyEvent.objects.create(
        reply=reply, kind=kind, actor=actor, at=timezone.now(), data=data
    )


def _check_reply(reply: SavedReply, fields: dict[str, Any]) -> None:
    """Set and check ``fields``: the text's variables, the move it fills, the model's rules."""
    unknown = set(fields) - set(REPLY_FIELDS)
    if unknown:
        raise TypeError(f"unknown reply fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(reply, name, _clean_text(value, name))
    reply.move_kind = reply.move_kind or ""
    errors: dict[str, Any] = {}
    if len(reply.text) > MAX_REPLY:
        errors["text"] = ValidationError(
            _("回复内容不能超过 %(n)d 个字。"), code="too_long", params={"n": MAX_REPLY}
        )
    elif names := unknown_variables(reply.text):
        errors["text"] = ValidationError(
            _("回复中有未知的变量：%(names)s。可用的变量：%(known)s。"),
            code="unknown_variable",
            params={
                "names": "、".join(f"{{{n}}}" for n in names),
                "known": "、".join(f"{{{n}}}" for n in VARIABLES),
            },
        )
    if reply.move_kind and reply.move_kind not in dict(text_moves()):
        errors["move_kind"] = ValidationError(
            _("没有可填写文字的操作“%(kind)s”。"),
            code="unknown_move",
            params={"kind": reply.move_kind},
        )
    if reply.auto_fill and not reply.move_kind:
        errors["auto_fill"] = ValidationError(
            _("自动填入须选择用于哪个操作。"), code="auto_fill_without_move"
        )
    try:
        reply.full_clean(exclude=["created_by", "updated_by", "owner", "owner_unit"])
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            errors.setdefault(field, problems)
    if errors:
        raise ValidationError(errors)


def _reply_data(reply: SavedReply) -> dict[str, Any]:
    return {
        "title": reply.title,
        "scope": reply.scope,
        "owner_unit": reply.owner_unit_id,
        "move_kind": reply.move_kind,
        "auto_fill": reply.auto_fill,
    }


def create_reply(
    *,
    actor: User,
    scope: str,
    owner_unit: Organisation | None = None,
    **fields: Any,
) -> SavedReply:
    """Save a reply: personal (the actor's own), a unit's (``owner_unit``: its staff, or an
    administrator) or office-wide (dispatchers and administrators)."""
    if scope not in ReplyScope.values:
        raise _error("scope", _("请选择适用范围。"), "invalid_scope")
    if scope == ReplyScope.UNIT and owner_unit is None:
        raise _error("owner_unit", _("本单位回复须选择所属单位。"), "unit_required")
    personal = scope == ReplyScope.PERSONAL
    unit = owner_unit if scope == ReplyScope.UNIT else None
    if not may_make_reply(actor, owner_unit=unit, personal=personal):
        raise PermissionDenied(_("您无权保存该范围的常用回复。"))
    now = timezone.now()
    reply = SavedReply(
        owner=actor if personal else None,
        owner_unit=unit,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
    )
    _check_reply(reply, fields)
    with transaction.atomic():
        reply.save()
        _reply_log(reply, SavedReplyEventKind.CREATED, actor, _reply_data(reply))
    return reply


def _locked_reply(reply: SavedReply, actor: User) -> SavedReply:
    locked = SavedReply.objects.select_for_update().get(pk=reply.pk)
    if not may_keep_reply(actor, locked):
        raise PermissionDenied(_("您无权修改该常用回复。"))
    return locked


def update_reply(reply: SavedReply, *, actor: User, **fields: Any) -> SavedReply:
    """Change a reply's name, text, move and auto-fill; its scope stays."""
    with transaction.atomic():
        reply = _locked_reply(reply, actor)
        if not reply.is_active:
            raise _error("status", _("已停用的常用回复不能修改。"), "retired")
        before = _reply_data(reply) | {"text": reply.text}
        _check_reply(reply, fields)
        reply.updated_by, reply.updated_at = actor, timezone.now()
        reply.save()
        after = _reply_data(reply) | {"text": reply.text}
        changed = sorted(name for name in after if after[name] != before[name])
        _reply_log(reply, SavedReplyEventKind.UPDATED, actor, {"changed": changed})
    return reply


def retire_reply(reply: SavedReply, *, actor: User) -> SavedReply:
    """停用: nobody inserts it any more; it stays on record."""
    with transaction.atomic():
        reply = _locked_reply(reply, actor)
        if not reply.is_active:
            raise _error("status", _("该常用回复已停用。"), "retired")
        reply.is_active = False
        reply.updated_by, reply.updated_at = actor, timezone.now()
        reply.save(update_fields=["is_active", "updated_by", "updated_at"])
        _reply_log(reply, SavedReplyEventKind.RETIRED, actor, {})
    return reply
