"""Read-only browsing of the registries around the loop: regions and grids, organisations,
enterprises, people and households.

Everyone signed in with a role may browse regions and organisations (enterprises included);
people and households only administrators, dispatchers, leaders and grid staff, inside their
region subtree. Phone and ID numbers are masked for everyone but administrators.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from enterprises.scope import readable_ids
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from people.http import AuthenticatedHttpRequest
from people.masking import mask_address, mask_phone
from people.models import (
    EnterpriseLink,
    EnterpriseLinkKind,
    Household,
    HouseholdLink,
    HouseholdLinkKind,
    HouseholdTag,
    Person,
    RegionResponsibility,
    User,
)
from people.scope import in_regions, may_read_people, people_regions
from regions.models import GridStation, Region
from web.caseviews.filters import region_choices

PER_PAGE = 30
CADRE_LINKS = (
    EnterpriseLinkKind.LINKED_CADRE,
    EnterpriseLinkKind.RESIDENT_COMMISSIONER,
    EnterpriseLinkKind.PARTY_INSTRUCTOR,
)


def _require_role(user: User) -> None:
    if not (user.is_admin or user.role_assignments):
        raise PermissionDenied


def people_scope(user: User) -> list[Region] | None:
    """The regions whose people and households ``user`` may browse (None: everywhere), by the
    rule the API reads too (``people.scope``); PermissionDenied for anyone who reads no one."""
    if not may_read_people(user):
        raise PermissionDenied
    return people_regions(user)


def may_browse_people(user: User) -> bool:
    return may_read_people(user)


def _param(request: AuthenticatedHttpRequest, key: str, limit: int = 50) -> str:
    """A query-string value, trimmed and without NUL characters (PostgreSQL rejects them)."""
    return (request.GET.get(key) or "").replace("\x00", "").strip()[:limit]


def _page(request: AuthenticatedHttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _tabs(user: User) -> dict[str, Any]:
    return {"may_browse_people": may_browse_people(user)}


# --- Regions ---------------------------------------------------------------------------------


def _nodes(parent_ids: list[int] | None) -> list[Region]:
    """Region nodes under the given parents (roots if None), each with its responsible people
    and grid stations: three queries whatever the number of nodes."""
    regions = (
        Region.objects.filter(parent__isnull=True)
        if parent_ids is None
        else Region.objects.filter(parent_id__in=parent_ids)
    )
    return list(
        regions.annotate(child_count=Count("children"))
        .prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=RegionResponsibility.objects.select_related("person").order_by(
                    "duty", "person__name"
                ),
            ),
            Prefetch("stations", queryset=GridStation.objects.order_by("name")),
        )
        .order_by("path")
    )


@login_required
@require_GET
def region_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tree from the county down; ``?at=<id>`` opens the chain down to that region."""
    _require_role(request.user)
    roots = _nodes(None)
    open_ids = [r.pk for r in roots]
    at = None
    if _param(request, "at", 20).isdecimal():
        at = Region.objects.filter(pk=int(_param(request, "at", 20))).first()
    else:  # open the tree down to the user's own place
        at = next((a.region for a in request.user.role_assignments if a.region is not None), None)
    if at is not None:
        open_ids += list(at.ancestors().values_list("pk", flat=True))
    children: dict[int | None, list[Region]] = {}
    for node in _nodes(open_ids):
        children.setdefault(node.parent_id, []).append(node)
    for node in [*roots, *(n for kids in children.values() for n in kids)]:
        node.kids = children.get(node.pk, [])  # type: ignore[attr-defined]
    context = {"nodes": roots, "at": at, **_tabs(request.user), "unmask": request.user.is_admin}
    return render(request, "web/registry/region_tree.html", context)


