"""The outbox: produce the messages a case event calls for, deliver them with retries, and the
inbox and preference services the pages and the API call.

``produce_for_event`` runs in a task after the move's commit (``notify.signals``), never in the
move: it resolves each active rule's recipients, leaves out the person who made the move and
anyone who turned the channel off, and writes the rows in one insert that ignores rows already
there (``dedup_key``), so producing an event twice makes each message once. In-site messages
(站内信) are delivered by being written; every other row gets a ``deliver`` task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind, Priority, Status
from notify import channels, quiet, recipients, rules
from notify.models import (
    RULE_KINDS,
    VISIT_DUE,
    Channel,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationRule,
    Recipient,
    Webhook,
)
from notify.recipients import Target, hides_requester
from notify.rendering import render, values_for
from people.models import User

logger = logging.getLogger("lianxin.notify")

# Waits before the 2nd, 3rd, 4th, 5th… attempt; the last one repeats.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
KIND_LABELS = dict(RULE_KINDS)
# Recipients who are staff: their SMS about an urgent case goes out even in quiet hours.
STAFF = frozenset(set(Recipient) - {Recipient.REQUESTER})


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


# --- Producing ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    """Rows about to be written for one event, keyed by dedup key (first rule wins)."""

    rows: dict[str, Notification] = field(default_factory=dict)

    def add(self, key: str, row: Notification) -> None:
        existing = self.rows.get(key)
        if existing is None:
            self.rows[key] = row
        elif row.mentions:  # one robot message: mention everyone it is for
            existing.mentions = list(dict.fromkeys([*existing.mentions, *row.mentions]))


def _disabled(user_ids: Iterable[int]) -> set[tuple[int, str]]:
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        NotificationPreference.objects.filter(user_id__in=ids, enabled=False).values_list(
            "user_id", "channel"
        )
    )


def _robots(kinds: set[str]) -> dict[tuple[str, int | None], Webhook]:
    if not kinds:
        return {}
    return {
        (hook.kind, hook.organisation_id): hook
        for hook in Webhook.objects.filter(is_active=True, kind__in=kinds).order_by("-pk")
    }


def _produce(
    case: Case,
    event: CaseEvent | None,
    kind: str,
    active: Sequence[NotificationRule],
    key_prefix: str,
    now: datetime,
) -> tuple[int, list[tuple[int, datetime | None]]]:
    """Write the rows ``active`` rules call for; answer how many were new, and the new rows to
    deliver (id, when)."""
    resolved: dict[str, list[Target]] = {}
    for rule in active:
        if rule.recipient not in resolved:
            resolved[rule.recipient] = recipients.resolve(rule.recipient, case, event)
    actor_id = event.actor_id if event is not None else None
    disabled = _disabled(t.user_id for targets in resolved.values() for t in targets if t.user_id)
    robots = _robots({r.channel for r in active if r.channel in (Channel.WECOM, Channel.DINGTALK)})
    label = str(KIND_LABELS.get(kind, kind))
    values = values_for(case, event, label)
    masked = values_for(case, event, label, hide_requester=True)
    defer_sms = quiet.quiet_until(now)
    draft = _Draft()
    for rule in active:
        text = render(rule.template, masked if hides_requester(rule.recipient, case) else values)
        urgent = case.priority == Priority.URGENT and rule.recipient in STAFF
        for target in resolved[rule.recipient]:
            if target.user_id is not None and target.user_id == actor_id:
                continue  # never tell people what they just did themselves
            if target.user_id is not None and (target.user_id, rule.channel) in disabled:
                continue
            row = Notification(
                rule=rule,
                kind=kind,
                event=event,
                case=case,
                user=target.user,
                channel=rule.channel,
                text=text,
                urgent=urgent,
                created_at=now,
                next_attempt_at=now,
            )
            key = _address(row, target, robots)
            if key is None:
                continue
            if rule.channel == Channel.INBOX:
                row.status, row.sent_at, row.next_attempt_at = DeliveryStatus.SENT, now, None
            elif rule.channel == Channel.SMS and defer_sms and not urgent:
                row.next_attempt_at = defer_sms
            row.dedup_key = f"{key_prefix}:{rule.channel}:{key}"
            draft.add(row.dedup_key, row)
    if not draft.rows:
        return 0, []
    keys = list(draft.rows)
    existing = set(
        Notification.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True)
    )
    new = [row for key, row in draft.rows.items() if key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    to_send = [row.dedup_key for row in new if row.channel != Channel.INBOX]
    if not to_send:
        return len(new), []
    pending = Notification.objects.filter(
        dedup_key__in=to_send, status=DeliveryStatus.PENDING, attempts=0
    )
    return len(new), list(pending.values_list("pk", "next_attempt_at"))


def _address(row: Notification, target: Target, robots: dict) -> str | None:
    """Fill the row's address for its channel; answer the recipient part of its dedup key, or
    None when the target cannot be reached on that channel."""
    channel = row.channel
    if channel == Channel.INBOX:
        return f"u{target.user_id}" if target.user is not None else None
    if channel == Channel.SMS:
        if not target.phone:
            return None
        row.address = target.phone
        return f"u{target.user_id}" if target.user is not None else f"p{target.phone}"
    if channel == Channel.EMAIL:
        if target.user is None or not target.email:
            return None
        row.address = target.email
        return f"u{target.user_id}"
    # A group robot: the unit's own, else the default one; one message per robot and event.
    if target.user is None:
        return None
    hook = robots.get((channel, target.unit_id)) or robots.get((channel, None))
    if hook is None:
        return None
    row.webhook = hook
    row.mentions = [target.phone] if target.phone else []
    return f"h{hook.pk}"


def _enqueue_delivery(pk: int, when: datetime | None, now: datetime) -> None:
    """Queue one row's delivery, at ``when`` if that is later than now."""
    from cases.tasks import enqueue_with_move
    from notify.tasks import deliver

    # Only once the row is committed: a Redis worker may start at once.
    if when is None or when <= now:
        enqueue_with_move(deliver, pk)
    elif deliver.get_backend().supports_defer:
        enqueue_with_move(deliver.using(run_after=when), pk)
    else:  # a backend that runs at once (tests, a replay) cannot wait: the row stays due
        logger.warning("Task backend cannot defer; notification %s waits for %s", pk, when)


