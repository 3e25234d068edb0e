"""A campaign's totals by town (乡镇): inspections made, hazards found, hazards rectified, and
the lists behind every number.

A hazard counts as rectified once its case is answered, verified or closed (已答复, 已回访,
已销号). Only the inspections the reader may see count. Three queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from cases.models import Status
from inspections import scope
from inspections.models import Campaign, Finding, Inspection
from people.models import User
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region

RECTIFIED_STATUSES = (Status.ANSWERED, Status.VERIFIED, Status.CLOSED)
# A town's path: the county's segment and its own.
TOWN_PATH_LENGTH = 2 * (PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR))


@dataclass
class TownLine:
    town: Region | None
    inspected: int = 0
    found: int = 0
    rectified: int = 0

    @property
    def open(self) -> int:
        """Hazards found and not yet rectified."""
        return self.found - self.rectified

    @property
    def rate(self) -> float | None:
        """The share of hazards rectified, None with none found."""
        return self.rectified / self.found if self.found else None


@dataclass
class Totals:
    lines: list[TownLine] = field(default_factory=list)
    total: TownLine = field(default_factory=lambda: TownLine(town=None))


def inspections_for(user: User, campaign: Campaign) -> QuerySet[Inspection]:
    """The campaign's inspections ``user`` may read."""
    qs = Inspection.objects.filter(campaign=campaign)
    q = scope.visible_q(user)
    return qs if q is None else qs.filter(q)


def findings_for(user: User, campaign: Campaign) -> QuerySet[Finding]:
    """The hazards found in the campaign's inspections ``user`` may read."""
    qs = Finding.objects.filter(inspection__campaign=campaign)
    q = scope.visible_q(user, "inspection__")
    return qs if q is None else qs.filter(q)


def in_town(qs: QuerySet, town: Region, prefix: str = "") -> QuerySet:
    """``qs`` narrowed to the inspections (or findings, with ``prefix``) in ``town``."""
    return qs.filter(
        **{
            f"{prefix}region__path__gte": town.path,
            f"{prefix}region__path__lt": town.path_range_end,
        }
    )


def rectified(qs: QuerySet[Finding], done: bool = True) -> QuerySet[Finding]:
    """The hazards whose case is (or, ``done=False``, is not yet) answered or closed."""
    q = Q(case__status__in=RECTIFIED_STATUSES)
    return qs.filter(q) if done else qs.exclude(q)


def campaign_totals(user: User, campaign: Campaign) -> Totals:
    """The campaign's inspected, found and rectified by town, in three queries."""
    inspected = dict(
        inspections_for(user, campaign)
        .annotate(town_path=Substr("region__path", 1, TOWN_PATH_LENGTH))
        .values_list("town_path")
        .annotate(n=Count("pk"))
        .values_list("town_path", "n")
    )
    found: dict[str, tuple[int, int]] = {}
    for path, n, done in (
        findings_for(user, campaign)
        .annotate(town_path=Substr("inspection__region__path", 1, TOWN_PATH_LENGTH))
        .values_list("town_path")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(case__status__in=RECTIFIED_STATUSES)))
        .values_list("town_path", "n", "done")
    ):
        found[path] = (n, done)
    paths = set(inspected) | set(found)
    towns = {r.path: r for r in Region.objects.filter(path__in=paths)} if paths else {}
    lines: dict[str, TownLine] = defaultdict(lambda: TownLine(town=None))
    for path in paths:
        line = TownLine(
            town=towns.get(path),
            inspected=inspected.get(path, 0),
            found=found.get(path, (0, 0))[0],
            rectified=found.get(path, (0, 0))[1],
        )
        lines[path] = line
    ordered = [lines[p] for p in sorted(lines)]
    total = TownLine(
        town=None,
        inspected=sum(line.inspected for line in ordered),
        found=sum(line.found for line in ordered),
        rectified=sum(line.rectified for line in ordered),
    )
    return Totals(lines=ordered, total=total)
