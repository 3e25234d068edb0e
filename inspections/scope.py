"""Who logs inspections, who reads them, who opens campaigns: one set of rules for the pages, the
API and the services.

- Inspectors: grid staff (网格员, 网格长, 村(社区)干部) and dispatchers over the place, and the staff
  of the campaign's lead unit (牵头单位) for its inspections, and administrators.
- Readers: the same, plus leaders (a leader without a region reads everything).
- Campaigns are opened, changed and ended by administrators, by dispatchers and leaders over
  the campaign's region (a leader without a region: everywhere), and by the staff of the town
  government (乡镇政府) whose town holds it.
"""

from __future__ import annotations

from django.db.models import Q

from inspections.models import Campaign
from orgs.models import OrgKind
from people.models import Role, User
from regions.models import Region, RegionLevel

INSPECTOR_ROLES = frozenset(
    {Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE, Role.DISPATCHER}
)
READER_ROLES = INSPECTOR_ROLES | {Role.LEADER}


def _within(outer: Region | None, place: Region) -> bool:
    return outer is not None and outer.path <= place.path < outer.path_range_end


def may_log(user: User, place: Region, campaign: Campaign | None) -> bool:
    """Whether ``user`` may log an inspection at ``place`` (in ``campaign``); no query."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    for a in user.role_assignments:
        if a.role in INSPECTOR_ROLES and _within(a.region, place):
            return True
        if (
            campaign is not None
            and campaign.lead_unit_id is not None
            and a.organisation_id == campaign.lead_unit_id
            and a.role in (Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.DISPATCHER)
            and _within(campaign.region, place)
        ):
            return True
    return False


CAMPAIGN_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
TOWN_OFFICE_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})


def campaign_regions(user: User) -> list[Region] | None:
    """The regions over which ``user`` opens and runs campaigns (None: everywhere): their own as
    dispatcher or leader, their town as town-government staff (one query for those)."""
    if not user.is_authenticated:
        return []
    if user.is_admin:
        return None
    found: list[Region] = []
    town_offices: list[int] = []
    for a in user.role_assignments:
        if a.role in CAMPAIGN_ROLES:
            if a.region is not None:
                found.append(a.region)
            elif a.role == Role.LEADER and a.organisation_id is None:
                return None
        if (
            a.role in TOWN_OFFICE_ROLES
            and a.organisation is not None
            and a.organisation.kind == OrgKind.TOWN_GOVERNMENT
            and a.organisation.region_id is not None
        ):
            town_offices.append(a.organisation.region_id)
    if town_offices:
        found += list(Region.objects.filter(pk__in=town_offices))
    return found


def may_open_campaign(user: User, region: Region) -> bool:
    """Whether ``user`` may open, change or end a campaign over ``region``."""
    regions = campaign_regions(user)
    return regions is None or any(_within(r, region) for r in regions)


def may_run(user: User, campaign: Campaign) -> bool:
    """Whether ``user`` may change or end ``campaign`` (the rule of ``may_open_campaign``)."""
    return may_open_campaign(user, campaign.region)


def campaign_regions_q(user: User) -> Q:
    """The places the campaign form offers ``user``, as a filter on ``Region``: the county and
    the towns within their regions, and their own region whatever its level."""
    regions = campaign_regions(user)
    wide = Q(level__lte=RegionLevel.TOWN)
    if regions is None:
        return wide
    q = Q(pk__in=[])
    for r in regions:
        q |= Q(path__gte=r.path, path__lt=r.path_range_end) & (wide | Q(pk=r.pk))
    return q


def is_reader(user: User) -> bool:
    """Whether the user may open the inspection pages at all (their inspections may be none)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or any(
        a.role in READER_ROLES
        or (a.organisation_id is not None and a.role in (Role.DEPT_HANDLER, Role.DEPT_HEAD))
        for a in user.role_assignments
    )


def visible_q(user: User, prefix: str = "") -> Q | None:
    """The inspections ``user`` may read as a filter on ``Inspection`` (None: all of them);
    ``prefix`` reaches them from another model (``"inspection__"`` from ``Finding``)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_admin or any(
        a.role == Role.LEADER and a.region_id is None for a in user.role_assignments
    ):
        return None
    q = Q(pk__in=[])
    for a in user.role_assignments:
        if a.role in READER_ROLES and a.region is not None:
            q |= Q(
                **{
                    f"{prefix}region__path__gte": a.region.path,
                    f"{prefix}region__path__lt": a.region.path_range_end,
                }
            )
        if a.organisation_id is not None and a.role in (
            Role.DEPT_HANDLER,
            Role.DEPT_HEAD,
            Role.DISPATCHER,
        ):
            q |= Q(**{f"{prefix}campaign__lead_unit_id": a.organisation_id})
    return q


def loggable_regions_q(user: User, campaign: Campaign | None) -> Q | None:
    """The places ``user`` may log an inspection at, as a filter on ``Region`` (None: all)."""
    if user.is_admin:
        q = None
    else:
        q = Q(pk__in=[])
        for a in user.role_assignments:
            if a.role in INSPECTOR_ROLES and a.region is not None:
                q |= Q(path__gte=a.region.path, path__lt=a.region.path_range_end)
            if (
                campaign is not None
                and campaign.lead_unit_id is not None
                and a.organisation_id == campaign.lead_unit_id
                and a.role in (Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.DISPATCHER)
            ):
                q |= Q(path__gte=campaign.region.path, path__lt=campaign.region.path_range_end)
    if campaign is not None:
        inside = Q(path__gte=campaign.region.path, path__lt=campaign.region.path_range_end)
        q = inside if q is None else q & inside
    return q
