"""派单目录 pages: who reads and who revises, the version in force with its tiers' clocks, the
versions and their differences, the draft's editor with its errors beside the rows, publishing
behind a confirmation page, and the version each assignment recorded on the case page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse

from cases import catalogue, services
from cases.catalogue import EntryRow
from cases.models import CatalogueStatus, Category, DispatchCatalogue, Priority, TimeLimit
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role

NOW = local(2026, 11, 24, 10)
INDEX = reverse("catalogue:index")
NEW = reverse("catalogue:new")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def town_dispatcher(world):
    return make_user("town_dispatcher", Role.DISPATCHER, region=world.town)


def resident_categories(world) -> list[Category]:
    return list(world.types["resident_issue"].categories.order_by("code"))


@pytest.fixture
def v1(world) -> DispatchCatalogue:
    first, second = resident_categories(world)[:2]
    draft = catalogue.new_draft(actor=world.dispatcher, note="首版")
    catalogue.save_entries(
        draft,
        [
            EntryRow(first, world.dept, [world.other_dept], Priority.URGENT),
            EntryRow(second, world.other_dept, [], Priority.NORMAL),
        ],
        actor=world.dispatcher,
    )
    return catalogue.publish(draft, actor=world.dispatcher)


def url(name: str, version: int) -> str:
    return reverse(f"catalogue:{name}", args=[version])


def editor_data(response, changes: dict | None = None) -> dict:
    """The editor's form as drawn, with ``changes`` ({(row, field): value}) applied."""
    formset = response.context["formset"]
    data = {
        key: formset.management_form[key].value()
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }
    data = {f"form-{key}": value for key, value in data.items()}
    for index, form in enumerate(formset.forms):
        for name in ("category", "lead_unit", "co_units", "priority"):
            value = (changes or {}).get((index, name), form[name].value())
            data[f"form-{index}-{name}"] = "" if value is None else value
    return data


def row_of(response, category: Category) -> int:
    formset = response.context["formset"]
    return next(i for i, f in enumerate(formset.forms) if f.category_obj == category)


# --- Who may ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_a_unit_handler_and_others_without_the_dispatcher_role_get_403(world, client, v1):
    for user in (world.handler, world.grid_worker, world.leader, world.operator):
        client.force_login(user)
        assert client.get(INDEX).status_code == 403
        assert client.get(url("version", 1)).status_code == 403
        assert client.post(NEW, {"note": "x"}).status_code == 403
    assert DispatchCatalogue.objects.count() == 1


