"""Every change of the workshops app: one transaction each, with its ``WorkshopEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code and a Chinese message,
``PermissionDenied`` for a caller outside ``workshops.scope`` (the doors show a 404 for a row the
caller cannot read before they ever call a service).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation, OrgKind
from people.models import Household, HouseholdTag, Person, User
from regions.models import Region, RegionLevel
from workshops import scope
from workshops.models import (
    EMPLOYER_KINDS,
    HelpedHousehold,
    JobPosting,
    Placement,
    PostingStatus,
    WorkshopEvent,
    WorkshopEventKind,
    WorkshopProfile,
    WorkshopType,
    WorkshopYear,
)


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _log(kind: str, actor: User | None, **fields: Any) -> WorkshopEvent:
    return WorkshopEvent.objects.create(kind=kind, actor=actor, **fields)


def _check_actor(actor: User | None, q_of: Any, model: Any, pk: int | None) -> None:
    """The actor must write and read the row (None: the system, e.g. the demo)."""
    if actor is None:
        return
    if not scope.may_write(actor):
        raise PermissionDenied(_("您无权修改共富工坊与就业信息。"))
    q = q_of(actor)
    if pk is not None and q is not None and not model.objects.filter(q, pk=pk).exists():
        raise PermissionDenied(_("您无权修改该记录。"))


def town_of(region: Region) -> Region:
    """The town (镇/街道) at or above ``region``; a county stays itself."""
    node = region
    while node.level > RegionLevel.TOWN and node.parent_id is not None:
        assert node.parent is not None
        node = node.parent
    return node


# --- Workshops --------------------------------------------------------------------------------


def register_workshop(
    organisation: Organisation,
    *,
    type: str,
    leader: Person | None = None,
    township_contact: Person | None = None,
    partner: Organisation | None = None,
    jobs: int = 0,
    description: str = "",
    actor: User | None,
) -> WorkshopProfile:
    """Open the file of a workshop organisation (共富工坊) at its organisation's place."""
    if organisation.kind != OrgKind.WORKSHOP:
        raise _error("organisation", _("只能为共富工坊类型的组织建档。"), "not_workshop")
    if organisation.region is None:
        raise _error("organisation", _("该工坊未登记所在区域。"), "no_region")
    if type not in WorkshopType.values:
        raise _error("type", _("请选择工坊类型。"), "invalid")
    if partner is not None and partner.kind != OrgKind.ENTERPRISE:
        raise _error("partner", _("合作单位必须是企业。"), "not_enterprise")
    if jobs < 0:
        raise _error("jobs", _("岗位数不能为负数。"), "negative")
    if actor is not None:
        _check_actor(actor, scope.workshops_q, WorkshopProfile, None)
        q = scope.workshops_q(actor)
        region = organisation.region
        if q is not None and not _region_allowed(actor, region):
            raise PermissionDenied(_("您无权为该区域的工坊建档。"))
    with transaction.atomic():
        if WorkshopProfile.objects.filter(organisation=organisation).exists():
            raise _error("organisation", _("该工坊已建档。"), "exists")
        profile = WorkshopProfile.objects.create(
            organisation=organisation,
            type=type,
            leader=leader,
            township_contact=township_contact,
            region=organisation.region,
            town=town_of(organisation.region),
            partner=partner,
            jobs=jobs,
            description=description.strip(),
        )
        _log(
            WorkshopEventKind.REGISTERED,
            actor,
            workshop=profile,
            data={"type": type, "leader": leader.pk if leader else None, "jobs": jobs},
        )
    return profile


def _region_allowed(actor: User, region: Region) -> bool:
    return any(r.path <= region.path < r.path_range_end for r in scope.regions_of(actor))


