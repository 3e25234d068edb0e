"""The only writers of hot-spot alerts: detection (``detect``), and the dispatcher's two moves
(知悉 ``acknowledge``, 关闭 ``close``), each in one transaction with its ``HotSpotEvent``.

The method, stated on the page too: for each place (the village/community holding a case, or
the town or county itself for a case placed there) and category, count the cases reported in
the last ``HOTSPOT_WINDOW_DAYS`` local days (today included) and in the
``HOTSPOT_BASELINE_WEEKS`` weeks before them. The baseline is the mean count over a window of
the same length in those weeks. A place is hot when its window count is at least
``HOTSPOT_MIN_CASES`` and at least ``HOTSPOT_FACTOR`` × the baseline. Every case counts (a
duplicate merged into another, a refusal too: each is one more call about it), so the alert's
count equals its case list. One GROUP BY query counts every place and category at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from hotspots.models import (
    LIVE_STATUSES,
    PLACE_PATH_LENGTH,
    AlertStatus,
    HotSpot,
    HotSpotEvent,
    HotSpotEventKind,
)
from hotspots.scope import may_handle
from people.models import User
from regions.models import Region

log = logging.getLogger("lianxin.hotspots")

MAX_NOTE = 2000

DEFAULTS: dict[str, Any] = {
    "HOTSPOT_MIN_CASES": 5,
    "HOTSPOT_WINDOW_DAYS": 7,
    "HOTSPOT_BASELINE_WEEKS": 8,
    "HOTSPOT_FACTOR": 3.0,
    "HOTSPOT_INTERVAL_SECONDS": 3600,
}


def setting(name: str) -> Any:
    return settings.LIANXIN.get(name, DEFAULTS[name])


@dataclass(frozen=True)
class Method:
    min_cases: int
    window_days: int
    baseline_weeks: int
    factor: float

    @classmethod
    def current(cls) -> Method:
        return cls(
            min_cases=max(1, int(setting("HOTSPOT_MIN_CASES"))),
            window_days=max(1, int(setting("HOTSPOT_WINDOW_DAYS"))),
            baseline_weeks=max(1, int(setting("HOTSPOT_BASELINE_WEEKS"))),
            factor=float(setting("HOTSPOT_FACTOR")),
        )

    def baseline(self, before: int) -> float:
        """The mean count over one window of the baseline weeks."""
        return before * self.window_days / (self.baseline_weeks * 7)

    def is_hot(self, count: int, before: int) -> bool:
        return count >= self.min_cases and count >= self.factor * self.baseline(before)


@dataclass
class Detection:
    raised: list[HotSpot] = field(default_factory=list)
    candidates: int = 0  # place × category pairs at or above the minimum count
    already_live: int = 0

    def __str__(self) -> str:
        return _("新预警 %(n)d 条（达到数量下限 %(c)d 处，已在预警中 %(l)d 处）") % {
            "n": len(self.raised),
            "c": self.candidates,
            "l": self.already_live,
        }


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def detect(now: datetime | None = None) -> Detection:
    """Raise an alert for each hot place and category without a live one (five queries plus
    three inserts, whatever the number of places)."""
    now = now or timezone.now()
    method = Method.current()
    window_end = timezone.localdate(now)
    window_start = window_end - timedelta(days=method.window_days - 1)
    start = _local_midnight(window_start)
    base_start = start - timedelta(weeks=method.baseline_weeks)
    place_key = Substr("region__path", 1, PLACE_PATH_LENGTH)
    rows = (
        Case.objects.filter(
            reported_at__gte=base_start, reported_at__lte=now, category__isnull=False
        )
        .annotate(place_path=place_key)
        .values("place_path", "category_id")
        .annotate(
            recent=Count("pk", filter=Q(reported_at__gte=start)),
            before=Count("pk", filter=Q(reported_at__lt=start)),
        )
        .filter(recent__gte=method.min_cases)
        .order_by()
    )
    result = Detection()
    hot: dict[tuple[str, int], tuple[int, int]] = {}
    for row in rows:
        result.candidates += 1
        if method.is_hot(row["recent"], row["before"]):
            hot[(row["place_path"], row["category_id"])] = (row["recent"], row["before"])
    if not hot:
        return result
    places = {
        r.path: r for r in Region.objects.filter(path__in={path for path, _ in hot}).only("path")
    }
    live = set(
        HotSpot.objects.filter(
            status__in=LIVE_STATUSES, category_id__in={c for _, c in hot}
        ).values_list("place_id", "category_id")
    )
    new: dict[tuple[str, int], tuple[int, int]] = {}
    for (path, category_id), counts in hot.items():
        place = places.get(path)
        if place is None:
            continue
        if (place.pk, category_id) in live:
            result.already_live += 1
        else:
            new[(path, category_id)] = counts
    if not new:
        return result
    members: dict[tuple[str, int], list[int]] = {key: [] for key in new}
    for pk, path, category_id in (
        Case.objects.filter(
            reported_at__gte=start,
            reported_at__lte=now,
            category_id__in={key[1] for key in new},
        )
        .annotate(place_path=place_key)
        .filter(place_path__in={key[0] for key in new})
        .values_list("pk", "place_path", "category_id")
    ):
        if (path, category_id) in members:
            members[(path, category_id)].append(pk)
    try:
        with transaction.atomic():
            alerts = HotSpot.objects.bulk_create(
                [
                    HotSpot(
                        place=places[path],
                        category_id=category_id,
                        window_start=window_start,
                        window_end=window_end,
                        count=len(members[(path, category_id)]),
                        baseline=round(method.baseline(before), 2),
                        raised_at=now,
                    )
                    for (path, category_id), (_recent, before) in new.items()
                ]
            )
            through = HotSpot.cases.through
            through.objects.bulk_create(
                [
                    through(hotspot_id=alert.pk, case_id=case_id)
                    for alert, key in zip(alerts, new, strict=True)
                    for case_id in members[key]
                ]
            )
            HotSpotEvent.objects.bulk_create(
                [
                    HotSpotEvent(
                        hotspot=alert,
                        kind=HotSpotEventKind.RAISED,
                        at=now,
                        data={
                            "count": alert.count,
                            "baseline": alert.baseline,
                            "min_cases": method.min_cases,
                            "window_days": method.window_days,
                            "baseline_weeks": method.baseline_weeks,
                            "factor": method.factor,
                        },
                    )
                    for alert in alerts
                ]
            )
    except IntegrityError:
        # Another run raised the same alerts meanwhile (the one-live-alert constraint).
        log.warning("hot-spot detection raced another run; nothing raised this time")
        return result
    result.raised = alerts
    log.info("hot spots: %s", result)
    return result


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError({"note": _("说明含有无效字符。")})
    if required and not note:
        raise ValidationError({"note": _("请填写处置说明。")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("说明不能超过 %(n)d 个字。") % {"n": MAX_NOTE}})
    return note


def _locked(hotspot: HotSpot, actor: User) -> HotSpot:
    if not may_handle(actor, hotspot):
        raise PermissionDenied(_("只有该地的研判交办员可以处置热点预警。"))
    return (
        HotSpot.objects.select_for_update().select_related("place", "category").get(pk=hotspot.pk)
    )


@transaction.atomic
def acknowledge(hotspot: HotSpot, *, actor: User, note: str = "") -> HotSpot:
    """知悉: the dispatcher has seen the alert and is following it (open → acknowledged)."""
    note = _note(note, required=False)
    alert = _locked(hotspot, actor)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError({"status": _("该预警已知悉或已关闭。")}, code="conflict")
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.handled_at = timezone.now()
    alert.save(update_fields=["status", "handled_at"])
    HotSpotEvent.objects.create(
        hotspot=alert,
        kind=HotSpotEventKind.ACKNOWLEDGED,
        actor=actor,
        at=alert.handled_at,
        note=note,
    )
    return alert


@transaction.atomic
def close(hotspot: HotSpot, *, actor: User, note: str) -> HotSpot:
    """关闭 with what was done (a note is required); a later rise raises a new alert."""
    note = _note(note, required=True)
    alert = _locked(hotspot, actor)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("该预警已关闭。")}, code="conflict")
    alert.status = AlertStatus.CLOSED
    alert.handled_at = timezone.now()
    alert.note = note
    alert.save(update_fields=["status", "handled_at", "note"])
    HotSpotEvent.objects.create(
        hotspot=alert, kind=HotSpotEventKind.CLOSED, actor=actor, at=alert.handled_at, note=note
    )
    return alert


def case_list_params(hotspot: HotSpot) -> dict[str, str]:
    """The case-list filters that open the alert's cases (``place`` loaded)."""
    params = {
        "category": str(hotspot.category_id),
        "reported_from": hotspot.window_start.isoformat(),
        "reported_to": hotspot.window_end.isoformat(),
    }
    params["place" if hotspot.place_only else "region"] = hotspot.place.code
    return params
