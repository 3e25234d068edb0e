"""Who may see a case and who may move it: one set of rules for pages, API and commands.

A role held over a region covers the whole subtree (one range condition on the region path);
a role held over an organisation covers the cases that unit leads or co-handles, or, for a
dispatcher of a committee, the cases that committee dispatches.
"""

from django.db.models import Q

from cases.models import Case, CaseAssignment, CaseQuerySet, EventKind
from config.prepared import PreparedRead
from people.models import (
    DISPATCHERS,
    UNIT_STAFF,
    VISITORS,
    EnterpriseLink,
    Role,
    RoleAssignment,
    User,
)


def _region_q(assignment: RoleAssignment, prefix: str = "") -> Q:
    region = assignment.region
    assert region is not None
    return Q(
        **{
            f"{prefix}region__path__gte": region.path,
            f"{prefix}region__path__lt": region.path_range_end,
        }
    )


def sees_everything(user: User) -> bool:
    if user.is_admin:
        return True
    return any(a.role == Role.LEADER and a.region_id is None for a in user.role_assignments)


def visible_cases_q(user: User) -> Q | None:
    """A filter of the cases ``user`` may see, or None for everything."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    q = Q(reported_by=user)
    if user.person_id:
        q |= Q(requester_id=user.person_id)
    for a in user.role_assignments:
        if a.region_id:
            q |= _region_q(a)
        if a.organisation_id:
            if a.role == Role.DISPATCHER:
                q |= Q(committee_id=a.organisation_id)
            elif a.role in (Role.DEPT_HANDLER, Role.DEPT_HEAD):
                q |= Q(lead_unit_id=a.organisation_id) | Q(
                    pk__in=CaseAssignment.objects.filter(unit_id=a.organisation_id).values(
                        "case_id"
                    )
                )
            elif a.role == Role.ENTERPRISE_LIAISON:
                q |= Q(enterprise_id=a.organisation_id)
            elif a.role == Role.LINKED_CADRE and user.person_id:
                q |= Q(
                    enterprise_id__in=EnterpriseLink.objects.filter(
                        person_id=user.person_id
                    ).values("enterprise_id")
                )
    return q


# What a case's page and its API detail show beside the case: read with it, in one query.
CASE_RELATED = (
    "case_type", "category", "region", "lead_unit", "enterprise", "committee",
    "reported_by__person",
)  # fmt: skip
_CASE = PreparedRead(
    lambda pk: Case.objects.select_related(*CASE_RELATED).filter(pk=pk).order_by()[:1], pk=int
)


def read_case(pk: int) -> Case | None:
    """Case ``pk`` with ``CASE_RELATED``, whoever asks (one query, its SQL built once: see
    ``config.prepared``)."""
    found = _CASE(pk=pk)
    return found[0] if found else None


def visible_case(user: User, pk: int) -> Case | None:
    """Case ``pk`` with ``CASE_RELATED`` if ``user`` may see it, else None."""
    case = read_case(pk)
    return case if case is not None and can_see(user, case) else None


def visible_cases(user: User, queryset: CaseQuerySet | None = None) -> CaseQuerySet:
    queryset = Case.objects.all() if queryset is None else queryset
    q = visible_cases_q(user)
    return queryset if q is None else queryset.filter(q)


def can_see(user: User, case: Case) -> bool:
    """``visible_cases_q`` for one case already read (with its ``region``): the same rules,
    checked in Python so a door can read and lock a case by id with SQL built once
    (``cases.services.locked_for_move``). Only a unit's co-handled case and a linked cadre's
    enterprise cost a query. ``cases/tests/test_scope.py`` proves both agree."""
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    if case.reported_by_id == user.pk:
        return True
    if user.person_id and case.requester_id == user.person_id:
        return True
    path = case.region.path
    units: set[int] = set()
    linked_cadre = False
    for a in user.role_assignments:
        if a.region is not None and a.region.path <= path < a.region.path_range_end:
            return True
        if not a.organisation_id:
            continue
        if a.role == Role.DISPATCHER:
            if case.committee_id == a.organisation_id:
                return True
        elif a.role in (Role.DEPT_HANDLER, Role.DEPT_HEAD):
            if case.lead_unit_id == a.organisation_id:
                return True
            units.add(a.organisation_id)
        elif a.role == Role.ENTERPRISE_LIAISON:
            if case.enterprise_id == a.organisation_id:
                return True
        elif a.role == Role.LINKED_CADRE and user.person_id:
            linked_cadre = True
    if units and CaseAssignment.objects.filter(case_id=case.pk, unit_id__in=units).exists():
        return True
    if not (linked_cadre and case.enterprise_id and user.person_id):
        return False
    return EnterpriseLink.objects.filter(
        person_id=user.person_id, enterprise_id=case.enterprise_id
    ).exists()


def covers_region(user: User, case: Case, roles: frozenset[str]) -> bool:
    """Whether the user holds one of ``roles`` over the case's place or its dispatching committee."""
    for a in user.role_assignments:
        if a.role not in roles:
            continue
        if a.role == Role.LEADER and a.region_id is None:
            return True  # a leader without a region covers everywhere, as in sees_everything()
        if a.region is not None and a.region.path <= case.region.path < a.region.path_range_end:
            return True
        if (
            a.organisation_id
            and a.role == Role.DISPATCHER
            and a.organisation_id == case.committee_id
        ):
            return True
    return False


