"""The dispatch catalogue (派单目录): drafts copy the version in force, one draft at a time,
published and retired versions are read-only, publishing retires the one before, rows are
checked, and each assignment records the version in force."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import catalogue, services
from cases.catalogue import EntryRow, row_key
from cases.models import (
    CaseAssignment,
    CatalogueStatus,
    Category,
    DispatchCatalogue,
    DispatchEntry,
    Priority,
)
from cases.tests.helpers import local, module_world_fixture
from cases.tests.world import make_user
from orgs.models import Organisation, OrgKind
from people.models import Role

module_world = module_world_fixture()
MONDAY = local(2026, 9, 14, 10)


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def categories(world, n: int = 2) -> list[Category]:
    return list(world.types["resident_issue"].categories.order_by("code")[:n])


def published(world, rows: list[EntryRow] | None = None) -> DispatchCatalogue:
    """A published version with ``rows`` (default: the first category → dept, urgent)."""
    draft = catalogue.new_draft(actor=world.dispatcher, note="首版")
    first = categories(world, 1)[0]
    catalogue.save_entries(
        draft,
        rows or [EntryRow(first, world.dept, [world.other_dept], Priority.URGENT)],
        actor=world.dispatcher,
    )
    return catalogue.publish(draft, actor=world.dispatcher)


def lines(version: DispatchCatalogue) -> dict[str, tuple[int, list[int], str]]:
    return {
        e.category.name: (e.lead_unit_id, sorted(u.pk for u in e.co_units.all()), e.priority)
        for e in version.entries.select_related("category").prefetch_related("co_units")
    }


# --- Drafts -----------------------------------------------------------------------------------


def test_the_first_draft_starts_from_the_categories_suggested_units(world, clock):
    first, second = categories(world)
    first.suggested_unit = world.dept
    first.save()
    draft = catalogue.new_draft(actor=world.admin, note="首版")
    assert (draft.version, draft.status, draft.note) == (1, CatalogueStatus.DRAFT, "首版")
    assert draft.created_by == world.admin and draft.created_at == MONDAY
    # A category without a suggested unit is not in it; the tier is the type's usual one.
    assert lines(draft) == {first.name: (world.dept.pk, [], Priority.NORMAL)}
    assert second.name not in lines(draft)


def test_a_draft_copies_every_line_of_the_version_in_force(world, clock):
    first, second = categories(world)
    v1 = published(
        world,
        [
            EntryRow(first, world.dept, [world.other_dept], Priority.URGENT),
            EntryRow(second, world.other_dept, [], Priority.IMPORTANT),
        ],
    )
    draft = catalogue.new_draft(actor=world.dispatcher, note="调整")
    assert draft.version == 2
    assert lines(draft) == lines(v1)
    # A copy, not the same rows: editing the draft leaves v1 as it was.
    catalogue.save_entries(
        draft, [EntryRow(first, world.other_dept, [], Priority.NORMAL)], actor=world.dispatcher
    )
    assert lines(v1)[first.name] == (world.dept.pk, [world.other_dept.pk], Priority.URGENT)
    assert lines(draft)[first.name] == (world.other_dept.pk, [], Priority.NORMAL)
    assert lines(draft)[second.name] == lines(v1)[second.name]  # not in the rows: kept


def test_only_one_draft_at_a_time(world, clock):
    catalogue.new_draft(actor=world.dispatcher)
    with pytest.raises(ValidationError) as refused:
        catalogue.new_draft(actor=world.admin)
    assert refused.value.code == "draft_exists"
    assert "已有修订草稿 v1" in refused.value.messages[0]
    assert DispatchCatalogue.objects.count() == 1


def test_a_long_note_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        catalogue.new_draft(actor=world.dispatcher, note="说" * 201)
    assert "修订说明不能超过 200 个字" in refused.value.message_dict["note"][0]
    assert not DispatchCatalogue.objects.exists()


def test_a_draft_can_be_discarded_and_the_number_is_taken_again(world, clock):
    draft = catalogue.new_draft(actor=world.dispatcher)
    catalogue.discard(draft, actor=world.dispatcher)
    assert not DispatchCatalogue.objects.exists()
    assert catalogue.new_draft(actor=world.dispatcher).version == 1


# --- Read-only versions -----------------------------------------------------------------------


def test_published_and_retired_versions_are_read_only(world, clock):
    first = categories(world, 1)[0]
    v1 = published(world)
    row = [EntryRow(first, world.other_dept, [], Priority.NORMAL)]
    with pytest.raises(ValidationError) as refused:
        catalogue.save_entries(v1, row, actor=world.dispatcher)
    assert refused.value.code == "read_only"
    assert refused.value.messages == ["派单目录 v1 已现行，只读，不能修改。"]
    v2 = catalogue.new_draft(actor=world.dispatcher)
    catalogue.publish(v2, actor=world.dispatcher)
    v1.refresh_from_db()
    assert v1.status == CatalogueStatus.RETIRED
    for version in (v1, v2):
        with pytest.raises(ValidationError):
            catalogue.save_entries(version, row, actor=world.dispatcher)
        with pytest.raises(ValidationError):
            catalogue.publish(version, actor=world.dispatcher)
        with pytest.raises(ValidationError):
            catalogue.discard(version, actor=world.dispatcher)
    assert lines(v1)[first.name] == (world.dept.pk, [world.other_dept.pk], Priority.URGENT)


# --- Publishing -------------------------------------------------------------------------------


def test_publishing_retires_the_version_before(world, clock):
    v1 = published(world)
    assert v1.status == CatalogueStatus.PUBLISHED
    assert (v1.published_by, v1.published_at) == (world.dispatcher, MONDAY)
    assert catalogue.current() == v1 and catalogue.current_id() == v1.pk
    clock.move_to(local(2026, 9, 15, 9))
    v2 = catalogue.new_draft(actor=world.admin, note="调整主办单位")
    assert catalogue.current() == v1  # a draft is not in force
    catalogue.publish(v2, actor=world.admin)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (CatalogueStatus.RETIRED, CatalogueStatus.PUBLISHED)
    assert v2.published_by == world.admin and v2.published_at == local(2026, 9, 15, 9)
    assert catalogue.current() == v2
    assert DispatchCatalogue.objects.filter(status=CatalogueStatus.PUBLISHED).count() == 1


def test_an_empty_draft_is_not_published(world):
    draft = catalogue.new_draft(actor=world.dispatcher)
    with pytest.raises(ValidationError) as refused:
        catalogue.publish(draft, actor=world.dispatcher)
    assert refused.value.messages == ["草稿 v1 没有任何条目，不能发布。"]
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT


def test_a_draft_naming_a_unit_stopped_since_is_not_published(world):
    first = categories(world, 1)[0]
    unit = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="德化县临时专班办")
    draft = catalogue.new_draft(actor=world.dispatcher)
    catalogue.save_entries(draft, [EntryRow(first, unit)], actor=world.dispatcher)
    unit.is_active = False
    unit.save()
    with pytest.raises(ValidationError) as refused:
        catalogue.publish(draft, actor=world.dispatcher)
    assert "主办单位「德化县临时专班办」不是在用的承办单位" in refused.value.messages[0]
    assert catalogue.current() is None


def test_the_history_says_who_drafted_published_and_retired_each_version(world, clock):
    published(world)
    clock.move_to(local(2026, 9, 16, 9))
    v2 = catalogue.new_draft(actor=world.admin)
    clock.move_to(local(2026, 9, 16, 11))
    catalogue.publish(v2, actor=world.admin)
    rows = [(r.catalogue.version, r.action, r.actor, r.at) for r in catalogue.history()]
    assert rows == [
        (2, "published", world.admin, local(2026, 9, 16, 11)),
        (1, "retired", world.admin, local(2026, 9, 16, 11)),
        (2, "drafted", world.admin, local(2026, 9, 16, 9)),
        (1, "published", world.dispatcher, MONDAY),
        (1, "drafted", world.dispatcher, MONDAY),
    ]


# --- Rows -------------------------------------------------------------------------------------


def test_invalid_rows_are_refused_each_beside_its_category_and_nothing_is_written(world):
    cats = list(world.types["resident_issue"].categories.order_by("code")[:6])
    stopped = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="德化县已撤并局", is_active=False
    )
    closed = cats[5]
    closed.is_active = False
    closed.save()
    draft = catalogue.new_draft(actor=world.dispatcher)
    rows = [
        EntryRow(cats[0], world.enterprise),  # an enterprise handles no case
        EntryRow(cats[1], stopped),
        EntryRow(cats[2], world.dept, [world.dept]),
        EntryRow(cats[3], world.dept, [], "asap"),
        EntryRow(cats[4], None, [world.dept]),
        EntryRow(closed, world.dept),
        EntryRow(cats[0], world.dept),  # twice
    ]
    with pytest.raises(ValidationError) as refused:
        catalogue.save_entries(draft, rows, actor=world.dispatcher)
    errors = refused.value.message_dict
    assert errors[row_key(cats[0].pk)] == [
        f"「{cats[0].name}」的主办单位「德化佳诚陶瓷有限公司」不是在用的承办单位。",
        f"分类「{cats[0].name}」重复。",
    ]
    assert errors[row_key(cats[1].pk)] == [
        f"「{cats[1].name}」的主办单位「德化县已撤并局」不是在用的承办单位。"
    ]
    assert errors[row_key(cats[2].pk)] == [f"「{cats[2].name}」的主办单位不能同时是协办单位。"]
    assert errors[row_key(cats[3].pk)] == [f"「{cats[3].name}」的紧急程度无效。"]
    assert errors[row_key(cats[4].pk)] == [
        f"「{cats[4].name}」未指定主办单位，不能只填写协办单位。"
    ]
    assert errors[row_key(closed.pk)] == [f"分类「{closed.name}」已停用，不能列入派单目录。"]
    assert not DispatchEntry.objects.exists()


def test_a_row_without_a_lead_unit_takes_the_category_out(world):
    first, second = categories(world)
    draft = catalogue.new_draft(actor=world.dispatcher)
    catalogue.save_entries(
        draft,
        [EntryRow(first, world.dept), EntryRow(second, world.other_dept)],
        actor=world.dispatcher,
    )
    catalogue.save_entries(draft, [EntryRow(first, None)], actor=world.dispatcher)
    assert set(lines(draft)) == {second.name}


# --- Who may ----------------------------------------------------------------------------------


def test_only_administrators_and_county_dispatchers_revise(world):
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    assert catalogue.may_edit(world.admin) and catalogue.may_edit(world.dispatcher)
    assert catalogue.may_read(town_dispatcher) and not catalogue.may_edit(town_dispatcher)
    for user in (town_dispatcher, world.handler, world.leader, world.grid_worker):
        with pytest.raises(PermissionDenied):
            catalogue.new_draft(actor=user)
    assert not catalogue.may_read(world.handler) and not catalogue.may_read(world.leader)
    draft = catalogue.new_draft(actor=world.dispatcher)
    first = categories(world, 1)[0]
    with pytest.raises(PermissionDenied):
        catalogue.save_entries(draft, [EntryRow(first, world.dept)], actor=town_dispatcher)
    with pytest.raises(PermissionDenied):
        catalogue.publish(draft, actor=town_dispatcher)
    with pytest.raises(PermissionDenied):
        catalogue.discard(draft, actor=town_dispatcher)
    assert not draft.entries.exists()


# --- Reading and comparing --------------------------------------------------------------------


def test_the_current_line_of_a_category_costs_two_queries(world, django_assert_num_queries):
    first, second = categories(world)
    published(world)
    with django_assert_num_queries(1):
        assert catalogue.current_id() is not None
    with django_assert_num_queries(2):
        entry = catalogue.entry_for(first)
        assert entry is not None
        assert (entry.catalogue.version, entry.lead_unit, entry.priority) == (
            1,
            world.dept,
            Priority.URGENT,
        )
        assert list(entry.co_units.all()) == [world.other_dept]
    with django_assert_num_queries(1):
        assert catalogue.entry_for(second.pk) is None
    with django_assert_num_queries(1):
        assert catalogue.current_leads() == {first.pk: world.dept.pk}


def test_the_diff_names_what_was_added_removed_and_changed(world):
    first, second, third = categories(world, 3)
    v1 = published(
        world,
        [
            EntryRow(first, world.dept, [world.other_dept], Priority.URGENT),
            EntryRow(second, world.other_dept),
        ],
    )
    v2 = catalogue.new_draft(actor=world.dispatcher)
    catalogue.save_entries(
        v2,
        [
            EntryRow(first, world.dept, [], Priority.IMPORTANT),
            EntryRow(second, None),
            EntryRow(third, world.dept),
        ],
        actor=world.dispatcher,
    )
    changes = {c.category: c for c in catalogue.diff(v1, v2)}
    assert changes[first].kind == "changed"
    assert changes[first].fields == ("co_units", "priority")
    assert changes[first].field_labels == ["协办单位", "紧急程度"]
    assert changes[second].kind == "removed" and changes[second].after is None
    assert changes[third].kind == "added" and changes[third].before is None
    assert [c.kind for c in catalogue.diff(None, v1)] == ["added", "added"]
    assert catalogue.diff(v1, v1) == []
    assert catalogue.previous(v2) == v1 and catalogue.previous(v1) is None


# --- Recorded on each assignment --------------------------------------------------------------


def test_each_assignment_records_the_version_in_force(world):
    before = world.assigned()
    assert set(CaseAssignment.objects.filter(case=before).values_list("catalogue", flat=True)) == {
        None
    }
    v1 = published(world)
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    recorded = CaseAssignment.objects.filter(case=case).values_list("catalogue", flat=True)
    assert list(recorded) == [v1.pk, v1.pk]
