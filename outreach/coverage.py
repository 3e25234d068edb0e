"""Visit coverage (走访覆盖): for the current period of each link's rhythm, which firms were
visited, per cadre and per town, and the lists behind every number.

A cadre's firm counts as visited when the cadre went on a visit to it inside the window of
their link's period (the shortest when they hold two links to it); a firm counts as visited for
its town when anyone visited it inside the shortest window of its links. Dates are the
project's local dates. The whole computation is six queries whatever the number of firms.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation, OrgKind
from outreach import scope
from outreach.models import (
    DEFAULT_RHYTHMS,
    PERIOD_MONTHS,
    VISITING_KINDS,
    EnterpriseVisit,
    Period,
    VisitRhythm,
)
from people.models import EnterpriseLink, Person, User
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region, RegionLevel

# The periods a reader may pick: each link's own rhythm, or one period for every link.
RHYTHM = "rhythm"
PICKS: list[tuple[str, Any]] = [(RHYTHM, _("按走访频次")), *Period.choices]
PICK_VALUES = [value for value, _label in PICKS]

VISITED, NOT_VISITED = "visited", "not_visited"
STATES = (VISITED, NOT_VISITED)
NO_TOWN = "none"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window(period: str, on: date) -> tuple[date, date]:
    """The period holding ``on``: its first day and the first day after it."""
    months = PERIOD_MONTHS[Period(period)]
    start = date(on.year, (on.month - 1) // months * months + 1, 1)
    return start, add_months(start, months)


def rhythms() -> dict[str, str]:
    """Each visiting link kind's period (the defaults for a kind the table misses)."""
    return {**DEFAULT_RHYTHMS, **dict(VisitRhythm.objects.values_list("link_kind", "period"))}


def _shortest(a: tuple[date, date] | None, b: tuple[date, date]) -> tuple[date, date]:
    return b if a is None or (b[1] - b[0]) < (a[1] - a[0]) else a


@dataclass
class FirmLine:
    """One firm in a coverage list."""

    firm: Organisation
    town: Region | None
    start: date
    end: date  # the first day after the window
    visited: bool
    last_visit: date | None

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)


@dataclass
class Row:
    """A cadre's or a town's firms, with the counts the tables show."""

    key: str
    label: str
    lines: list[FirmLine] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def visited(self) -> int:
        return sum(line.visited for line in self.lines)

    @property
    def not_visited(self) -> int:
        return self.total - self.visited

    @property
    def rate(self) -> str:
        return f"{self.visited * 100 / self.total:.0f}%" if self.total else "—"


@dataclass
class Coverage:
    pick: str
    on: date
    cadres: list[Row]
    towns: list[Row]
    firms: list[FirmLine]  # every firm once, by its own (town) rule

    @property
    def visited(self) -> int:
        return sum(line.visited for line in self.firms)

    def lines(
        self, *, cadre: str | None = None, town: str | None = None, state: str | None = None
    ) -> list[FirmLine]:
        """The firms behind a number: a cadre's (by their own visits), else the firms (by
        anyone's), narrowed to a town and a state."""
        if cadre:
            row = next((r for r in self.cadres if r.key == cadre), None)
            lines = row.lines if row else []
        else:
            lines = self.firms
        if town:
            lines = [line for line in lines if _town_key(line.town) == town]
        if state == VISITED:
            lines = [line for line in lines if line.visited]
        elif state == NOT_VISITED:
            lines = [line for line in lines if not line.visited]
        return lines


def _town_key(town: Region | None) -> str:
    return str(town.pk) if town is not None else NO_TOWN


def _prefixes(path: str) -> list[str]:
    step = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
    return [path[: i + step] for i in range(0, len(path), step)]


def _towns(firms: Iterable[Organisation]) -> dict[int, Region | None]:
    """Each firm's town (its region's ancestor at town level), in one query."""
    paths = {p for f in firms if f.region is not None for p in _prefixes(f.region.path)}
    towns = {
        t.path: t for t in Region.objects.filter(level=RegionLevel.TOWN, path__in=sorted(paths))
    }
    result: dict[int, Region | None] = {}
    for firm in firms:
        found = None
        if firm.region is not None:
            found = next((towns[p] for p in _prefixes(firm.region.path) if p in towns), None)
        result[firm.pk] = found
    return result


