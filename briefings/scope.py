"""Who may make and read briefings: the report readers (leaders, dispatchers, department
heads, administrators). A briefing is over its requester's cases, so it is read by its
requester, by administrators and county-wide leaders, and by report readers whose region holds
the briefing's region."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from briefings.models import Briefing
from cases.scope import sees_everything
from people.models import REPORT_READERS, User
from regions.models import Region


def may_request(user: User) -> bool:
    return user.is_authenticated and (user.is_admin or user.has_role(*REPORT_READERS))


def regions_for(user: User) -> list[Region] | None:
    """The regions a user's briefings may cover; None: any (and the whole county)."""
    if sees_everything(user):
        return None
    regions = [
        a.region for a in user.role_assignments if a.role in REPORT_READERS and a.region is not None
    ]
    if not regions and any(a.role in REPORT_READERS for a in user.role_assignments):
        # A department's staff read their unit's cases wherever they are: the whole county.
        return None
    return regions


def readable(user: User) -> QuerySet[Briefing]:
    briefings = Briefing.objects.select_related("region", "requested_by")
    if not may_request(user):
        return briefings.none()
    if sees_everything(user):
        return briefings
    q = Q(requested_by=user)
    for region in [
        a.region for a in user.role_assignments if a.role in REPORT_READERS and a.region
    ]:
        q |= Q(region__path__gte=region.path, region__path__lt=region.path_range_end)
    return briefings.filter(q)