def record_figures(
    workshop: WorkshopProfile,
    *,
    year: int,
    quarter: int,
    jobs: int,
    households: int,
    income: Decimal,
    output: Decimal,
    actor: User | None,
) -> WorkshopYear:
    """Enter (or correct) the workshop's cumulative figures of ``year`` up to ``quarter``."""
    _check_actor(actor, scope.workshops_q, WorkshopProfile, workshop.pk)
    if not 2000 <= year <= 2100:
        raise _error("year", _("请填写正确的年度。"), "invalid")
    if quarter not in (1, 2, 3, 4):
        raise _error("quarter", _("季度只能是1至4。"), "invalid")
    for field, value in (("jobs", jobs), ("households", households)):
        if value < 0:
            raise _error(field, _("数值不能为负数。"), "negative")
    for field, amount in (("income", income), ("output", output)):
        if amount < 0:
            raise _error(field, _("金额不能为负数。"), "negative")
        if amount >= Decimal("1e8"):
            raise _error(field, _("金额过大，请以万元为单位填写。"), "too_large")
    with transaction.atomic():
        row, created = WorkshopYear.objects.update_or_create(
            workshop=workshop,
            year=year,
            quarter=quarter,
            defaults={"jobs": jobs, "households": households, "income": income, "output": output},
        )
        _log(
            WorkshopEventKind.FIGURES,
            actor,
            workshop=workshop,
            data={
                "year": year,
                "quarter": quarter,
                "jobs": jobs,
                "households": households,
                "income": str(income),
                "output": str(output),
                "created": created,
            },
        )
    return row


def add_household(
    workshop: WorkshopProfile,
    household: Household,
    *,
    since: date,
    note: str = "",
    actor: User | None,
) -> HelpedHousehold:
    """Record that the workshop helps ``household`` (带动) since ``since``."""
    _check_actor(actor, scope.workshops_q, WorkshopProfile, workshop.pk)
    town = workshop.town
    path = household.region.path
    if not town.path <= path < town.path_range_end:
        raise _error("household", _("只能登记工坊所在乡镇的农户。"), "other_town")
    with transaction.atomic():
        if HelpedHousehold.objects.filter(workshop=workshop, household=household).exists():
            raise _error("household", _("该户已登记为本工坊带动农户。"), "exists")
        row = HelpedHousehold.objects.create(
            workshop=workshop, household=household, since=since, note=note.strip()
        )
        _log(
            WorkshopEventKind.HOUSEHOLD_ADDED,
            actor,
            workshop=workshop,
            data={"household": household.pk, "since": since.isoformat()},
        )
    return row


# --- Jobs -------------------------------------------------------------------------------------


def post_job(
    employer: Organisation,
    *,
    title: str,
    positions: int,
    region: Region,
    tags: Iterable[HouseholdTag],
    posted_on: date,
    wage: str = "",
    place: str = "",
    actor: User | None,
) -> JobPosting:
    """Publish jobs of ``employer`` (an enterprise or a workshop) for the tagged households of
    ``region`` (a town or the county)."""
    if employer.kind not in EMPLOYER_KINDS:
        raise _error("employer", _("用工单位必须是企业或共富工坊。"), "invalid_employer")
    if not title.strip():
        raise _error("title", _("请填写岗位名称。"), "required")
    if positions < 1:
        raise _error("positions", _("招聘人数至少为1。"), "too_few")
    if region.level > RegionLevel.TOWN:
        raise _error("region", _("面向区域只能是县或乡镇。"), "too_small")
    tags = list(tags)
    if not tags:
        raise _error("tags", _("请至少选择一个面向群体。"), "required")
    if actor is not None:
        _check_actor(actor, scope.postings_q, JobPosting, None)
        if scope.postings_q(actor) is not None and not (
            _region_allowed(actor, region)
            or (employer.kind == OrgKind.WORKSHOP and _leads(actor, employer))
        ):
            raise PermissionDenied(_("您无权为该区域发布岗位。"))
    with transaction.atomic():
        posting = JobPosting.objects.create(
            employer=employer,
            title=title.strip(),
            positions=positions,
            region=region,
            posted_on=posted_on,
            wage=wage.strip(),
            place=place.strip(),
            created_by=actor,
        )
        posting.tags.set(tags)
        _log(
            WorkshopEventKind.POSTED,
            actor,
            posting=posting,
            data={"positions": positions, "tags": sorted(t.pk for t in tags)},
        )
    return posting


def _leads(actor: User, employer: Organisation) -> bool:
    q = scope.workshops_q(actor)
    return q is None or WorkshopProfile.objects.filter(q, organisation=employer).exists()


def close_posting(posting: JobPosting, *, actor: User | None) -> JobPosting:
    """Stop the recruiting; the placements stay."""
    _check_actor(actor, scope.postings_q, JobPosting, posting.pk)
    with transaction.atomic():
        locked = JobPosting.objects.select_for_update().get(pk=posting.pk)
        if locked.status == PostingStatus.CLOSED:
            raise _error("status", _("该岗位已结束招聘。"), "closed")
        locked.status = PostingStatus.CLOSED
        locked.save(update_fields=["status"])
        _log(WorkshopEventKind.CLOSED, actor, posting=locked)
    return locked


