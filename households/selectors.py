"""Read-side queries of the households app, each scoped through ``households.scope`` and of a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case
from cases.scope import visible_cases
from households import scope
from households.models import AssistancePlan, HouseholdVisit, PlanStatus
from people.models import Household, HouseholdLink, HouseholdLinkKind, User
from regions.models import PATH_SEPARATOR, Region, RegionLevel

PLAN_ROW = ("household__region", "responsible")


def overdue_reviews(user: User, today: date | None = None) -> QuerySet[AssistancePlan]:
    """Active plans past their review date on the households ``user`` reads, the longest overdue
    first, with household, place and 帮扶责任人 joined (one query)."""
    today = today or timezone.localdate()
    return (
        AssistancePlan.objects.overdue(today)
        .filter(household__in=scope.visible_households(user))
        .select_related(*PLAN_ROW)
        .order_by("next_review_on", "pk")
    )


def annotated(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households with ``last_visit`` and their active plan's ``review_due`` and ``plan_id``."""
    active = AssistancePlan.objects.filter(household=OuterRef("pk"), status=PlanStatus.ACTIVE)
    return queryset.annotate(
        last_visit=Max("visits__visited_on"),
        review_due=Subquery(active.values("next_review_on")[:1]),
        plan_id=Subquery(active.values("pk")[:1]),
    )


def household_list(
    user: User,
    *,
    tag: int | None = None,
    town: int | None = None,
    grid: int | None = None,
    overdue: bool = False,
    today: date | None = None,
) -> QuerySet[Household]:
    """The households ``user`` reads, filtered, with tags prefetched (two queries)."""
    today = today or timezone.localdate()
    queryset = scope.visible_households(user).select_related("region")
    if tag:
        queryset = queryset.filter(tags=tag)
    for region_id in (town, grid):
        if region_id:
            region = Region.objects.filter(pk=region_id).first()
            if region is None:
                return queryset.none()
            queryset = queryset.filter(
                region__path__gte=region.path, region__path__lt=region.path_range_end
            )
    if overdue:
        queryset = queryset.filter(pk__in=AssistancePlan.objects.overdue(today).values("household"))
    return annotated(queryset).prefetch_related("tags").order_by("region__path", "pk")


def my_households(user: User) -> QuerySet[Household]:
    """The households the user is linked to as party member (1+10+N) or 帮扶责任人, with last
    visit and review date (two queries)."""
    if not user.person_id:
        return Household.objects.none()
    linked = HouseholdLink.objects.filter(
        person_id=user.person_id, kind__in=scope.LINK_KINDS
    ).values("household_id")
    planned = AssistancePlan.objects.filter(
        responsible_id=user.person_id, status=PlanStatus.ACTIVE
    ).values("household_id")
    queryset = Household.objects.filter(pk__in=linked) | Household.objects.filter(pk__in=planned)
    return (
        annotated(queryset.select_related("region"))
        .prefetch_related("tags")
        .order_by("region__path", "pk")
    )


def household_cases(user: User, household: Household) -> QuerySet[Case]:
    """The cases about the household that ``user`` may see, newest first (one query)."""
    return (
        visible_cases(user, Case.objects.filter(household=household))
        .select_related("case_type")
        .order_by("-reported_at", "-pk")
    )


def household_links(household: Household) -> list[HouseholdLink]:
    return list(
        HouseholdLink.objects.filter(
            household=household,
            kind__in=(HouseholdLinkKind.PARTY_MEMBER, HouseholdLinkKind.ASSISTANCE),
        )
        .select_related("person")
        .order_by("kind", "pk")
    )


def active_plan(household: Household) -> AssistancePlan | None:
    """The active plan with measures and reviews (three queries)."""
    return (
        AssistancePlan.objects.active()
        .filter(household=household)
        .select_related("responsible")
        .prefetch_related(
            "measures",
            Prefetch("reviews", queryset=_reviews()),
        )
        .first()
    )


def _reviews() -> QuerySet:
    from households.models import PlanReview

    return PlanReview.objects.select_related("reviewer").order_by("-reviewed_on", "-pk")


def visits(household: Household) -> QuerySet[HouseholdVisit]:
    return (
        HouseholdVisit.objects.filter(household=household)
        .select_related("visitor")
        .prefetch_related("cases")
        .order_by("-visited_on", "-pk")
    )


# --- Coverage ---------------------------------------------------------------------------------

VISITED, NOT_VISITED = "visited", "not_visited"


def month_window(on: date) -> tuple[date, date]:
    start = on.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


@dataclass
class CoverageLine:
    region: Region
    visited: list[Household] = field(default_factory=list)
    not_visited: list[Household] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.visited) + len(self.not_visited)


@dataclass
class Coverage:
    start: date
    end: date
    towns: list[CoverageLine]
    grids: list[CoverageLine]

    @property
    def visited(self) -> int:
        return sum(len(line.visited) for line in self.towns)

    @property
    def not_visited(self) -> int:
        return sum(len(line.not_visited) for line in self.towns)


def _ancestor_path(path: str, level: int) -> str:
    """The path of the ancestor at ``level`` (1 county, 2 town…) of a region path."""
    return PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[:level]) + PATH_SEPARATOR


def coverage(user: User, on: date | None = None) -> Coverage:
    """Households linked to a party member (1+10+N) that ``user`` reads, visited this month or
    not, by town and by grid (three queries)."""
    start, end = month_window(on or timezone.localdate())
    households = list(
        scope.visible_households(user)
        .filter(person_links__kind=HouseholdLinkKind.PARTY_MEMBER)
        .distinct()
        .select_related("region")
        .order_by("region__path", "pk")
    )
    visited = set(
        HouseholdVisit.objects.filter(
            household__in=[h.pk for h in households], visited_on__gte=start, visited_on__lt=end
        ).values_list("household_id", flat=True)
    )
    town_paths = {_ancestor_path(h.region.path, RegionLevel.TOWN) for h in households}
    regions = Region.objects.filter(path__in=town_paths)
    by_path = {r.path: r for r in regions}
    towns: dict[str, CoverageLine] = {}
    grids: dict[str, CoverageLine] = {}
    for household in households:
        path = household.region.path
        town = by_path.get(_ancestor_path(path, RegionLevel.TOWN), household.region)
        lines = [towns.setdefault(town.path, CoverageLine(town))]
        # Households are registered in their grid (网格), so their region is the grid's line.
        grid = household.region
        lines.append(grids.setdefault(grid.path, CoverageLine(grid)))
        for line in lines:
            (line.visited if household.pk in visited else line.not_visited).append(household)
    return Coverage(
        start=start,
        end=end,
        towns=sorted(towns.values(), key=lambda line: line.region.path),
        grids=sorted(grids.values(), key=lambda line: line.region.path),
    )


def case_household(user: User, case: Case) -> Household | None:
    """The household a case is about, when ``user`` reads it (for the case page's link to
    /households/<pk>/); None otherwise. One query, none when the case names no household."""
    if case.household_id is None:
        return None
    return (
        scope.visible_households(user).select_related("region").filter(pk=case.household_id).first()
    )


def visit_log(user: User, *, mine: bool = False) -> QuerySet[HouseholdVisit]:
    """Visits to the households ``user`` reads (``mine``: those they made), newest first, with
    household, place and visitor joined and the cases prefetched (two queries a page)."""
    visits = HouseholdVisit.objects.filter(household__in=scope.visible_households(user))
    if mine:
        visits = visits.filter(visitor_id=user.person_id or 0)
    return (
        visits.select_related("household__region", "visitor")
        .prefetch_related("cases")
        .order_by("-visited_on", "-pk")
    )
