from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgs.models import Organisation, OrgKind
from workshops import selectors, services
from workshops.models import (
    JobPosting,
    Placement,
    PostingStatus,
    WorkshopEvent,
    WorkshopEventKind,
    WorkshopType,
    WorkshopYear,
)


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {f: [str(e.code) for e in errs] for f, errs in exc.error_dict.items()}


def test_register_keeps_town_and_logs(ws):
    assert ws.shop.town == ws.world.town
    assert ws.other_shop.town == ws.world.other_town
    event = WorkshopEvent.objects.get(workshop=ws.shop, kind=WorkshopEventKind.REGISTERED)
    assert event.data["jobs"] == 12


def test_register_refuses_other_kinds_and_twice(ws, world):
    with pytest.raises(ValidationError) as exc:
        services.register_workshop(world.enterprise, type=WorkshopType.BRAND, actor=None)
    assert codes(exc.value) == {"organisation": ["not_workshop"]}
    with pytest.raises(ValidationError) as exc:
        services.register_workshop(ws.shop.organisation, type=WorkshopType.BRAND, actor=None)
    assert codes(exc.value) == {"organisation": ["exists"]}


def test_register_by_town_staff_only_in_their_town(ws, world):
    org = Organisation.objects.create(
        kind=OrgKind.WORKSHOP, name="龙浔工坊", region=world.other_grid
    )
    with pytest.raises(PermissionDenied):
        services.register_workshop(org, type=WorkshopType.BRAND, actor=ws.town_dispatcher)
    mine = Organisation.objects.create(kind=OrgKind.WORKSHOP, name="浔中工坊", region=world.grid)
    profile = services.register_workshop(mine, type=WorkshopType.BRAND, actor=ws.town_dispatcher)
    assert profile.town == world.town


def test_figures_update_in_place_with_event(ws):
    row = services.record_figures(
        ws.shop,
        year=2026,
        quarter=1,
        jobs=11,
        households=46,
        income=Decimal("13"),
        output=Decimal("31"),
        actor=ws.lead,
    )
    assert WorkshopYear.objects.filter(workshop=ws.shop).count() == 1
    assert row.jobs == 11
    event = WorkshopEvent.objects.filter(kind=WorkshopEventKind.FIGURES).first()
    assert event.actor == ws.lead and event.data["created"] is False


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("quarter", 5, "invalid"), ("jobs", -1, "negative"), ("income", Decimal("-1"), "negative")],
)
def test_figures_errors_are_keyed_by_field(ws, field, value, code):
    data = dict(year=2026, quarter=2, jobs=1, households=1, income=Decimal(1), output=Decimal(1))
    data[field] = value
    with pytest.raises(ValidationError) as exc:
        services.record_figures(ws.shop, actor=ws.lead, **data)
    assert codes(exc.value) == {field: [code]}
    assert str(exc.value.error_dict[field][0].message)  # a Chinese message


def test_figures_outside_scope_and_by_leader_are_refused(ws, world):
    data = dict(year=2026, quarter=2, jobs=1, households=1, income=Decimal(1), output=Decimal(1))
    with pytest.raises(PermissionDenied):
        services.record_figures(ws.other_shop, actor=ws.lead, **data)
    with pytest.raises(PermissionDenied):
        services.record_figures(ws.shop, actor=world.leader, **data)  # leaders read


def test_add_household_only_of_the_town(ws):
    services.add_household(ws.shop, ws.poor, since=date(2025, 5, 1), actor=ws.lead)
    with pytest.raises(ValidationError) as exc:
        services.add_household(ws.shop, ws.poor, since=date(2025, 5, 1), actor=ws.lead)
    assert codes(exc.value) == {"household": ["exists"]}
    with pytest.raises(ValidationError) as exc:
        services.add_household(ws.shop, ws.far, since=date(2025, 5, 1), actor=ws.lead)
    assert codes(exc.value) == {"household": ["other_town"]}


def test_matching_is_by_tag_and_area(ws):
    assert list(services.matching_households(ws.posting)) == [ws.disabled]


def test_matching_is_by_person_of_working_age_in_a_tagged_household(ws):
    """Members of the matched households, 16 to 60 by year of birth (entered, or from the ID
    number), or of unknown age; the household's head is a member only as a member row."""
    matched = services.matching_members(ws.posting, date(2026, 3, 5))
    assert list(matched) == [ws.worker, ws.by_id, ws.unknown_age]
    assert services.birth_year_of(ws.by_id) == 1985
    assert services.birth_year_of(ws.unknown_age) is None
    # Born 1966: 60 in 2026 (in), 61 in 2027 (out).
    ws.elder.birth_year = 1966
    ws.elder.save()
    assert ws.elder in services.matching_members(ws.posting, date(2026, 3, 5))
    assert ws.elder not in services.matching_members(ws.posting, date(2027, 1, 1))


def test_a_malformed_id_number_counts_as_unknown_age(ws):
    ws.unknown_age.id_number = "35052619X5"
    ws.unknown_age.save()
    assert ws.unknown_age in services.matching_members(ws.posting, date(2026, 3, 5))


