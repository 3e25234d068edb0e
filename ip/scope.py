"""Who reads and who writes the IP registries, and who records an infringement case's facts.

Registries: administrators and the staff (承办人/部门负责人) of the IP offices write — the
organisations named in ``settings.LIANXIN_IP_OFFICES`` (names or short names), or, when that is
empty, of any department, since the copyright office (版权局) and the market regulator
(市场监管局) are both departments. Dispatchers and leaders read everything; an enterprise's
liaison reads its own registrations and licences. Everyone else gets a 404.

A case's facts: whoever may act on the case — administrators, the dispatchers over its place or
of its committee, and the staff of its lead unit and of its active co-units.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from cases.models import Case, CaseAssignment
from cases.scope import covers_region, unit_ids
from ip.models import IP_CASE_TYPE, EnforcementAction, GiLicence, IpRegistration
from orgs.models import Organisation, OrgKind
from people.models import DISPATCHERS, UNIT_STAFF, Role, User

# Who reads every IP record by role (over any place).
READER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})


def _office(organisation: Organisation | None) -> bool:
    if organisation is None or not organisation.is_active:
        return False
    named = tuple(getattr(settings, "LIANXIN_IP_OFFICES", ()) or ())
    if named:
        return organisation.name in named or organisation.short_name in named
    return organisation.kind == OrgKind.DEPARTMENT


def may_write(user: User) -> bool:
    """Whether ``user`` keeps the IP registries (no query once the roles are loaded)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return any(a.role in UNIT_STAFF and _office(a.organisation) for a in user.role_assignments)


def reads_everything(user: User) -> bool:
    """Whether ``user`` reads all IP records (the offices, dispatchers, leaders)."""
    return may_write(user) or any(a.role in READER_ROLES for a in user.role_assignments)


def _own_enterprises(user: User) -> set[int]:
    return {
        a.organisation_id
        for a in user.role_assignments
        if a.role == Role.ENTERPRISE_LIAISON and a.organisation_id
    }


def may_open(user: User) -> bool:
    """Whether ``user`` sees the IP pages at all (the offices, readers, liaisons)."""
    return user.is_authenticated and (reads_everything(user) or bool(_own_enterprises(user)))


def visible_registrations(user: User) -> QuerySet[IpRegistration]:
    queryset = IpRegistration.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(enterprise_id__in=_own_enterprises(user))


def visible_licences(user: User) -> QuerySet[GiLicence]:
    queryset = GiLicence.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if reads_everything(user):
        return queryset
    return queryset.filter(licensee_id__in=_own_enterprises(user))


def visible_actions(user: User) -> QuerySet[EnforcementAction]:
    """Enforcement actions name suspects and seizures: only the offices and readers see them."""
    queryset = EnforcementAction.objects.all()
    return queryset if user.is_authenticated and reads_everything(user) else queryset.none()


def is_ip_case(case: Case) -> bool:
    return case.case_type.code == IP_CASE_TYPE


def may_record_facts(user: User, case: Case) -> bool:
    """Whether ``user`` may record the facts of ``case`` (``region`` and ``case_type`` loaded;
    at most one query, for the co-units)."""
    if not user.is_authenticated or not is_ip_case(case):
        return False
    if user.is_admin or covers_region(user, case, DISPATCHERS):
        return True
    units = unit_ids(user, UNIT_STAFF)
    if not units:
        return False
    if case.lead_unit_id in units:
        return True
    return CaseAssignment.objects.filter(case=case, unit_id__in=units, is_active=True).exists()