def unit_ids(user: User, roles: frozenset[str]) -> set[int]:
    return {
        a.organisation_id for a in user.role_assignments if a.role in roles and a.organisation_id
    }


# Who sees a requester's name, phone and address unmasked: those who must contact them.
_CONTACT_ROLES = VISITORS
_UNIT_ROLES = UNIT_STAFF
# A requester who asked to stay unknown to the handling units (对承办单位保密) is known to the
# desk only: it contacts them and makes the return visit.
_DESK_ROLES = DISPATCHERS


def can_see_requester(user: User, case: Case) -> bool:
    """The dispatcher and grid staff of the place, the lead unit, the reporter and administrators;
    for a case ``anonymous_to_unit``, the dispatchers of the place, the reporter and
    administrators only (no unit, lead or co-unit, and no grid staff).

    ``case.region`` must be loaded (select_related) to keep this free of queries.
    """
    if user.is_admin or case.reported_by_id == user.pk:
        return True
    if case.anonymous_to_unit:
        return covers_region(user, case, _DESK_ROLES)
    if case.lead_unit_id and case.lead_unit_id in unit_ids(user, _UNIT_ROLES):
        return True
    return covers_region(user, case, _CONTACT_ROLES)


def names_the_requester(actor: User | None, case: Case) -> bool:
    """Whether naming ``actor`` names the case's requester (they filed it, added to it or rated
    it themselves), so their name is masked wherever the requester is. The person of
    ``services.is_requester``, told without reading roles (``actor.person`` loaded: no query)."""
    if actor is None:
        return False
    if case.requester_id is not None:
        return actor.person_id == case.requester_id
    # Filed for themselves without a person record: the reporter under their own name.
    return (
        actor.pk == case.reported_by_id
        and bool(case.requester_name)
        and case.requester_name == actor.display_name
    )


# What a requester (a resident or enterprise liaison and nothing else) reads of their case's
# history, on the phone pages and through the API: internal steps are left out, and only the
# texts written for them (the answer, the refusal, the question, their own words) are shown.
REQUESTER_HIDDEN_KINDS = frozenset(
    {
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_REFUSED,
        EventKind.SUPERVISED,
        EventKind.DUPLICATE_MERGED,
        EventKind.DUPLICATE_UNMERGED,  # another requester's case leaving this one
        EventKind.URGED,  # 催办: an internal reminder to the unit
        EventKind.REMINDED,
        EventKind.OVERDUE,
    }
)
REQUESTER_TEXT_KINDS = frozenset(
    {
        EventKind.RESOLVED_ON_SPOT,
        EventKind.REJECTED,
        EventKind.ANSWERED,
        EventKind.RATED,
        EventKind.INFO_REQUESTED,
        EventKind.INFO_ADDED,
    }
)
