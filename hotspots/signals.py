"""Repeat demands are checked after a case is reported, and again once it is triaged (its
category known): one task row, so the move never waits for the check. On the database backend
the row is written in the move's own transaction (queued if and only if the move commits); a
queue outside the database is told after the commit, and a failure there is logged, never the
move's. ``cases`` knows nothing of this; it only writes its ``CaseEvent``."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_tasks_db import DatabaseBackend

from cases.models import CaseEvent, EventKind

log = logging.getLogger("lianxin.hotspots")

CHECKED_KINDS = frozenset({EventKind.REPORTED, EventKind.TRIAGED})


@receiver(post_save, sender=CaseEvent, dispatch_uid="hotspots_repeat_check")
def case_event_saved(sender: type, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or instance.kind not in CHECKED_KINDS:
        return
    from hotspots.tasks import check_repeats

    # The backend in force at the move (a replay under the dummy backend stays there).
    backend = check_repeats.get_backend()
    case_id = instance.case_id

    if isinstance(backend, DatabaseBackend):
        # In the move's own transaction: queued if and only if the move commits (no second
        # commit after it).
        backend.enqueue(check_repeats, (case_id,), {})
        return

    def enqueue() -> None:
        try:
            backend.enqueue(check_repeats, (case_id,), {})
        except Exception:  # the move is committed: a missed check waits for the periodic one
            log.exception("Could not enqueue the repeat check of case %s", case_id)

    transaction.on_commit(enqueue)
