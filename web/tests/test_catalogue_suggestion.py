"""The dispatch catalogue's line wins over the category's suggested unit where a unit is
suggested: the triage page (lead unit, co-units, tier and "依据派单目录 vN"), the case page's
assignment form and the desk."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.urls import reverse

from cases import catalogue, moves, services
from cases.catalogue import EntryRow
from cases.forms import AssignForm
from cases.models import Case, CaseAssignment, Channel, EventKind, Priority, Status
from cases.tests.helpers import local


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def category(world):
    """A category whose suggested unit is the other department, while the catalogue says the
    department leads it with the other department as co-unit, urgently."""
    category = world.category()
    category.suggested_unit = world.other_dept
    category.save()
    draft = catalogue.new_draft(actor=world.dispatcher)
    catalogue.save_entries(
        draft,
        [EntryRow(category, world.dept, [world.other_dept], Priority.URGENT)],
        actor=world.dispatcher,
    )
    catalogue.publish(draft, actor=world.dispatcher)
    # v2: the same line, so the note names the version in force, not the first.
    catalogue.publish(catalogue.new_draft(actor=world.dispatcher), actor=world.dispatcher)
    return category


def triage_url(case: Case) -> str:
    return reverse("dispatch:triage", args=[case.pk])


def test_the_triage_page_preselects_the_catalogues_line(world, client, category):
    case = world.report(category=category)
    client.force_login(world.dispatcher)
    response = client.get(triage_url(case))
    body = response.content.decode()
    form = response.context["form"]
    assert form["lead_unit"].value() == world.dept.pk
    assert form["co_units"].value() == [world.other_dept.pk]
    assert form["priority"].value() == Priority.URGENT
    assert "依据派单目录 v2：主办 人社局；协办 市场监管局；紧急" in body
    # The option carries the line, so the page follows a change of category.
    assert f'data-unit="{world.dept.pk}"' in body
    assert f'data-co-units="{world.other_dept.pk}"' in body
    assert 'data-priority="urgent"' in body
    # The deadline preview is that of the tier: 紧急, 4 working hours.
    assert "（4个工作小时）" in body


def test_a_category_outside_the_catalogue_keeps_its_suggested_unit(world, client, category):
    other = world.types["resident_issue"].categories.order_by("code")[1]
    other.suggested_unit = world.other_dept
    other.save()
    case = world.report(category=other)
    client.force_login(world.dispatcher)
    response = client.get(triage_url(case))
    form = response.context["form"]
    assert form["lead_unit"].value() == world.other_dept.pk
    assert form["priority"].value() == Priority.NORMAL
    assert 'id="catalogue-note" data-testid="catalogue-note" hidden' in response.content.decode()


def test_a_sent_back_case_keeps_the_grade_it_was_given(world, client, category):
    case = world.report(category=category)
    case = services.triage_case(case, actor=world.dispatcher, priority=Priority.IMPORTANT)
    client.force_login(world.dispatcher)
    form = client.get(triage_url(case)).context["form"]
    assert form["priority"].value() == Priority.IMPORTANT
    assert form["lead_unit"].value() == world.dept.pk


def test_the_dispatcher_may_still_choose_otherwise_and_the_version_is_recorded(
    world, client, category
):
    case = world.report(category=category)
    client.force_login(world.dispatcher)
    response = client.post(
        triage_url(case),
        {
            "version": case.version,
            "category": category.pk,
            "priority": Priority.NORMAL,
            "lead_unit": world.other_dept.pk,
            "co_units": [],
            "deadline": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lead_unit == world.other_dept
    assert case.priority == Priority.NORMAL
    [assignment] = CaseAssignment.objects.filter(case=case)
    assert assignment.catalogue == catalogue.current()


def test_the_screen_still_has_a_constant_number_of_queries(
    world, client, category, django_assert_max_num_queries
):
    """The screen's pin without a catalogue (test_dispatch_triage: 14) has room for the lines'
    query; their co-units cost one more, whatever the number of categories."""
    case = world.report(category=category)
    client.force_login(world.dispatcher)
    client.get(triage_url(case))
    with django_assert_max_num_queries(15):
        assert client.get(triage_url(case)).status_code == 200


def test_the_case_pages_assign_form_takes_the_catalogues_line(world, category):
    case = services.triage_case(world.report(category=category), actor=world.dispatcher)
    form = moves.CATALOGUE[EventKind.ASSIGNED].bind(case=case, user=world.dispatcher)
    assert isinstance(form, AssignForm)
    assert form.initial["lead_unit"] == world.dept.pk
    assert form.initial["co_units"] == [world.other_dept.pk]
    # A bound form (a POST, the API) looks nothing up.
    bound = moves.CATALOGUE[EventKind.ASSIGNED].bind(
        {"version": case.version, "lead_unit": world.dept.pk}, case=case, user=world.dispatcher
    )
    assert bound.catalogue_entry is None


def test_the_desk_assigns_to_the_catalogues_lead_unit(world, client, category):
    client.force_login(world.operator)
    page = client.get(reverse("desk:desk")).content.decode()
    assert f'"{category.pk}": "{world.dept.pk}"' in page  # the script's map
    data = {
        "form_token": str(uuid.uuid4()),
        "requester_phone": "13700001111",
        "requester_name": "陈先生",
        "channel": Channel.HOTLINE,
        "case_type": world.types["resident_issue"].pk,
        "place": "德化县 › 浔中镇 › 浔中村",
        "region": world.village.pk,
        "address": "",
        "category": category.pk,
        "title": "",
        "description": "村委会旁路灯坏了三天。晚上很黑。",
        "priority": "",
        "answer": "",
        "lead_unit": "",
        "deadline": "",
        "note": "",
        "outcome": "assign",
    }
    assert client.post(reverse("desk:desk"), data).status_code == 302
    case = Case.objects.get(requester_phone="13700001111")
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept
