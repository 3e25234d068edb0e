"""Repeat demands are checked after a case is reported, and again once it is triaged (its
category known): one task row, so the move never waits for the check. On the database backend
the row is written in the move's own transaction (queued if and only if the move commits); a
queue outside the database is told after the commit, and a failure there is logged, never the
move's. ``cases`` knows nothing of this; it only writes its ``CaseEvent``."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import CaseEvent, EventKind
from cases.tasks import enqueue_with_move

CHECKED_KINDS = frozenset({EventKind.REPORTED, EventKind.TRIAGED})


@receiver(post_save, sender=CaseEvent, dispatch_uid="hotspots_repeat_check")
def case_event_saved(sender: type, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.kind not in CHECKED_KINDS:
        return
    from hotspots.tasks import check_repeats

    enqueue_with_move(check_repeats, instance.case_id)
