"""The only writers of repeat alerts (重复诉求): detection (``detect`` over every case, and
``check_case`` after a case is reported or triaged), and the two moves (知悉 ``acknowledge``,
关闭 ``close``), each in one transaction with its ``RepeatAlertEvent``.

The rule, stated on the page too: cases reported in the last ``REPEAT_WINDOW_DAYS`` days belong
together when they have the same requester — the same phone number, or, for a case without a
number, the same person — or the same place (the case's own region) and category. A group of
``REPEAT_MIN_CASES`` or more raises an alert; a later case of the group is added to the live
alert (open or acknowledged) rather than raising another one. Once an alert is closed, only
cases reported after its closing count towards a new one. Every case counts, a duplicate merged
into another or a refusal too: each is one more time the demand came in.

The alert reaches the department heads of the lead unit of its latest case (that has one) and
the dispatchers over that case's place as an in-site message (``notify.services
.alert_messages``), written with the alert in its transaction: one message per person for each
raise and each update.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases.models import Case
from hotspots.models import (
    LIVE_STATUSES,
    AlertStatus,
    RepeatAlert,
    RepeatAlertEvent,
    RepeatBasis,
    RepeatEventKind,
)
from hotspots.scope import may_handle_repeat
from notify.models import REPEAT_DEMAND
from notify.services import alert_messages
from people.models import User

log = logging.getLogger("lianxin.hotspots")

MAX_NOTE = 2000
KEY_SALT = "lianxin.hotspots.repeats"
DEFAULTS: dict[str, int] = {"REPEAT_MIN_CASES": 3, "REPEAT_WINDOW_DAYS": 90}


def setting(name: str) -> int:
    value: Any = settings.LIANXIN.get(name, DEFAULTS[name])
    return int(value)


@dataclass(frozen=True)
class Rule:
    min_cases: int
    window_days: int

    @classmethod
    def current(cls) -> Rule:
        return cls(
            min_cases=max(2, setting("REPEAT_MIN_CASES")),
            window_days=max(1, setting("REPEAT_WINDOW_DAYS")),
        )


@dataclass(frozen=True)
class Member:
    """One case of a group, as much of it as the alert needs."""

    pk: int
    reported_at: datetime
    region_id: int
    lead_unit_id: int | None
    category_id: int | None
    requester_id: int | None
    requester_phone: str
    requester_name: str


_FIELDS = (
    "pk",
    "reported_at",
    "region_id",
    "lead_unit_id",
    "category_id",
    "requester_id",
    "requester_phone",
    "requester_name",
)


def requester_key(phone: str, requester_id: int | None) -> str | None:
    """The requester's key: the phone number (as a keyed hash: the alert keeps no number), or
    the person when no number was given."""
    phone = (phone or "").strip()
    if phone:
        return f"phone:{salted_hmac(KEY_SALT, phone).hexdigest()[:40]}"
    return f"person:{requester_id}" if requester_id else None


def place_key(region_id: int, category_id: int | None) -> str | None:
    return f"place:{region_id}:{category_id}" if category_id else None


@dataclass
class Detection:
    raised: list[RepeatAlert] = field(default_factory=list)
    updated: list[RepeatAlert] = field(default_factory=list)

    def __str__(self) -> str:
        return _("重复诉求：新预警 %(n)d 条，更新 %(u)d 条") % {
            "n": len(self.raised),
            "u": len(self.updated),
        }


Groups = dict[str, tuple[str, list[Member]]]


def _members(cases: QuerySet[Case]) -> list[Member]:
    return [Member(*row) for row in cases.values_list(*_FIELDS)]


def _group(groups: Groups, members: Iterable[Member], basis: str) -> None:
    for m in members:
        if basis == RepeatBasis.REQUESTER:
            key = requester_key(m.requester_phone, m.requester_id)
        else:
            key = place_key(m.region_id, m.category_id)
        if key is not None:
            groups.setdefault(key, (basis, []))[1].append(m)


def _groups(window: QuerySet[Case], rule: Rule, case: Case | None) -> Groups:
    """The cases of ``window`` by key: those of ``case``'s keys, or of every key reaching the
    minimum (four queries whatever the number of cases)."""
    groups: Groups = {}
    if case is not None:
        phone = (case.requester_phone or "").strip()
        if phone:
            same = window.filter(requester_phone=case.requester_phone)
            _group(groups, _members(same), RepeatBasis.REQUESTER)
        elif case.requester_id:
            same = window.filter(requester_id=case.requester_id, requester_phone="")
            _group(groups, _members(same), RepeatBasis.REQUESTER)
        if case.category_id:
            same = window.filter(region_id=case.region_id, category_id=case.category_id)
            _group(groups, _members(same), RepeatBasis.PLACE)
        return groups
    often = {"n__gte": rule.min_cases}
    phones = (
        window.exclude(requester_phone="")
        .values("requester_phone")
        .annotate(n=Count("pk"))
        .filter(**often)
        .values("requester_phone")
    )
    _group(groups, _members(window.filter(requester_phone__in=phones)), RepeatBasis.REQUESTER)
    without_phone = window.filter(requester_phone="", requester__isnull=False)
    people = (without_phone.values("requester_id").annotate(n=Count("pk")).filter(**often)).values(
        "requester_id"
    )
    _group(groups, _members(without_phone.filter(requester_id__in=people)), RepeatBasis.REQUESTER)
    pairs = list(
        window.filter(category__isnull=False)
        .values("region_id", "category_id")
        .annotate(n=Count("pk"))
        .filter(**often)
        .values_list("region_id", "category_id")
    )
    if pairs:
        wanted = set(pairs)
        candidates = window.filter(
            region_id__in={r for r, _c in pairs}, category_id__in={c for _r, c in pairs}
        )
        _group(
            groups,
            (m for m in _members(candidates) if (m.region_id, m.category_id) in wanted),
            RepeatBasis.PLACE,
        )
    return groups


def _since_closing(groups: Groups, start: datetime) -> Groups:
    """Leave out the cases a closed alert of the same key already dealt with."""
    closed = dict(
        RepeatAlert.objects.filter(
            key__in=list(groups), status=AlertStatus.CLOSED, handled_at__gte=start
        )
        .values("key")
        .annotate(last=Max("handled_at"))
        .values_list("key", "last")
        .order_by()
    )
    if not closed:
        return groups
    return {
        key: (basis, [m for m in members if key not in closed or m.reported_at > closed[key]])
        for key, (basis, members) in groups.items()
    }


def _run(now: datetime | None, case: Case | None) -> Detection:
    now = now or timezone.now()
    rule = Rule.current()
    start = now - timedelta(days=rule.window_days)
    window = Case.objects.filter(reported_at__gte=start, reported_at__lte=now).order_by()
    groups = _since_closing(_groups(window, rule, case), start)
    result = Detection()
    for key, (basis, members) in sorted(groups.items()):
        if len(members) < rule.min_cases:
            continue
        try:
            outcome, alert = _upsert(key, basis, members, rule, now)
        except IntegrityError:
            # Another run raised the same alert meanwhile (the one-live-alert constraint).
            log.warning("repeat detection raced another run for %s", key)
            continue
        if outcome == RepeatEventKind.RAISED:
            result.raised.append(alert)
        elif outcome == RepeatEventKind.UPDATED:
            result.updated.append(alert)
    if result.raised or result.updated:
        log.info("repeat demands: %s", result)
    return result


def detect(now: datetime | None = None) -> Detection:
    """The periodic check over every case of the window."""
    return _run(now, None)


def check_case(case_id: int, now: datetime | None = None) -> Detection:
    """The check after ``case_id`` was reported or triaged: only its requester's and its
    place and category's groups."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return Detection()
    return _run(now, case)


def _latest(members: list[Member]) -> Member:
    return max(members, key=lambda m: (m.reported_at, m.pk))


def _lead_unit(members: list[Member]) -> int | None:
    """The lead unit of the latest case that has one."""
    for m in sorted(members, key=lambda m: (m.reported_at, m.pk), reverse=True):
        if m.lead_unit_id:
            return m.lead_unit_id
    return None


@transaction.atomic
def _upsert(
    key: str, basis: str, members: list[Member], rule: Rule, now: datetime
) -> tuple[str | None, RepeatAlert]:
    latest = _latest(members)
    through = RepeatAlert.cases.through
    alert = (
        RepeatAlert.objects.select_for_update().filter(key=key, status__in=LIVE_STATUSES).first()
    )
    if alert is None:
        alert = RepeatAlert.objects.create(
            basis=basis,
            key=key,
            requester_id=latest.requester_id if basis == RepeatBasis.REQUESTER else None,
            latest_case_id=latest.pk,
            place_id=latest.region_id,
            category_id=latest.category_id if basis == RepeatBasis.PLACE else None,
            lead_unit_id=_lead_unit(members),
            count=len(members),
            window_days=rule.window_days,
            first_reported_at=min(m.reported_at for m in members),
            last_reported_at=latest.reported_at,
            raised_at=now,
            updated_at=now,
        )
        added = sorted(m.pk for m in members)
        kind = RepeatEventKind.RAISED
    else:
        present = set(
            through.objects.filter(repeatalert_id=alert.pk).values_list("case_id", flat=True)
        )
        added = sorted(m.pk for m in members if m.pk not in present)
        if not added:
            return None, alert
        everyone = [m for m in members if m.pk in present or m.pk in added]
        alert.count = len(present) + len(added)
        if latest.reported_at >= alert.last_reported_at:
            alert.last_reported_at = latest.reported_at
            alert.latest_case_id = latest.pk
            if basis == RepeatBasis.REQUESTER:
                alert.place_id = latest.region_id
        alert.lead_unit_id = _lead_unit(everyone) or alert.lead_unit_id
        alert.updated_at = now
        alert.save(
            update_fields=[
                "count",
                "last_reported_at",
                "latest_case",
                "lead_unit",
                "place",
                "updated_at",
            ]
        )
        kind = RepeatEventKind.UPDATED
    through.objects.bulk_create(through(repeatalert_id=alert.pk, case_id=pk) for pk in added)
    RepeatAlertEvent.objects.create(
        alert=alert,
        kind=kind,
        at=now,
        data={
            "cases": added,
            "count": alert.count,
            "min_cases": rule.min_cases,
            "window_days": rule.window_days,
        },
    )
    _tell(alert, latest.pk, kind, now)
    return kind, alert