def place(
    posting: JobPosting,
    member: Any,
    *,
    placed_on: date,
    note: str = "",
    actor: User | None,
) -> Placement:
    """Record that ``member`` (a ``households.HouseholdMember`` of a matched household, of
    working age when their age is known) took one of the posting's jobs; the placement keeps
    the member's household and name."""
    _check_actor(actor, scope.postings_q, JobPosting, posting.pk)
    if placed_on < posting.posted_on:
        raise _error("placed_on", _("上岗日期不能早于岗位发布日期。"), "before_posted")
    household = member.household
    with transaction.atomic():
        locked = JobPosting.objects.select_for_update().get(pk=posting.pk)
        if locked.status != PostingStatus.OPEN:
            raise _error("posting", _("该岗位已结束招聘。"), "closed")
        if not matching_households(locked).filter(pk=household.pk).exists():
            raise _error("member", _("该人员的家庭不属于本岗位面向的区域和群体。"), "not_matched")
        if not matching_members(locked, placed_on).filter(pk=member.pk).exists():
            raise _error(
                "member",
                _("该人员不在劳动年龄（%(low)d至%(high)d周岁）内。"),
                "not_working_age",
                low=WORKING_AGE[0],
                high=WORKING_AGE[1],
            )
        if Placement.objects.filter(posting=locked, member=member).exists():
            raise _error("member", _("该人员已登记在本岗位上岗。"), "exists")
        if locked.placements.count() >= locked.positions:
            raise _error("posting", _("该岗位已招满。"), "full")
        row = Placement.objects.create(
            posting=locked,
            household=household,
            member=member,
            person_name=member.name,
            placed_on=placed_on,
            note=note.strip(),
            recorded_by=actor,
        )
        _log(
            WorkshopEventKind.PLACED,
            actor,
            posting=locked,
            data={
                "household": household.pk,
                "member": member.pk,
                "placed_on": placed_on.isoformat(),
            },
        )
    return row


def matching_households(posting: JobPosting) -> Any:
    """The households of the posting's region carrying one of its tags."""
    region = posting.region
    return (
        Household.objects.filter(
            region__path__gte=region.path,
            region__path__lt=region.path_range_end,
            tags__in=posting.tags.all(),
        )
        .distinct()
        .order_by("pk")
    )


# Working age (劳动年龄), in years reached in the year counted: a member is matched inside it, or
# when neither a birth year nor an 18-digit ID number tells their age.
WORKING_AGE = (16, 60)


def member_model() -> Any:
    """``households.HouseholdMember``, reached through the placement's key: the two
    registries do not import each other."""
    return Placement._meta.get_field("member").related_model


def birth_year_of(member: Any) -> int | None:
    """The member's birth year: as entered, else from an 18-digit ID number (digits 7–10)."""
    if member.birth_year:
        return int(member.birth_year)
    number = (member.id_number or "").strip()
    if len(number) == 18 and number[6:10].isdigit():
        return int(number[6:10])
    return None


def working_age_q(on: date) -> Q:
    """Members of working age on ``on`` (by year), or of unknown age, as a filter on
    ``HouseholdMember`` annotated by ``matching_members`` (``id_length``, ``id_year``)."""
    low, high = on.year - WORKING_AGE[1], on.year - WORKING_AGE[0]
    by_year = Q(birth_year__gte=low, birth_year__lte=high)
    no_year = Q(birth_year__isnull=True)
    by_id = no_year & Q(id_length=18, id_year__gte=f"{low:04d}", id_year__lte=f"{high:04d}")
    unknown = no_year & ~Q(id_length=18)
    return by_year | by_id | unknown


def matching_members(posting: JobPosting, on: date | None = None) -> Any:
    """The members of the posting's matched households who are of working age on ``on``
    (today) or whose age is not known, by place and household."""
    on = on or timezone.localdate()
    return (
        member_model()
        .objects.filter(household__in=matching_households(posting).values("pk"))
        .annotate(id_length=Length("id_number"), id_year=Substr("id_number", 7, 4))
        .filter(working_age_q(on))
        .order_by("household__region__path", "household_id", "pk")
    )


def unplaced_members(posting: JobPosting, on: date | None = None) -> Any:
    """``matching_members`` without those already placed in the posting."""
    placed = Placement.objects.filter(posting=posting, member__isnull=False).values("member_id")
    return matching_members(posting, on).exclude(pk__in=placed)