def _enqueue_deliveries(rows: Iterable[tuple[int, datetime | None]], now: datetime) -> None:
    for pk, when in rows:
        _enqueue_delivery(pk, when, now)


def produce_for_event(event_id: int) -> int:
    """Produce and queue the messages one case event calls for; answer how many rows were new."""
    event = (
        CaseEvent.objects.select_related(
            "case__case_type",
            "case__region",
            "case__lead_unit",
            "case__reported_by__person",
            "actor__person",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    active = rules.active_rules(event.kind)
    if not active:
        return 0
    now = timezone.now()
    with transaction.atomic():  # the rows and their delivery tasks together, one commit
        created, to_send = _produce(event.case, event, event.kind, active, str(event.pk), now)
        _enqueue_deliveries(to_send, now)
    return created


# --- Alert messages ----------------------------------------------------------------------------


def alert_messages(
    case: Case,
    *,
    kind: str,
    text: str,
    key: str,
    unit_id: int | None,
    now: datetime | None = None,
) -> int:
    """Tell the people an alert is for, in their inbox (站内信): the department heads of
    ``unit_id`` and the dispatchers over ``case``'s place (or its dispatching committee).

    For alerts that are no move of a case (a repeat demand, say): no rule makes them and no
    other channel carries them. ``case`` is the case the message opens (the alert's latest, its
    ``region`` loaded); ``key`` names the alert's state, so each person gets one message per
    key however often this runs. Answers how many rows were new."""
    now = now or timezone.now()
    rows: dict[str, Notification] = {}
    for target in [*recipients.unit_heads(unit_id), *recipients.dispatchers(case)]:
        if target.user is None:
            continue
        dedup_key = f"{kind}:{key}:{Channel.INBOX}:u{target.user_id}"
        rows.setdefault(
            dedup_key,
            Notification(
                kind=kind,
                case=case,
                user=target.user,
                channel=Channel.INBOX,
                text=text,
                status=DeliveryStatus.SENT,
                sent_at=now,
                created_at=now,
                dedup_key=dedup_key,
            ),
        )
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(dedup_key__in=list(rows)).values_list("dedup_key", flat=True)
    )
    new = [row for dedup_key, row in rows.items() if dedup_key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- Delivering --------------------------------------------------------------------------------


def deliver_notification(notification_id: int, now: datetime | None = None) -> str:
    """Send one row; on failure retry later with backoff, and give up after the last attempt.

    Delivery is at least once: a row already sent or given up is left alone.
    """
    row = Notification.objects.select_related("webhook").filter(pk=notification_id).first()
    if row is None or row.status in (DeliveryStatus.SENT, DeliveryStatus.GAVE_UP):
        return "nothing to do"
    now = now or timezone.now()
    if row.channel == Channel.SMS and not row.urgent:
        until = quiet.quiet_until(now)
        if until is not None:
            row.next_attempt_at = until
            row.save(update_fields=["next_attempt_at"])
            _enqueue_delivery(row.pk, until, now)
            return f"deferred to {until.isoformat()}"
    try:
        result = channels.send(row)
    except Exception as error:  # a sender that breaks its promise still counts as a failure
        logger.exception("Sending notification %s failed", row.pk)
        result = channels.SendResult(False, f"{type(error).__name__}: {error}")
    row.attempts += 1
    row.provider_response = result.response[:2000]
    if result.ok:
        row.status, row.sent_at, row.next_attempt_at = DeliveryStatus.SENT, now, None
    elif row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        row.status, row.next_attempt_at = DeliveryStatus.GAVE_UP, None
    else:
        row.status, row.next_attempt_at = DeliveryStatus.FAILED, now + backoff(row.attempts)
    row.save(
        update_fields=["status", "attempts", "provider_response", "sent_at", "next_attempt_at"]
    )
    if row.status == DeliveryStatus.FAILED:
        _enqueue_delivery(row.pk, row.next_attempt_at, now)
    return str(row.status)


# --- Return visits due -------------------------------------------------------------------------

# After any of these since the answer, the visit is done or under way.
_VISIT_STARTED = (EventKind.RATED, EventKind.VISITED, EventKind.VISIT_FAILED_TO_REACH)


def cases_awaiting_visit(now: datetime | None = None) -> QuerySet[Case]:
    """Answered more than SELF_RATING_WAIT_HOURS ago, not rated nor visited, not yet notified."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.LIANXIN["SELF_RATING_WAIT_HOURS"])
    started = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind__in=_VISIT_STARTED, created_at__gte=OuterRef("answered_at")
    )
    told = Notification.objects.filter(case=OuterRef("pk"), kind=VISIT_DUE)
    return (
        Case.objects.filter(status=Status.ANSWERED, answered_at__lte=cutoff)
        .exclude(Exists(started))
        .exclude(Exists(told))
        .select_related("case_type", "region", "lead_unit", "reported_by__person")
    )


def notify_visits_due(now: datetime | None = None) -> int:
    """Tell the visiting dispatchers once per case that its return visit is due. Idempotent."""
    active = rules.active_rules(VISIT_DUE)
    if not active:
        return 0
    now = now or timezone.now()
    total = 0
    for case in cases_awaiting_visit(now).iterator(chunk_size=500):
        with transaction.atomic():
            key = f"{VISIT_DUE}:{case.pk}"
            created, to_send = _produce(case, None, VISIT_DUE, active, key, now)
            _enqueue_deliveries(to_send, now)
        total += created
    return total


# --- Preferences -------------------------------------------------------------------------------

OPTIONAL_CHANNELS = tuple(c for c in Channel if c != Channel.INBOX)


def preferences_for(user: User) -> dict[str, bool]:
    """Every channel → whether the user receives it (the inbox always)."""
    wanted = {channel.value: True for channel in Channel}
    for channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
        "channel", "enabled"
    ):
        if channel != Channel.INBOX:
            wanted[channel] = enabled
    return wanted


def set_preferences(user: User, channels: Iterable[str]) -> dict[str, bool]:
    """Receive exactly ``channels`` (plus the inbox, which cannot be turned off)."""
    chosen = set(channels)
    unknown = chosen - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    with transaction.atomic():
        NotificationPreference.objects.filter(user=user).delete()
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, channel=c, enabled=c in chosen)
            for c in OPTIONAL_CHANNELS
        )
    return preferences_for(user)


# --- Inbox -------------------------------------------------------------------------------------


def inbox(user: User) -> QuerySet[Notification]:
    """The user's own in-site messages, newest first."""
    return (
        Notification.objects.filter(user=user, channel=Channel.INBOX)
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def unread_count(user: User) -> int:
    """One count over the partial index of unread in-site messages."""
    return Notification.objects.filter(
        user=user, channel=Channel.INBOX, read_at__isnull=True
    ).count()


def mark_read(user: User, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark the user's own messages read (others' ids are ignored); answer how many changed."""
    unread = Notification.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True)
    if ids != "all":
        unread = unread.filter(pk__in=[int(pk) for pk in ids])
    return unread.update(read_at=timezone.now())


# --- The safety net ----------------------------------------------------------------------------

# A row due this long ago and still not sent lost its delivery task (a worker killed mid-run, a
# queue restored from backup): queue it again. Delivery is at least once, so a late duplicate
# task only finds the row sent and leaves it.
STALLED_AFTER = timedelta(minutes=15)


def requeue_stalled(now: datetime | None = None) -> int:
    """Queue again the deliveries that are due but were never made; answer how many."""
    now = now or timezone.now()
    stalled = list(
        Notification.objects.filter(
            status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
            next_attempt_at__lte=now - STALLED_AFTER,
        )
        .exclude(channel=Channel.INBOX)
        .values_list("pk", flat=True)[:5000]
    )
    _enqueue_deliveries(((pk, None) for pk in stalled), now)
    return len(stalled)
