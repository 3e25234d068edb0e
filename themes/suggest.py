"""Which problems could be this month's theme, chosen from the data (每月一题 candidates).

Over the cases a user may see, counted as the rates count them (a merged duplicate or a refused
case counts nowhere, ``Case.objects.counted()``), by the month they were received:

- the categories with the most cases in the month (``by_count``);
- the categories that rose most against their mean over the three months before
  (``by_growth``: the month's count minus that mean, at least ``GROWTH_MIN_CASES`` cases);
- the towns and the villages (村/社区) with the most cases of one category in the month
  (``towns``, ``villages``). A case placed at a town (or the county) itself counts at that
  place alone among the villages, as the hot spots count it.

Every candidate carries the case-list parameters that open exactly the cases it counts
(``category``, ``month``, ``region`` or ``place``, and ``metric=received`` for the counting).
Three queries whatever the number of cases: categories, place × category, the places' names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases.models import Case, CaseQuerySet, Category
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, Region, RegionLevel

TOP = 5
# A category rising from nothing to one or two cases is noise, not a theme.
GROWTH_MIN_CASES = 3
PREVIOUS_MONTHS = 3
_SEGMENT = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)


def add_months(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def previous_months(month: int) -> list[int]:
    return [add_months(month, -i) for i in range(PREVIOUS_MONTHS, 0, -1)]


@dataclass(frozen=True)
class Candidate:
    """A category (at a place, for the place lists) and its cases in the month."""

    category: Category
    count: int
    # The mean count of the three months before (categories only; 0 for places).
    previous_mean: float
    params: dict[str, str]
    place: Region | None = None
    # The place counts its own cases only (a town or the county holding cases itself).
    place_only: bool = False

    @property
    def rise(self) -> float:
        return self.count - self.previous_mean

    @property
    def growth(self) -> float | None:
        """The rise as a share of the mean; None when nothing came before."""
        return self.rise / self.previous_mean if self.previous_mean else None


@dataclass
class Candidates:
    month: int
    total: int = 0
    by_count: list[Candidate] = field(default_factory=list)
    by_growth: list[Candidate] = field(default_factory=list)
    towns: list[Candidate] = field(default_factory=list)
    villages: list[Candidate] = field(default_factory=list)


def _params(month: int, category_id: int, **extra: str) -> dict[str, str]:
    return {"category": str(category_id), "month": str(month), "metric": "received", **extra}


def candidates(month: int, *, cases: CaseQuerySet | None = None, top: int = TOP) -> Candidates:
    """The month's candidates over ``cases`` (a scoped queryset; all cases if None)."""
    base = (Case.objects.all() if cases is None else cases).counted().order_by()
    before = previous_months(month)
    result = Candidates(month)
    rows = list(
        base.filter(reported_month__in=[*before, month])
        .values("category_id")
        .annotate(
            now=Count("pk", filter=Q(reported_month=month)),
            earlier=Count("pk", filter=Q(reported_month__in=before)),
        )
    )
    result.total = sum(row["now"] for row in rows)
    pairs = list(
        base.filter(reported_month=month, category__isnull=False)
        .values("region__path", "category_id")
        .annotate(n=Count("pk"))
    )
    wanted = {row["category_id"] for row in rows if row["category_id"]} | {
        row["category_id"] for row in pairs
    }
    categories = {
        c.pk: c for c in Category.objects.filter(pk__in=wanted).select_related("case_type")
    }
    counted = [
        Candidate(
            category=categories[row["category_id"]],
            count=row["now"],
            previous_mean=round(row["earlier"] / PREVIOUS_MONTHS, 2),
            params=_params(month, row["category_id"]),
        )
        for row in rows
        if row["category_id"] in categories
    ]
    result.by_count = sorted(
        (c for c in counted if c.count), key=lambda c: (-c.count, c.category.code)
    )[:top]
    result.by_growth = sorted(
        (c for c in counted if c.count >= GROWTH_MIN_CASES and c.rise > 0),
        key=lambda c: (-c.rise, -c.count, c.category.code),
    )[:top]
    result.towns, result.villages = _places(month, pairs, categories, top)
    return result


def _places(
    month: int, pairs: list[dict], categories: dict[int, Category], top: int
) -> tuple[list[Candidate], list[Candidate]]:
    by_level: dict[int, Counter[tuple[str, int]]] = {
        RegionLevel.TOWN: Counter(),
        RegionLevel.VILLAGE: Counter(),
    }
    for row in pairs:
        for level, counter in by_level.items():
            counter[(row["region__path"][: level * _SEGMENT], row["category_id"])] += row["n"]
    best = {
        level: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]
        for level, counter in by_level.items()
    }
    paths = {path for items in best.values() for (path, _c), _n in items}
    places = {r.path: r for r in Region.objects.filter(path__in=paths)}
    lists: dict[int, list[Candidate]] = {}
    for level, items in best.items():
        lists[level] = []
        for (path, category_id), count in items:
            place, category = places.get(path), categories.get(category_id)
            if place is None or category is None:
                continue
            only = len(path) < level * _SEGMENT
            where = {"place": place.code} if only else {"region": place.code}
            lists[level].append(
                Candidate(
                    category=category,
                    count=count,
                    previous_mean=0.0,
                    params=_params(month, category_id, **where),
                    place=place,
                    place_only=only,
                )
            )
    return lists[RegionLevel.TOWN], lists[RegionLevel.VILLAGE]
