"""How a move reaches the outbox: one task row per event that some active rule is about. The
move itself does no notification work: on the database backend the row is written in the move's
own transaction (queued if and only if the move commits, without a second commit after it); a
queue outside the database (Redis) is told after the commit, and a failure there is logged,
never the move's.

The engine (``cases``) knows nothing of this app; it only writes its ``CaseEvent``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import CaseEvent
from cases.tasks import enqueue_with_move
from notify import rules
from notify.models import NotificationRule


@receiver(post_save, sender=CaseEvent, dispatch_uid="notify_case_event")
def case_event_saved(sender: type, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or not rules.has_rules(instance.kind):
        return
    from notify.tasks import produce_notifications

    enqueue_with_move(produce_notifications, instance.pk)


@receiver([post_save, post_delete], sender=NotificationRule, dispatch_uid="notify_rule_changed")
def rule_changed(**kwargs: Any) -> None:
    rules.invalidate()
    # A rolled-back edit must not linger in the cache either.
    transaction.on_commit(rules.invalidate)
