"""Builders for the knowledge tests: articles and saved replies made through the services."""

from __future__ import annotations

from typing import Any

from cases.tests.world import World
from knowledge import services
from knowledge.models import Article, ArticleKind, ReplyScope, SavedReply
from people.models import User


def article(
    world: World, *, actor: User | None = None, publish: bool = True, **fields: Any
) -> Article:
    """An article of the world's department (人社局), published unless told otherwise."""
    actor = actor or world.handler
    values: dict[str, Any] = {
        "title": "失业保险金申领办法",
        "body": "失业人员可在失业登记后60日内，持身份证到县人社局社保窗口申领失业保险金。",
        "kind": ArticleKind.POLICY,
        "owner_unit": world.dept,
        "keywords": "失业金、失业补助",
        "is_public": True,
    }
    values.update(fields)
    made = services.create_article(actor=actor, **values)
    return services.publish_article(made, actor=actor) if publish else made


def reply(
    world: World,
    *,
    actor: User | None = None,
    scope: str = ReplyScope.UNIT,
    **fields: Any,
) -> SavedReply:
    actor = actor or world.handler
    values: dict[str, Any] = {
        "title": "答复模板",
        "text": "您好，{requester_name}，您反映的事项已办理。",
    }
    values.update(fields)
    unit = world.dept if scope == ReplyScope.UNIT else None
    return services.create_reply(actor=actor, scope=scope, owner_unit=unit, **values)