def coverage(user: User, pick: str = RHYTHM, on: date | None = None) -> Coverage:
    """The coverage of the firms ``user`` oversees (``outreach.scope``) in the period of
    ``on`` (today, local), by each link's rhythm or by the picked period."""
    on = on or timezone.localdate()
    pick = pick if pick in PICK_VALUES else RHYTHM
    periods = rhythms()
    links = EnterpriseLink.objects.filter(
        kind__in=VISITING_KINDS, enterprise__kind=OrgKind.ENTERPRISE, enterprise__is_active=True
    ).select_related("person", "enterprise__region")
    mine = scope.overseen_q(user, "enterprise__")
    if mine is not None:
        links = links.filter(mine)
    firms: dict[int, Organisation] = {}
    firm_window: dict[int, tuple[date, date]] = {}
    pair_window: dict[tuple[int, int], tuple[date, date]] = {}
    people: dict[int, Person] = {}
    kinds: dict[int, set[str]] = defaultdict(set)
    for link in links:
        span = window(periods[link.kind] if pick == RHYTHM else pick, on)
        firms[link.enterprise_id] = link.enterprise
        people[link.person_id] = link.person
        kinds[link.person_id].add(link.kind)
        firm_window[link.enterprise_id] = _shortest(firm_window.get(link.enterprise_id), span)
        key = (link.person_id, link.enterprise_id)
        pair_window[key] = _shortest(pair_window.get(key), span)
    # Pair windows are never shorter than their firm's, so they bound every visit counted.
    earliest = min((s for s, _e in pair_window.values()), default=on)
    latest = max((e for _s, e in pair_window.values()), default=on)
    in_range = {"visited_on__gte": earliest, "visited_on__lt": latest}
    visits = list(
        EnterpriseVisit.objects.filter(enterprise_id__in=firms, **in_range).values_list(
            "pk", "enterprise_id", "visited_on"
        )
    )
    through = EnterpriseVisit.visitors.through.objects.filter(
        enterprisevisit__enterprise_id__in=firms,
        **{f"enterprisevisit__{k}": v for k, v in in_range.items()},
    )
    by_firm: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for visit_id, firm_id, day in visits:
        by_firm[firm_id].append((visit_id, day))
    went: dict[int, set[int]] = defaultdict(set)
    for visit_id, person_id in through.values_list("enterprisevisit_id", "person_id"):
        went[visit_id].add(person_id)
    last = dict(
        EnterpriseVisit.objects.filter(enterprise_id__in=firms)
        .values("enterprise_id")
        .annotate(last=Max("visited_on"))
        .values_list("enterprise_id", "last")
    )
    towns = _towns(firms.values())

    def line(firm_id: int, span: tuple[date, date], person_id: int | None) -> FirmLine:
        seen = any(
            span[0] <= day < span[1] and (person_id is None or person_id in went[v])
            for v, day in by_firm[firm_id]
        )
        return FirmLine(firms[firm_id], towns[firm_id], span[0], span[1], seen, last.get(firm_id))

    by_name = attrgetter("firm.name")
    cadre_rows: dict[int, Row] = {}
    for (person_id, firm_id), span in pair_window.items():
        person = people[person_id]
        row = cadre_rows.setdefault(
            person_id,
            Row(
                str(person_id),
                person.name,
                kinds=[k for k in VISITING_KINDS if k in kinds[person_id]],
            ),
        )
        row.lines.append(line(firm_id, span, person_id))
    all_lines = sorted((line(f, span, None) for f, span in firm_window.items()), key=by_name)
    town_rows: dict[str, Row] = {}
    for item in all_lines:
        town_key = _town_key(item.town)
        label = item.town.name if item.town is not None else str(_("（未归属乡镇）"))
        town_rows.setdefault(town_key, Row(town_key, label)).lines.append(item)
    for row in cadre_rows.values():
        row.lines.sort(key=by_name)
    cadres = sorted(cadre_rows.values(), key=lambda r: (r.label, r.key))
    ordered_towns = sorted(
        town_rows.values(),
        key=lambda r: (r.key == NO_TOWN, r.lines[0].town.path if r.lines[0].town else ""),
    )
    return Coverage(pick, on, cadres, ordered_towns, all_lines)
