"""Who reads and who writes a dispute's parties and agreements.

Readers: whoever sees the case (``cases.scope.visible_cases``). Writers: whoever may act on it —
administrators, the dispatchers over its place or of its committee, the staff of its lead unit,
and the grid staff over its place who reported it (a co-unit helps but does not record the
parties; nor the lead unit of a case whose requester asked to stay unknown to the units).
Every writer also sees the requester, so edits the contacts unmasked. A party's phone,
ID number and address are shown only to those who see the requester
(``cases.scope.can_see_requester``).
"""

from __future__ import annotations

from cases.models import Case
from cases.scope import can_see_requester, covers_region, unit_ids
from people.models import DISPATCHERS, GRID_STAFF, UNIT_STAFF, User


def is_dispute_case(case: Case) -> bool:
    return bool(case.case_type.has_mediation)


def may_write(user: User, case: Case) -> bool:
    """Whether ``user`` may set the parties of ``case`` and attach its agreements
    (``region`` and ``case_type`` loaded; no query)."""
    if not user.is_authenticated or not is_dispute_case(case):
        return False
    if user.is_admin or covers_region(user, case, DISPATCHERS):
        return True
    if case.reported_by_id == user.pk and covers_region(user, case, GRID_STAFF):
        return True
    if case.anonymous_to_unit:
        # 对承办单位保密: the unit does not see the requester, so it may not edit the contacts
        # (its form would hold them); the desk records the parties.
        return False
    return bool(case.lead_unit_id) and case.lead_unit_id in unit_ids(user, UNIT_STAFF)


def sees_contacts(user: User, case: Case) -> bool:
    """Whether ``user`` reads the parties' contacts unmasked: the rule of the requester's."""
    return user.is_authenticated and can_see_requester(user, case)
