"""Who reads the monthly themes and who runs them.

Readers: administrators and county-wide leaders see every theme; dispatchers and leaders held
over a region see the themes whose place lies in it (a theme without a place is the whole
county's: those held over the top of the tree see it); the staff of a theme's lead unit and
co-units see it too. Runners (启动, 纳入事项, 完成, 撤销): administrators, county-wide leaders and
the dispatchers and leaders over the theme's place. A milestone is marked done by them or by
the lead unit's staff. Anyone else gets a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.scope import sees_everything
from people.models import UNIT_STAFF, Role, User
from regions.models import Region
from themes.models import MonthlyTheme

PLACE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
READER_ROLES = PLACE_ROLES | UNIT_STAFF


def may_open(user: User) -> bool:
    """Whether ``user`` sees the theme pages at all (no query once the roles are loaded)."""
    return user.is_authenticated and (
        sees_everything(user) or any(a.role in READER_ROLES for a in user.role_assignments)
    )


def may_create(user: User) -> bool:
    return user.is_authenticated and (
        sees_everything(user) or any(a.role in PLACE_ROLES for a in user.role_assignments)
    )


def _is_top(region: Region) -> bool:
    return region.depth <= 1


def _place_q(user: User) -> Q:
    q = Q(pk__in=[])
    for a in user.role_assignments:
        if a.role not in PLACE_ROLES or a.region is None:
            continue
        q |= Q(place__path__gte=a.region.path, place__path__lt=a.region.path_range_end)
        if _is_top(a.region):
            q |= Q(place__isnull=True)
    return q


def visible_themes(user: User) -> QuerySet[MonthlyTheme]:
    themes = MonthlyTheme.objects.select_related("place", "lead_unit", "category", "case_type")
    if not may_open(user):
        return themes.none()
    if sees_everything(user):
        return themes
    q = _place_q(user)
    units = {a.organisation_id for a in user.role_assignments if a.role in UNIT_STAFF}
    units.discard(None)
    if units:
        q |= Q(lead_unit_id__in=units) | Q(
            pk__in=MonthlyTheme.co_units.through.objects.filter(organisation_id__in=units).values(
                "monthlytheme_id"
            )
        )
    return themes.filter(q)


def covers_place(user: User, place: Region | None) -> bool:
    """Whether ``user`` runs themes at ``place`` (None: the whole county). No query."""
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    for a in user.role_assignments:
        if a.role not in PLACE_ROLES or a.region is None:
            continue
        if place is None:
            if _is_top(a.region):
                return True
        elif a.region.path <= place.path < a.region.path_range_end:
            return True
    return False


def may_run(user: User, theme: MonthlyTheme) -> bool:
    """Whether ``user`` may activate, finish, drop a theme or change its cases (place loaded)."""
    return covers_place(user, theme.place)


def may_mark_milestone(user: User, theme: MonthlyTheme) -> bool:
    if may_run(user, theme):
        return True
    return any(
        a.role in UNIT_STAFF and a.organisation_id == theme.lead_unit_id
        for a in user.role_assignments
    )


def places_for(user: User) -> list[Region] | None:
    """The regions under which ``user`` may create themes; None: anywhere, the county too."""
    if sees_everything(user):
        return None
    return [a.region for a in user.role_assignments if a.role in PLACE_ROLES and a.region]
