"""Who sees a requester's name and phone unmasked: those who must contact them."""

from cases.models import Case
from cases.scope import covers_region, unit_ids
from people.models import Role, User

_CONTACT_ROLES = frozenset({Role.DISPATCHER, Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE})
_UNIT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})


def can_see_requester(user: User, case: Case) -> bool:
    """The dispatcher and grid staff of the place, the lead unit, the reporter and administrators.

    ``case.region`` must be loaded (select_related) to keep this free of queries.
    """
    if user.is_admin or case.reported_by_id == user.pk:
        return True
    if case.lead_unit_id and case.lead_unit_id in unit_ids(user, _UNIT_ROLES):
        return True
    return covers_region(user, case, _CONTACT_ROLES)