@login_required
@require_GET
def region_children(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One node's children, as the fragment htmx puts under the node when it is opened."""
    _require_role(request.user)
    region = get_object_or_404(Region, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('registry:region-tree')}?at={region.pk}")
    context = {"nodes": _nodes([region.pk]), **_tabs(request.user), "unmask": request.user.is_admin}
    return render(request, "web/registry/region_tree.html#nodes", context)


# --- Organisations and enterprises -----------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Organisations by kind (``?kind=``), with a name search (``?q=``)."""
    _require_role(request.user)
    kind = request.GET.get("kind") or OrgKind.DEPARTMENT
    if kind == OrgKind.ENTERPRISE:
        return redirect("registry:enterprise-list")
    if kind not in OrgKind.values:
        kind = OrgKind.DEPARTMENT
    counts = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")).order_by())
    orgs = Organisation.objects.filter(kind=kind).select_related("parent", "region", "chain")
    q = _param(request, "q")
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    kinds = [(value, label, counts.get(value, 0)) for value, label in OrgKind.choices]
    context = {
        "page": _page(request, orgs.order_by("name", "pk")),
        "kinds": kinds,
        "kind": kind,
        "kind_label": OrgKind(kind).label,
        "q": q,
        **_tabs(request.user),
    }
    return render(request, "web/registry/organisation_list.html", context)


@login_required
@require_GET
def enterprise_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enterprises with their profile and linked cadres; filter by name or credit code, industry,
    size, park and chain position."""
    _require_role(request.user)
    enterprises = Organisation.objects.enterprises().select_related("region", "chain")
    q = _param(request, "q")
    filters = {
        key: _param(request, key, 100) for key in ("industry", "size", "park", "chain_position")
    }
    if q:
        enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    enterprises = enterprises.filter(**{k: v for k, v in filters.items() if v})
    links = EnterpriseLink.objects.filter(kind__in=CADRE_LINKS).select_related("person")
    enterprises = enterprises.prefetch_related(
        Prefetch("person_links", queryset=links.order_by("kind", "person__name"), to_attr="cadres")
    )
    values = Organisation.objects.enterprises().order_by()
    page = _page(request, enterprises.order_by("name", "pk"))
    context = {
        "page": page,
        # Names link to the enterprise file only where the viewer may open it.
        "readable": readable_ids(request.user, page.object_list),
        "q": q,
        "filters": filters,
        "industries": sorted(set(values.exclude(industry="").values_list("industry", flat=True))),
        "parks": sorted(set(values.exclude(park="").values_list("park", flat=True))),
        "sizes": EnterpriseSize.choices,
        "positions": ChainPosition.choices,
        **_tabs(request.user),
    }
    return render(request, "web/registry/enterprise_list.html", context)


# --- People and households (scoped) ----------------------------------------------------------


def _region_filter(
    request: AuthenticatedHttpRequest, regions: list[Region] | None
) -> Region | None:
    """The ``?region=`` code, if it lies inside the user's scope (otherwise ignored)."""
    code = _param(request, "region", 32)
    region = Region.objects.filter(code=code).first() if code else None
    if region is None or regions is None:
        return region
    inside = any(r.path <= region.path < r.path_range_end for r in regions)
    return region if inside else None


@login_required
@require_GET
def person_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People of the user's regions with their enterprise and household links (masked)."""
    regions = people_scope(request.user)
    people = Person.objects.filter(in_regions(regions, "region__")).select_related(
        "region", "organisation"
    )
    region = _region_filter(request, regions)
    if region is not None:
        people = people.filter(in_regions([region], "region__"))
    q = _param(request, "q")
    if q:
        people = people.filter(Q(name__icontains=q) | Q(position__icontains=q))
    if request.GET.get("party") == "1":
        people = people.filter(is_party_member=True)
    people = people.prefetch_related(
        Prefetch(
            "enterprise_links",
            queryset=EnterpriseLink.objects.select_related("enterprise").order_by("kind"),
        ),
        Prefetch("household_links", queryset=HouseholdLink.objects.only("kind", "person_id")),
    )
    page = _page(request, people.order_by("name", "pk"))
    labels = dict(HouseholdLinkKind.choices)
    for person in page:
        counts: dict[str, int] = {}
        for link in person.household_links.all():
            counts[link.kind] = counts.get(link.kind, 0) + 1
        person.household_summary = [(labels[k], n) for k, n in sorted(counts.items())]
    context = {
        "page": page,
        "q": q,
        "region": region,
        "region_groups": region_choices(request.user)[1:],
        "party": request.GET.get("party") == "1",
        "unmask": request.user.is_admin,
        **_tabs(request.user),
    }
    return render(request, "web/registry/person_list.html", context)


@login_required
@require_GET
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Households of the user's regions, by tag; the head's name and numbers are masked."""
    regions = people_scope(request.user)
    households = Household.objects.filter(in_regions(regions, "region__")).select_related("region")
    region = _region_filter(request, regions)
    if region is not None:
        households = households.filter(in_regions([region], "region__"))
    tags = list(HouseholdTag.objects.order_by("name"))
    tag = next((t for t in tags if str(t.pk) == request.GET.get("tag")), None)
    if tag is not None:
        households = households.filter(tags=tag)
    households = households.prefetch_related(
        Prefetch("tags", queryset=HouseholdTag.objects.order_by("name")),
        Prefetch(
            "person_links",
            queryset=HouseholdLink.objects.select_related("person").order_by("kind"),
        ),
    )
    page = _page(request, households.order_by("region__path", "pk"))
    for household in page:
        household.masked_phone = mask_phone(household.phone)
        household.masked_address = mask_address(household.address)
    context = {
        "page": page,
        "tags": tags,
        "tag": tag,
        "region": region,
        "region_groups": region_choices(request.user)[1:],
        "unmask": request.user.is_admin,
        **_tabs(request.user),
    }
    return render(request, "web/registry/household_list.html", context)