def test_place_records_the_member_with_the_household(ws):
    row = services.place(ws.posting, ws.worker, placed_on=date(2026, 3, 5), actor=ws.lead)
    assert (row.member, row.household, row.person_name) == (ws.worker, ws.disabled, "郑大勇")
    event = WorkshopEvent.objects.get(kind=WorkshopEventKind.PLACED)
    assert event.data == {
        "household": ws.disabled.pk,
        "member": ws.worker.pk,
        "placed_on": "2026-03-05",
    }
    assert ws.worker not in services.unplaced_members(ws.posting, date(2026, 3, 5))
    assert ws.by_id in services.unplaced_members(ws.posting, date(2026, 3, 5))


def test_place_checks_match_age_capacity_and_state(ws):
    day = date(2026, 3, 5)
    services.place(ws.posting, ws.worker, placed_on=day, actor=ws.lead)
    with pytest.raises(ValidationError) as exc:
        services.place(ws.posting, ws.poor_member, placed_on=day, actor=ws.lead)
    assert codes(exc.value) == {"member": ["not_matched"]}
    for too_old_or_young in (ws.elder, ws.child):
        with pytest.raises(ValidationError) as exc:
            services.place(ws.posting, too_old_or_young, placed_on=day, actor=None)
        assert codes(exc.value) == {"member": ["not_working_age"]}
        assert "16至60周岁" in exc.value.error_dict["member"][0].messages[0]
    with pytest.raises(ValidationError) as exc:
        services.place(ws.posting, ws.worker, placed_on=day, actor=None)
    assert codes(exc.value) == {"member": ["exists"]}
    with pytest.raises(ValidationError) as exc:
        services.place(ws.posting, ws.by_id, placed_on=date(2026, 2, 1), actor=None)
    assert codes(exc.value) == {"placed_on": ["before_posted"]}
    services.place(ws.posting, ws.by_id, placed_on=date(2026, 3, 6), actor=None)
    with pytest.raises(ValidationError) as exc:
        services.place(ws.posting, ws.unknown_age, placed_on=date(2026, 3, 6), actor=None)
    assert codes(exc.value) == {"posting": ["full"]}
    assert Placement.objects.count() == 2
    assert WorkshopEvent.objects.filter(kind=WorkshopEventKind.PLACED).count() == 2


def test_an_actor_outside_the_posting_may_not_place(ws, world):
    with pytest.raises(PermissionDenied):
        services.place(
            ws.posting, ws.worker, placed_on=date(2026, 3, 5), actor=world.other_grid_worker
        )
    assert not Placement.objects.exists()


def test_close_posting(ws):
    closed = services.close_posting(ws.posting, actor=ws.org_dept)
    assert closed.status == PostingStatus.CLOSED
    with pytest.raises(ValidationError) as exc:
        services.close_posting(ws.posting, actor=ws.org_dept)
    assert codes(exc.value) == {"status": ["closed"]}
    with pytest.raises(ValidationError):
        services.place(ws.posting, ws.worker, placed_on=date(2026, 3, 5), actor=None)


def test_post_job_validation(ws, world):
    with pytest.raises(ValidationError) as exc:
        services.post_job(
            ws.shop.organisation,
            title=" ",
            positions=0,
            region=world.town,
            tags=[],
            posted_on=date(2026, 1, 1),
            actor=None,
        )
    assert codes(exc.value) == {"title": ["required"]}
    with pytest.raises(ValidationError) as exc:
        services.post_job(
            world.dept,
            title="x",
            positions=1,
            region=world.town,
            tags=[ws.tags["低保"]],
            posted_on=date(2026, 1, 1),
            actor=None,
        )
    assert codes(exc.value) == {"employer": ["invalid_employer"]}
    with pytest.raises(PermissionDenied):
        services.post_job(
            world.enterprise,
            title="x",
            positions=1,
            region=world.other_town,
            tags=[ws.tags["低保"]],
            posted_on=date(2026, 1, 1),
            actor=ws.town_dispatcher,
        )
    assert JobPosting.objects.count() == 1


def test_report_totals_equal_their_lists(ws, world):
    rows, grand = selectors.quarterly_report(ws.org_dept, 2026, 1)
    assert grand.count == 2 and grand.jobs == 30 and grand.households == 95
    assert grand.income == Decimal("52.5")
    for r in rows:
        listed = selectors.with_figures(
            selectors.workshops(ws.org_dept, type=r.type, town=r.town_id), 2026, 1
        )
        assert len(listed) == r.totals.count
        assert sum(w.figures.jobs for w in listed if w.figures) == r.totals.jobs
        assert sum(w.figures.income for w in listed if w.figures) == r.totals.income
    mine, total = selectors.quarterly_report(ws.town_dispatcher, 2026, 1)
    assert [r.town_id for r in mine] == [world.town.pk] and total.jobs == 10


def test_job_totals_equal_their_lists(ws):
    services.place(ws.posting, ws.worker, placed_on=date(2026, 3, 5), actor=None)
    by_tag, by_area = selectors.job_totals(ws.org_dept)
    for row in by_tag:
        listed = selectors.postings(ws.org_dept, tag=row.key)
        assert row.postings == len(listed)
        assert row.positions == sum(p.positions for p in listed)
        assert row.placed == selectors.placements(ws.org_dept, tag=row.key).count()
    disabled = next(r for r in by_tag if r.label == "残疾")
    assert (disabled.postings, disabled.positions, disabled.placed) == (1, 2, 1)
    poor = next(r for r in by_tag if r.label == "脱贫户")
    assert (poor.postings, poor.placed) == (0, 0)
    assert [(r.label, r.postings, r.placed) for r in by_area] == [("浔中镇", 1, 1)]
