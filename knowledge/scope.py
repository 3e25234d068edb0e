"""Who reads and who keeps the knowledge base and the saved replies.

Articles: every staff role reads the published ones (a shared base); a unit's staff
(承办人, 部门负责人) keep their own unit's articles, drafts and archived ones included;
dispatchers and administrators keep every article. Residents read only the public ones, on the
self-service step before they file.

Saved replies: a personal reply is its owner's alone (not even an administrator uses it), a
unit's reply belongs to that unit's staff (administrators keep it too), an office-wide reply
is used by every staff member and kept by dispatchers and administrators.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from knowledge.models import Article, ArticleQuerySet, ArticleStatus, SavedReply
from orgs.models import Organisation
from people.models import (
    DISPATCHERS,
    GRID_STAFF,
    OPERATORS,
    REQUESTERS,
    UNIT_STAFF,
    Role,
    User,
)

STAFF_ROLES = frozenset(
    DISPATCHERS | OPERATORS | UNIT_STAFF | GRID_STAFF | {Role.LEADER, Role.LINKED_CADRE}
)


def unit_ids(user: User) -> set[int]:
    """The units whose articles and replies ``user`` keeps as their staff (no query)."""
    return {
        a.organisation_id
        for a in user.role_assignments
        if a.role in UNIT_STAFF and a.organisation_id
    }


def may_read(user: User) -> bool:
    """Whether ``user`` opens the staff pages of the knowledge base (no query once the roles
    are loaded)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or any(a.role in STAFF_ROLES for a in user.role_assignments)


def keeps_everything(user: User) -> bool:
    """Dispatchers and administrators keep every article and the office-wide replies."""
    return user.is_authenticated and (user.is_admin or user.has_role(*DISPATCHERS))


def may_self_serve(user: User) -> bool:
    """Residents and enterprise liaisons see the public articles before they file."""
    return user.is_authenticated and (user.is_admin or user.has_role(*REQUESTERS))


# --- Articles ---------------------------------------------------------------------------------


def readable_articles(user: User) -> ArticleQuerySet:
    articles = Article.objects.select_related("owner_unit", "category")
    if not may_read(user):
        return articles.none()
    if keeps_everything(user):
        return articles
    return articles.filter(Q(status=ArticleStatus.PUBLISHED) | Q(owner_unit_id__in=unit_ids(user)))


def may_write_articles(user: User) -> bool:
    """Whether ``user`` may create articles at all (for their unit, or any)."""
    return keeps_everything(user) or bool(unit_ids(user))


def may_edit_article(user: User, article: Article) -> bool:
    if keeps_everything(user):
        return True
    return article.owner_unit_id is not None and article.owner_unit_id in unit_ids(user)


def owner_units(user: User) -> QuerySet[Organisation]:
    """The units ``user`` may name as an article's or a reply's owner unit."""
    if keeps_everything(user):
        return Organisation.objects.handling_units().order_by("kind", "name")
    return Organisation.objects.filter(pk__in=unit_ids(user)).order_by("name")


def reply_units(user: User) -> QuerySet[Organisation]:
    """The units ``user`` may give a unit reply to: their own (an administrator: any)."""
    if user.is_admin:
        return Organisation.objects.handling_units().order_by("kind", "name")
    return Organisation.objects.filter(pk__in=unit_ids(user)).order_by("name")


# --- Saved replies ----------------------------------------------------------------------------


def usable_replies(user: User) -> QuerySet[SavedReply]:
    """The active replies ``user`` may insert: their own, their units' and the office-wide."""
    replies = SavedReply.objects.filter(is_active=True).select_related("owner_unit")
    if not may_read(user):
        return replies.none()
    return replies.filter(
        Q(owner=user)
        | Q(owner_unit_id__in=unit_ids(user))
        | Q(owner__isnull=True, owner_unit__isnull=True)
    )


def listed_replies(user: User) -> QuerySet[SavedReply]:
    """The replies on ``user``'s list page: those they may use, plus (administrators) every
    unit's, active or not. Never another person's personal reply."""
    replies = SavedReply.objects.select_related("owner_unit", "owner")
    if not may_read(user):
        return replies.none()
    office = Q(owner__isnull=True, owner_unit__isnull=True)
    if user.is_admin:
        return replies.filter(Q(owner=user) | Q(owner__isnull=True))
    return replies.filter(Q(owner=user) | Q(owner_unit_id__in=unit_ids(user)) | office)


def may_keep_reply(user: User, reply: SavedReply) -> bool:
    """Whether ``user`` may change or retire ``reply`` (no query)."""
    if not may_read(user):
        return False
    if reply.owner_id is not None:
        return reply.owner_id == user.pk
    if reply.owner_unit_id is not None:
        return user.is_admin or reply.owner_unit_id in unit_ids(user)
    return keeps_everything(user)


def may_make_reply(user: User, *, owner_unit: Organisation | None, personal: bool) -> bool:
    """Whether ``user`` may create a reply of this scope."""
    if not may_read(user):
        return False
    if personal:
        return True
    if owner_unit is not None:
        return user.is_admin or owner_unit.pk in unit_ids(user)
    return keeps_everything(user)
