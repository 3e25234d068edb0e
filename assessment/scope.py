"""Who manages an assessment task and who sees which of its rows.

- The issuing office manages a task: administrators, leaders and dispatchers whose region covers
  the task's region (a leader without a region covers everywhere), and the dispatchers of the
  issuing organisation. They see every row, issue 通报 and 限期整改.
- A unit's staff (承办人/部门负责人 of that organisation) see the tasks their unit has rows in,
  and only their own rows; they report progress and answer rectifications.
- Everyone else: the task does not exist for them (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from assessment.models import AssessmentTask, Breakdown, Rectification
from people.models import UNIT_STAFF, Role, User
from regions.models import Region

MANAGER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
# Who sees the menu item (no query once the roles are loaded): managers and unit staff.
MENU_ROLES = MANAGER_ROLES | UNIT_STAFF


def in_menu(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_admin or any(a.role in MENU_ROLES for a in user.role_assignments)


def own_units(user: User) -> set[int]:
    """The organisations whose staff ``user`` is (承办人/部门负责人)."""
    if not user.is_authenticated:
        return set()
    return {
        a.organisation.pk
        for a in user.role_assignments
        if a.role in UNIT_STAFF and a.organisation is not None and a.organisation.is_active
    }


def covers(user: User, region: Region) -> bool:
    """Whether ``user`` manages tasks over ``region`` (no query once the roles are loaded)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    for a in user.role_assignments:
        if a.role not in MANAGER_ROLES:
            continue
        if a.role == Role.LEADER and a.region_id is None and a.organisation_id is None:
            return True
        if a.region is not None and a.region.path <= region.path < a.region.path_range_end:
            return True
    return False


def manages(user: User, task: AssessmentTask) -> bool:
    """Whether ``user`` is of the issuing office of ``task`` (``task.region`` loaded)."""
    if covers(user, task.region):
        return True
    return any(
        a.role == Role.DISPATCHER and a.organisation_id == task.issuer_id
        for a in user.role_assignments
    )


def may_create(user: User, region: Region) -> bool:
    return covers(user, region)


def may_create_any(user: User) -> bool:
    """Whether ``user`` may issue a task over some region (no query once roles are loaded)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or any(
        a.role in MANAGER_ROLES and (a.region_id or a.role == Role.LEADER)
        for a in user.role_assignments
    )


def _managed_q(user: User, prefix: str = "") -> Q | None:
    """The tasks ``user`` manages, as a filter (``prefix`` reaches the task); None for all."""
    if user.is_admin:
        return None
    q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for a in user.role_assignments:
        if a.role not in MANAGER_ROLES:
            continue
        if a.role == Role.LEADER and a.region_id is None and a.organisation_id is None:
            return None
        if a.region is not None:
            q |= Q(
                **{
                    f"{prefix}region__path__gte": a.region.path,
                    f"{prefix}region__path__lt": a.region.path_range_end,
                }
            )
        if a.role == Role.DISPATCHER and a.organisation_id:
            q |= Q(**{f"{prefix}issuer_id": a.organisation_id})
    return q


def visible_tasks(user: User) -> QuerySet[AssessmentTask]:
    """The tasks ``user`` manages or has a row of their unit in."""
    queryset = AssessmentTask.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    managed = _managed_q(user)
    if managed is None:
        return queryset
    units = own_units(user)
    if units:
        managed |= Q(
            pk__in=Breakdown.objects.filter(unit_id__in=units).values("indicator__task_id")
        )
    return queryset.filter(managed)


def visible_rows(user: User, task: AssessmentTask) -> QuerySet[Breakdown]:
    """The rows of ``task`` ``user`` sees: all for the office, their own unit's for its staff."""
    rows = Breakdown.objects.filter(indicator__task=task)
    if manages(user, task):
        return rows
    return rows.filter(unit_id__in=own_units(user))


def reachable_rows(user: User) -> QuerySet[Breakdown]:
    """Every row ``user`` sees, over all tasks (for a row reached by its id)."""
    rows = Breakdown.objects.all()
    if not user.is_authenticated:
        return rows.none()
    managed = _managed_q(user, "indicator__task__")
    if managed is None:
        return rows
    return rows.filter(managed | Q(unit_id__in=own_units(user)))


def visible_rectifications(user: User) -> QuerySet[Rectification]:
    return Rectification.objects.filter(row__in=reachable_rows(user))


def reports_for(user: User, row: Breakdown) -> bool:
    """Whether ``user`` is staff of the row's unit (reports progress, answers rectifications)."""
    return row.unit_id in own_units(user)