def test_a_town_dispatcher_reads_but_does_not_revise(world, client, v1, town_dispatcher):
    draft = catalogue.new_draft(actor=world.dispatcher)
    client.force_login(town_dispatcher)
    page = client.get(INDEX)
    body = page.content.decode()
    assert page.status_code == 200 and "现行版本 v1" in body
    assert "新建修订草稿" not in body and 'id="version-2"' not in body  # no draft shown
    assert client.get(url("version", 1)).status_code == 200
    assert client.get(url("version", draft.version)).status_code == 404
    assert client.post(NEW, {"note": "x"}).status_code == 403
    for name in ("edit", "publish", "discard"):
        assert client.get(url(name, draft.version)).status_code == 403
        assert client.post(url(name, draft.version)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT


def test_the_menu_offers_it_to_dispatchers(world, client, town_dispatcher):
    client.force_login(town_dispatcher)
    assert INDEX in client.get(reverse("web:home")).content.decode()
    client.force_login(world.handler)
    assert INDEX not in client.get(reverse("web:home")).content.decode()


# --- Reading ----------------------------------------------------------------------------------


def test_the_page_shows_the_version_in_force_with_its_tiers_clocks(world, client, v1):
    first, second = resident_categories(world)[:2]
    client.force_login(world.dispatcher)
    body = client.get(INDEX).content.decode()
    assert "现行版本 v1" in body and "首版" in body
    row = body.split(f'id="line-{first.pk}"')[1].split("</tr>")[0]
    assert world.dept.name in row and "市场监管局" in row and "紧急" in row
    # The clocks of 紧急 for 民情诉求, as the office set them (TimeLimit).
    urgent = TimeLimit.objects.get(case_type=first.case_type, priority=Priority.URGENT)
    assert urgent.unit == "hours"
    cells = [
        f'签收时限">{urgent.response_hours}个工作小时<',
        f'首次联系时限">{urgent.contact_hours}个工作小时<',
        f'办结时限">{urgent.amount}个工作小时<',
    ]
    assert all(cell in row for cell in cells), row
    row = body.split(f'id="line-{second.pk}"')[1].split("</tr>")[0]
    assert "一般" in row and '办结时限">5个工作日<' in row
    # The versions with who published them, and the history.
    assert 'id="version-1"' in body and "dispatcher" in body
    assert "创建修订草稿" in body and "发布" in body


def test_before_any_version_the_page_says_so(world, client):
    client.force_login(world.dispatcher)
    body = client.get(INDEX).content.decode()
    assert "尚未发布派单目录" in body and "新建修订草稿" in body


def test_a_version_page_shows_its_difference_from_the_one_before(world, client, v1):
    first, second, third = resident_categories(world)[:3]
    v2 = catalogue.new_draft(actor=world.dispatcher, note="调整")
    catalogue.save_entries(
        v2,
        [
            EntryRow(first, world.other_dept, [], Priority.URGENT),
            EntryRow(second, None),
            EntryRow(third, world.dept),
        ],
        actor=world.dispatcher,
    )
    catalogue.publish(v2, actor=world.admin)
    client.force_login(world.dispatcher)
    body = client.get(url("version", 2)).content.decode()
    assert "与 v1 相比的变动" in body
    changed = body.split(f'id="change-{first.pk}"')[1].split("</tr>")[0]
    assert "修改" in changed and "主办单位、协办单位" in changed
    assert "删除" in body.split(f'id="change-{second.pk}"')[1].split("</tr>")[0]
    assert "新增" in body.split(f'id="change-{third.pk}"')[1].split("</tr>")[0]
    first_version = client.get(url("version", 1)).content.decode()
    assert "首个版本：全部为新增" in first_version
    assert client.get(url("version", 9)).status_code == 404


# --- Revising ---------------------------------------------------------------------------------


def test_a_county_dispatcher_drafts_edits_and_publishes(world, client, v1):
    first, second, third = resident_categories(world)[:3]
    client.force_login(world.dispatcher)
    response = client.post(NEW, {"note": "燃气类改由住建局主办"})
    assert response.status_code == 302 and response["Location"] == url("edit", 2)
    draft = DispatchCatalogue.objects.get(version=2)
    assert draft.status == CatalogueStatus.DRAFT and draft.created_by == world.dispatcher

    editor = client.get(url("edit", 2))
    assert editor.status_code == 200
    rows = {f.category_obj: f for f in editor.context["formset"].forms}
    assert rows[first]["lead_unit"].value() == world.dept.pk  # copied from v1
    assert rows[first]["co_units"].value() == [world.other_dept.pk]
    data = editor_data(
        editor,
        {
            (row_of(editor, first), "lead_unit"): world.other_dept.pk,
            (row_of(editor, first), "co_units"): [world.dept.pk],
            (row_of(editor, third), "lead_unit"): world.dept.pk,
            (row_of(editor, third), "priority"): Priority.IMPORTANT,
        },
    )
    saved = client.post(url("edit", 2), data)
    assert saved.status_code == 302 and saved["Location"] == url("version", 2)
    entry = draft.entries.get(category=first)
    assert entry.lead_unit == world.other_dept and list(entry.co_units.all()) == [world.dept]
    assert draft.entries.get(category=third).priority == Priority.IMPORTANT
    assert draft.entries.get(category=second).lead_unit == world.other_dept  # unchanged

    confirm = client.get(url("publish", 2))
    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "现行的 v1 同时停用" in body and "与现行 v1 相比的变动" in body
    assert f'id="change-{first.pk}"' in body and f'id="change-{third.pk}"' in body
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT  # GET changes nothing
    published = client.post(url("publish", 2))
    assert published.status_code == 302 and published["Location"] == INDEX
    draft.refresh_from_db()
    v1.refresh_from_db()
    assert (draft.status, v1.status) == (CatalogueStatus.PUBLISHED, CatalogueStatus.RETIRED)
    assert draft.published_by == world.dispatcher
    page = client.get(INDEX).content.decode()
    assert "派单目录 v2 已发布施行" in page and "现行版本 v2" in page


def test_the_editor_shows_errors_beside_their_rows_and_saves_nothing(world, client, v1):
    first, second = resident_categories(world)[:2]
    client.force_login(world.admin)
    client.post(NEW, {"note": ""})
    editor = client.get(url("edit", 2))
    data = editor_data(
        editor,
        {
            (row_of(editor, first), "co_units"): [world.dept.pk],  # the lead too
            (row_of(editor, second), "priority"): "asap",
        },
    )
    response = client.post(url("edit", 2), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "草稿未保存" in body
    row = body.split(f'id="row-{first.pk}"')[1].split("</tr>")[0]
    assert "主办单位不能同时是协办单位。" in row
    assert "紧急程度无效。" in body.split(f'id="row-{second.pk}"')[1].split("</tr>")[0]
    assert list(
        DispatchCatalogue.objects.get(version=2).entries.get(category=first).co_units.all()
    ) == [world.other_dept]


def test_the_services_refusals_are_shown_beside_their_rows(world, client, v1):
    """A unit stopped between drawing and saving: the form offered it, the service refuses."""
    first = resident_categories(world)[0]
    client.force_login(world.admin)
    client.post(NEW, {})
    editor = client.get(url("edit", 2))
    data = editor_data(editor)
    world.other_dept.is_active = False
    world.other_dept.save()
    try:
        response = client.post(url("edit", 2), data)
    finally:
        world.other_dept.is_active = True
        world.other_dept.save()
    assert response.status_code == 400
    row = response.content.decode().split(f'id="row-errors-{first.pk}"')[1].split("</tr>")[0]
    assert "协办单位「德化县市场监督管理局」不是在用的承办单位" in row


def test_a_second_draft_is_refused_with_a_message(world, client, v1):
    client.force_login(world.dispatcher)
    client.post(NEW, {"note": "甲"})
    response = client.post(NEW, {"note": "乙"}, follow=True)
    assert "已有修订草稿 v2" in response.content.decode()
    assert DispatchCatalogue.objects.count() == 2


def test_a_published_version_is_not_edited(world, client, v1):
    client.force_login(world.dispatcher)
    response = client.get(url("edit", 1), follow=True)
    assert "派单目录 v1 已现行，只读，不能修改。" in response.content.decode()
    assert client.post(url("publish", 1)).status_code == 302
    v1.refresh_from_db()
    assert v1.status == CatalogueStatus.PUBLISHED and v1.published_by == world.dispatcher


def test_an_empty_draft_is_not_published_and_says_why(world, client):
    client.force_login(world.dispatcher)
    client.post(NEW, {})  # no category has a suggested unit in the test world: empty
    response = client.post(url("publish", 1))
    assert response.status_code == 400
    assert "草稿 v1 没有任何条目，不能发布。" in response.content.decode()
    assert catalogue.current() is None


def test_a_draft_is_discarded_after_confirming(world, client, v1):
    client.force_login(world.dispatcher)
    client.post(NEW, {})
    assert "不能恢复" in client.get(url("discard", 2)).content.decode()
    assert DispatchCatalogue.objects.filter(version=2).exists()
    response = client.post(url("discard", 2))
    assert response.status_code == 302
    assert not DispatchCatalogue.objects.filter(version=2).exists()


# --- The case page ----------------------------------------------------------------------------


def test_the_case_page_names_the_version_each_assignment_followed(world, client, v1):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    client.force_login(world.dispatcher)
    body = client.get(reverse("caseviews:case-detail", args=[case.pk])).content.decode()
    assert body.count("派单目录 v1") == 2
    assert url("version", 1) in body
    # A unit's handler sees which version named it, without a link to a page it may not open.
    client.force_login(world.handler)
    body = client.get(reverse("caseviews:case-detail", args=[case.pk])).content.decode()
    assert "派单目录 v1" in body and url("version", 1) not in body


# --- Bad input and query counts ---------------------------------------------------------------


def test_bad_input_is_a_clear_answer_never_a_500(world, client, v1):
    client.force_login(world.dispatcher)
    client.post(NEW, {})
    assert client.get("/dispatch/catalogue/v99999999999999999999/").status_code == 404
    assert client.get(url("version", 0)).status_code == 404
    # No management form, a forged row count, a category and units that do not exist.
    assert client.post(url("edit", 2), {}).status_code == 400
    forged = {
        "form-TOTAL_FORMS": "5000",
        "form-INITIAL_FORMS": "0",
        "form-0-category": "999999",
        "form-0-lead_unit": "999999",
        "form-0-priority": Priority.NORMAL,
    }
    assert client.post(url("edit", 2), forged).status_code == 400
    forged["form-TOTAL_FORMS"] = "1"
    response = client.post(url("edit", 2), forged)
    assert response.status_code == 400
    body = response.content.decode()
    assert "分类不存在。" in body and "所选单位不存在或不能承办事项。" in body
    response = client.post(NEW, {"note": "说" * 201}, follow=True)
    assert "修订说明不能超过 200 个字。" in response.content.decode()
    assert DispatchCatalogue.objects.count() == 2


def test_the_pages_cost_the_same_queries_whatever_the_number_of_lines(
    world, client, v1, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    client.get(INDEX)
    with django_assert_num_queries(9) as few:
        client.get(INDEX)
    draft = catalogue.new_draft(actor=world.dispatcher)
    catalogue.save_entries(
        draft,
        [EntryRow(c, world.dept, [world.other_dept]) for c in resident_categories(world)],
        actor=world.dispatcher,
    )
    catalogue.publish(draft, actor=world.dispatcher)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(INDEX)
    # A version's page reads its lines and those of the version before (the difference).
    catalogue.publish(catalogue.new_draft(actor=world.dispatcher), actor=world.dispatcher)
    with django_assert_num_queries(12) as two_before:  # v2 against v1's two lines
        client.get(url("version", 2))
    with django_assert_num_queries(len(two_before.captured_queries)):  # v3 against v2's 11
        client.get(url("version", 3))