def describe(alert: RepeatAlert) -> str:
    """Who or where, for messages (the requester masked: a message may be read anywhere;
    ``place``, ``category`` and ``latest_case`` loaded)."""
    if alert.basis == RepeatBasis.REQUESTER:
        return _("诉求人 %(who)s") % {"who": alert.masked_requester}
    category = alert.category.name if alert.category else ""
    return _("%(place)s“%(category)s”") % {"place": alert.place.name, "category": category}


def _tell(alert: RepeatAlert, case_id: int, kind: str, now: datetime) -> int:
    alert = RepeatAlert.objects.select_related("place", "category", "latest_case").get(pk=alert.pk)
    case = Case.objects.select_related("region").get(pk=case_id)
    words = _("重复诉求预警") if kind == RepeatEventKind.RAISED else _("重复诉求预警更新")
    text = _(
        "%(words)s：%(what)s 近 %(d)d 天内第 %(n)d 次反映（最近一件：%(number)s %(title)s）。"
    ) % {
        "words": words,
        "what": describe(alert),
        "d": alert.window_days,
        "n": alert.count,
        "number": case.number or "",
        "title": case.title,
    }
    return alert_messages(
        case,
        kind=REPEAT_DEMAND,
        text=text,
        key=f"{alert.pk}:{alert.count}",
        unit_id=alert.lead_unit_id,
        now=now,
    )


# --- The moves --------------------------------------------------------------------------------


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": _("说明含有无效字符。")})
    if required and not note:
        raise ValidationError({"note": _("请填写处置说明。")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("说明不能超过 %(n)d 个字。") % {"n": MAX_NOTE}})
    return note


def _locked(alert: RepeatAlert, actor: User) -> RepeatAlert:
    if not may_handle_repeat(actor, alert):
        raise PermissionDenied(_("只有该地的研判交办员或主办单位负责人可以处置重复诉求预警。"))
    return RepeatAlert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def acknowledge(alert: RepeatAlert, *, actor: User, note: str = "") -> RepeatAlert:
    """知悉: seen and being followed (open → acknowledged); later cases still join it."""
    note = _note(note, required=False)
    row = _locked(alert, actor)
    if row.status != AlertStatus.OPEN:
        raise ValidationError({"status": _("该预警已知悉或已关闭。")}, code="conflict")
    row.status = AlertStatus.ACKNOWLEDGED
    row.handled_at = timezone.now()
    row.save(update_fields=["status", "handled_at"])
    RepeatAlertEvent.objects.create(
        alert=row, kind=RepeatEventKind.ACKNOWLEDGED, actor=actor, at=row.handled_at, note=note
    )
    return row


@transaction.atomic
def close(alert: RepeatAlert, *, actor: User, note: str) -> RepeatAlert:
    """关闭 with what was done (required); only cases reported afterwards count anew."""
    note = _note(note, required=True)
    row = _locked(alert, actor)
    if row.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("该预警已关闭。")}, code="conflict")
    row.status = AlertStatus.CLOSED
    row.handled_at = timezone.now()
    row.note = note
    row.save(update_fields=["status", "handled_at", "note"])
    RepeatAlertEvent.objects.create(
        alert=row, kind=RepeatEventKind.CLOSED, actor=actor, at=row.handled_at, note=note
    )
    return row


def case_list_params(alert: RepeatAlert) -> dict[str, Any]:
    """The case-list filters of a place alert's cases (the place alone, its category and the
    days since its first case); a requester's cases have no list filter (the phone number is
    not searched), so their page lists them."""
    if alert.basis != RepeatBasis.PLACE or alert.category_id is None:
        return {}
    return {
        "place": alert.place.code,
        "category": str(alert.category_id),
        "reported_from": timezone.localdate(alert.first_reported_at).isoformat(),
        "reported_to": timezone.localdate(alert.last_reported_at).isoformat(),
    }
