"""Who may open an enterprise's file and who may write to it: one rule for pages, API and admin.

Readers: administrators and leaders without a region; the region-scoped roles that read people
(``people.scope.PEOPLE_ROLES``) over a subtree holding the enterprise's region; the staff of
its chain committee; its own liaison; the cadres linked to it. Writers (honours, yearly
figures): administrators, dispatchers and leaders over its region, and its chain committee's
staff. An enterprise without a region is in no subtree.

Policies (惠企政策) are county documents with rules of their own, at the end of this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from enterprises.models import Policy, PolicyQuerySet, PolicyStatus
from orgs.models import Organisation, OrgKind
from people.models import EnterpriseLink, Role, RoleAssignment, User
from people.scope import PEOPLE_ROLES

WRITER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})


def _covers(assignment: RoleAssignment, enterprise: Organisation) -> bool:
    if assignment.role == Role.LEADER and assignment.region_id is None:
        return True
    region, place = assignment.region, enterprise.region
    if region is not None and place is not None:
        return region.path <= place.path < region.path_range_end
    return False


def _committee_staff(user: User, enterprise: Organisation) -> bool:
    return enterprise.chain_id is not None and any(
        a.organisation_id == enterprise.chain_id for a in user.role_assignments
    )


def may_write_file(user: User, enterprise: Organisation) -> bool:
    """Whether ``user`` may award honours and record figures (``enterprise.region`` loaded)."""
    if not user.is_authenticated:
        return False
    if user.is_admin or _committee_staff(user, enterprise):
        return True
    return any(a.role in WRITER_ROLES and _covers(a, enterprise) for a in user.role_assignments)


def _reads_by_role(user: User, enterprise: Organisation) -> bool:
    if may_write_file(user, enterprise):
        return True
    for a in user.role_assignments:
        if a.role in PEOPLE_ROLES and _covers(a, enterprise):
            return True
        if a.role == Role.ENTERPRISE_LIAISON and a.organisation_id == enterprise.pk:
            return True
    return False


def _linked_cadre(user: User) -> bool:
    return bool(user.person_id) and any(a.role == Role.LINKED_CADRE for a in user.role_assignments)


def may_read_file(user: User, enterprise: Organisation) -> bool:
    """Whether ``user`` may open the file; at most one query (the cadre's links)."""
    if not user.is_authenticated:
        return False
    if _reads_by_role(user, enterprise):
        return True
    person_id = user.person_id
    return (
        person_id is not None
        and _linked_cadre(user)
        and EnterpriseLink.objects.filter(person_id=person_id, enterprise=enterprise).exists()
    )


def readable_ids(user: User, enterprises: Iterable[Organisation]) -> set[int]:
    """The ids of ``enterprises`` whose file ``user`` may open (regions loaded), for pages that
    link to the files: at most one query whatever their number."""
    if not user.is_authenticated:
        return set()
    enterprises = list(enterprises)
    ids = {e.pk for e in enterprises if _reads_by_role(user, e)}
    rest = [e.pk for e in enterprises if e.pk not in ids]
    person_id = user.person_id
    if rest and person_id is not None and _linked_cadre(user):
        ids.update(
            EnterpriseLink.objects.filter(person_id=person_id, enterprise_id__in=rest).values_list(
                "enterprise_id", flat=True
            )
        )
    return ids


# --- Policies (惠企政策) -------------------------------------------------------------------------
# A policy is a county document, not a firm's file: its writers are the file's writer roles
# anywhere in the county plus any chain committee's staff; every signed-in user with a role
# reads it once published (a policy is public); drafts and withdrawn ones only its writers.
# Which firms qualify is a list of files, so it is filtered by ``readable_ids``, and requesters
# see none of it.


def may_write_policies(user: User) -> bool:
    """Whether ``user`` may enter, change, publish and withdraw policies and record grants."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return any(
        a.role in WRITER_ROLES
        or (a.organisation is not None and a.organisation.kind == OrgKind.CHAIN_COMMITTEE)
        for a in user.role_assignments
    )


def may_read_policies(user: User) -> bool:
    """Whether ``user`` may read published policies: anyone signed in who holds a role."""
    return user.is_authenticated and (user.is_admin or bool(user.role_assignments))


def may_read_policy(user: User, policy: Policy) -> bool:
    if policy.status == PolicyStatus.PUBLISHED:
        return may_read_policies(user)
    return may_write_policies(user)


def may_see_matches(user: User) -> bool:
    """Whether ``user`` sees which firms qualify (still filtered by ``readable_ids``)."""
    return may_read_policies(user) and not user.is_requester_only


def readable_policies(user: User) -> PolicyQuerySet:
    """The policies ``user`` may read, as a queryset."""
    if may_write_policies(user):
        return Policy.objects.all()
    if may_read_policies(user):
        return Policy.objects.published()
    return Policy.objects.none()
