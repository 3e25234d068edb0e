"""Who reads and who works on which households: one set of rules for pages, API and services.

- Region roles (grid worker, grid chief, village cadre, dispatcher, leader: ``people.scope``)
  read the households of their subtrees; administrators and leaders without a region read all.
- A party member linked to a household (党员联户, 1+10+N) and its 帮扶责任人 (a link, or the
  responsible cadre of its plan) read and work on that household only.
- Writers (visits, reviews, plans, tags, members) are the readers except leaders, who read.
- Contact (unmasked names, phones, id numbers) is for those who go to the door: administrators,
  dispatchers and grid staff over the household, and its linked people (as ``cases.scope``
  shows requesters unmasked only to those who must contact them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from households.models import AssistancePlan, PlanStatus
from people.models import (
    VISITORS,
    Household,
    HouseholdLink,
    HouseholdLinkKind,
    Person,
    User,
)
from people.scope import in_regions, people_regions

# The links that make a person work on a household.
LINK_KINDS = (HouseholdLinkKind.PARTY_MEMBER, HouseholdLinkKind.ASSISTANCE)
WRITER_ROLES = frozenset(VISITORS)


def _linked_q(user: User) -> Q:
    if not user.person_id:
        return Q(pk__in=[])
    return Q(
        pk__in=HouseholdLink.objects.filter(person_id=user.person_id, kind__in=LINK_KINDS).values(
            "household_id"
        )
    ) | Q(
        pk__in=AssistancePlan.objects.filter(
            responsible_id=user.person_id, status=PlanStatus.ACTIVE
        ).values("household_id")
    )


def visible_q(user: User) -> Q | None:
    """A filter of the households ``user`` reads, or None for all."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    regions = people_regions(user)
    if regions is None:
        return None
    return in_regions(regions, "region__") | _linked_q(user)


def visible_households(user: User, queryset: QuerySet[Household] | None = None) -> QuerySet:
    queryset = Household.objects.all() if queryset is None else queryset
    q = visible_q(user)
    return queryset if q is None else queryset.filter(q)


def _writer_regions(user: User) -> list | None:
    if user.is_admin:
        return None
    return [a.region for a in user.role_assignments if a.role in WRITER_ROLES and a.region]


def _in(regions: list | None, household: Household) -> bool:
    if regions is None:
        return True
    path = household.region.path
    return any(r.path <= path < r.path_range_end for r in regions)


def is_linked(user: User, household: Household) -> bool:
    """A party member or 帮扶责任人 of the household (one query)."""
    if not user.is_authenticated or not user.person_id:
        return False
    return Household.objects.filter(_linked_q(user), pk=household.pk).exists()


def may_work(user: User, household: Household) -> bool:
    """Record visits, reviews, plans, tags and members (``household.region`` loaded)."""
    if not user.is_authenticated:
        return False
    return _in(_writer_regions(user), household) or is_linked(user, household)


def may_contact(user: User, household: Household) -> bool:
    """See the household's names, phones and id numbers unmasked."""
    return may_work(user, household)


def may_work_as(person: Person, household: Household) -> bool:
    """Whether ``person`` is the household's party member or 帮扶责任人 (one query)."""
    return (
        HouseholdLink.objects.filter(
            person=person, household=household, kind__in=LINK_KINDS
        ).exists()
        or AssistancePlan.objects.filter(
            responsible=person, household=household, status=PlanStatus.ACTIVE
        ).exists()
    )


def is_household_user(user: User) -> bool:
    """Whether the user may open the household pages at all."""
    if not user.is_authenticated:
        return False
    regions = people_regions(user)
    if regions is None or regions:
        return True
    if not user.person_id:
        return False
    return Household.objects.filter(_linked_q(user)).exists()
