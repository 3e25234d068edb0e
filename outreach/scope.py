"""Who logs a firm's visits, who oversees the visits of which firms, who pushes briefings: one
set of rules for the pages, the API and the services.

- A linked cadre (挂钩干部, 驻厂专员, 党建指导员: ``VISITING_KINDS``) logs visits to their own firms.
- Overseers read the coverage, visits and briefings of firms: administrators, leaders without a
  region (everywhere), dispatchers and leaders over a subtree holding the firm's region, the
  staff of the firm's chain committee.
- Managers log visits and finish briefings for a firm besides its cadres: the overseers except
  leaders (who read).
- Briefings are pushed by the policy writers: administrators, dispatchers, leaders and chain
  committee staff (each to the firms they oversee).
"""

from __future__ import annotations

from django.db.models import Q

from enterprises.scope import may_write_policies
from orgs.models import Organisation, OrgKind
from outreach.models import VISITING_KINDS
from people.models import EnterpriseLink, Role, RoleAssignment, User

OVERSEER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
MANAGER_ROLES = frozenset({Role.DISPATCHER})


def _committee_ids(user: User) -> set[int]:
    """The chain committees the user works for (any role held over one)."""
    return {
        a.organisation.pk
        for a in user.role_assignments
        if a.organisation is not None and a.organisation.kind == OrgKind.CHAIN_COMMITTEE
    }


def _covers(
    assignment: RoleAssignment, enterprise: Organisation, roles: frozenset[str] = OVERSEER_ROLES
) -> bool:
    if assignment.role not in roles:
        return False
    if assignment.role == Role.LEADER and assignment.region_id is None:
        return True
    region, place = assignment.region, enterprise.region
    return (
        region is not None
        and place is not None
        and region.path <= place.path < (region.path_range_end)
    )


def is_overseer(user: User) -> bool:
    """Whether the user may open the coverage pages at all (their firms may still be none)."""
    if not user.is_authenticated:
        return False
    return (
        user.is_admin
        or any(a.role in OVERSEER_ROLES for a in user.role_assignments)
        or bool(_committee_ids(user))
    )


def may_push(user: User) -> bool:
    """Policy writers push briefings (each to the firms they oversee)."""
    return may_write_policies(user)


def oversees(user: User, enterprise: Organisation, roles: frozenset[str] = OVERSEER_ROLES) -> bool:
    """Whether ``user`` oversees ``enterprise`` (its region loaded); no query."""
    if not user.is_authenticated:
        return False
    if user.is_admin or (
        enterprise.chain_id is not None and enterprise.chain_id in _committee_ids(user)
    ):
        return True
    return any(_covers(a, enterprise, roles) for a in user.role_assignments)


def manages(user: User, enterprise: Organisation) -> bool:
    """Whether ``user`` logs visits and finishes briefings for ``enterprise`` besides its
    cadres: its overseers but leaders; no query."""
    return oversees(user, enterprise, MANAGER_ROLES)


def overseen_q(user: User, prefix: str = "") -> Q | None:
    """The firms ``user`` oversees as a filter on ``Organisation`` (None: every firm)."""
    if user.is_admin or any(
        a.role == Role.LEADER and a.region_id is None for a in user.role_assignments
    ):
        return None
    q = Q(pk__in=[])
    for a in user.role_assignments:
        if a.role in OVERSEER_ROLES and a.region is not None:
            q |= Q(
                **{
                    f"{prefix}region__path__gte": a.region.path,
                    f"{prefix}region__path__lt": a.region.path_range_end,
                }
            )
    committees = _committee_ids(user)
    if committees:
        q |= Q(**{f"{prefix}chain_id__in": committees})
    return q


def is_visiting_cadre(user: User, enterprise: Organisation) -> bool:
    """Whether the user is one of the firm's visiting cadres (one query)."""
    return (
        user.is_authenticated
        and user.person_id is not None
        and any(a.role == Role.LINKED_CADRE for a in user.role_assignments)
        and EnterpriseLink.objects.filter(
            person_id=user.person_id, enterprise=enterprise, kind__in=VISITING_KINDS
        ).exists()
    )


def may_log_visit(user: User, enterprise: Organisation) -> bool:
    """The firm's own visiting cadres and its managers; at most one query."""
    return manages(user, enterprise) or is_visiting_cadre(user, enterprise)


def visible_firms_q(user: User, prefix: str = "") -> Q | None:
    """The firms whose visits and briefings the user may read: those they oversee and those
    they visit as a linked cadre (None: every firm)."""
    q = overseen_q(user, prefix)
    if q is None:
        return None
    if user.person_id is not None and any(
        a.role == Role.LINKED_CADRE for a in user.role_assignments
    ):
        q |= Q(
            **{
                f"{prefix}pk__in": EnterpriseLink.objects.filter(
                    person_id=user.person_id, kind__in=VISITING_KINDS
                ).values("enterprise_id")
            }
        )
    return q
