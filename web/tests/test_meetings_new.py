"""Meeting entry: one meeting and many demands in one form, all or nothing, never twice."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseEvent, Channel, Meeting
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind

URL = reverse("meetings:meeting-new")


def meeting_data(world, rows, **overrides):
    """The POST of the meeting form with ``rows`` (dicts of row fields) as its demands."""
    data = {
        "kind": Meeting.Kind.JOINT,
        "title": "陶瓷产业链第三季度联席会议",
        "held_at": "2026-09-14T09:30",
        "place": "产业链党群服务中心",
        "region": world.county.pk,
        "host": world.chain_committee.pk,
        "enterprise": "",
        "attendees": "链上企业负责人、人社局",
        "notes": "政企面对面。",
        "form_token": str(uuid.uuid4()),
        "demands-TOTAL_FORMS": str(len(rows)),
        "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0",
        "demands-MAX_NUM_FORMS": "50",
    }
    data.update(overrides)
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"demands-{i}-{name}"] = value
    return data


def row(world, type_code="enterprise_demand", **overrides):
    fields = {
        "case_type": world.types[type_code].pk,
        "category": world.category(type_code).pk,
        "description": "企业反映一线技术工人招工难，希望人社部门组织专场招聘会。",
        "requester_name": "李四",
        "requester_phone": "13812345678",
        "enterprise": "",
        "region": "",
        "form_token": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return fields


def blank_row():
    return {"form_token": str(uuid.uuid4())}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "leader"])
def test_people_who_do_not_collect_demands_are_refused(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, meeting_data(world, [row(world)])).status_code == 403
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["dispatcher", "grid_worker", "admin"])
def test_dispatchers_and_grid_staff_get_the_form(world, client, who):
    client.force_login(getattr(world, who))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "录入会议走访" in body and "屋场夜谈会" in body and 'id="demand-template"' in body
    assert body.count("data-demand>") == 3  # two rows and the template for more


def test_a_meeting_with_three_demands_makes_three_cases_of_that_meeting(world, client):
    client.force_login(world.dispatcher)
    rows = [
        row(world),
        row(world, "resident_issue", description="园区道路破损，货车通行困难。"),
        row(world, "dispute", description="两家企业因货款结算发生纠纷。", region=world.grid.pk),
    ]
    response = client.post(URL, meeting_data(world, rows))
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:meeting-detail", args=[meeting.pk])
    assert (meeting.kind, meeting.title, meeting.region, meeting.host, meeting.created_by) == (
        Meeting.Kind.JOINT,
        "陶瓷产业链第三季度联席会议",
        world.county,
        world.chain_committee,
        world.dispatcher,
    )
    cases = list(Case.objects.order_by("pk"))
    assert [c.meeting for c in cases] == [meeting] * 3
    assert {c.channel for c in cases} == {Channel.MEETING}
    assert [c.region for c in cases] == [world.county, world.county, world.grid]
    assert [c.case_type.code for c in cases] == ["enterprise_demand", "resident_issue", "dispute"]
    # The chain committee hosts the meeting, so its dispatchers triage what was raised there.
    assert {c.committee for c in cases} == {world.chain_committee}
    assert cases[1].title == "园区道路破损，货车通行困难"  # its first sentence
    assert (
        list(CaseEvent.objects.values_list("kind", "actor"))
        == [("reported", world.dispatcher.pk)] * 3
    )


@pytest.mark.parametrize(
    ("kind", "channel"),
    [
        (Meeting.Kind.EVENING, Channel.EVENING_MEETING),
        (Meeting.Kind.VISIT, Channel.VISIT),
        (Meeting.Kind.COMMITTEE, Channel.MEETING),
        (Meeting.Kind.ON_SITE, Channel.MEETING),
    ],
)
def test_the_channel_follows_the_kind_of_meeting(world, client, kind, channel):
    client.force_login(world.dispatcher)
    client.post(URL, meeting_data(world, [row(world)], kind=kind))
    assert Case.objects.get().channel == channel


def test_an_enterprise_demand_at_a_visit_is_the_visited_enterprises(world, client):
    client.force_login(world.dispatcher)
    data = meeting_data(
        world,
        [row(world), row(world, "resident_issue")],
        kind=Meeting.Kind.VISIT,
        enterprise=world.enterprise.pk,
    )
    client.post(URL, data)
    assert Meeting.objects.get().enterprise == world.enterprise
    demand, issue = Case.objects.order_by("pk")
    assert (demand.enterprise, issue.enterprise) == (world.enterprise, None)


def test_a_host_that_does_not_dispatch_leaves_the_committee_empty(world, client):
    village_committee = Organisation.objects.create(
        kind=OrgKind.VILLAGE_COMMITTEE, name="浔中村两委", region=world.village
    )
    client.force_login(world.dispatcher)
    client.post(URL, meeting_data(world, [row(world)], host=village_committee.pk))
    assert Case.objects.get().committee is None


def test_blank_rows_are_left_out(world, client):
    client.force_login(world.dispatcher)
    client.post(URL, meeting_data(world, [blank_row(), row(world), blank_row()]))
    assert Case.objects.count() == 1


def test_a_meeting_may_raise_no_demand(world, client):
    client.force_login(world.dispatcher)
    response = client.post(URL, meeting_data(world, [blank_row()], kind=Meeting.Kind.VISIT))
    assert response.status_code == 302
    assert Meeting.objects.count() == 1 and not Case.objects.exists()


def test_one_bad_row_saves_nothing_and_shows_its_errors_beside_its_fields(world, client):
    client.force_login(world.dispatcher)
    bad = row(world, description="", category=world.category("dispute").pk)
    response = client.post(URL, meeting_data(world, [row(world), bad, row(world)]))
    assert response.status_code == 200
    assert not Meeting.objects.exists() and not Case.objects.exists()
    forms = response.context["formset"].forms
    assert [set(f.errors) for f in forms] == [set(), {"description", "category"}, set()]
    body = response.content.decode()
    second_row = body.split("data-demand>")[2].split("data-demand>")[0]
    assert "该分类不属于所选的事项类型。" in second_row and "该字段是必填项。" in second_row
    # What was typed stays in the form.
    assert "企业反映一线技术工人招工难" in body and "陶瓷产业链第三季度联席会议" in body


def test_a_row_the_engine_refuses_rolls_back_the_meeting_and_the_other_rows(
    world, client, monkeypatch
):
    from cases import services

    real = services.report_case

    def refuse_the_second(**kwargs):
        if kwargs["description"].startswith("第二条"):
            raise services.ValidationError("分类不属于该事项类型。")
        return real(**kwargs)

    monkeypatch.setattr(services, "report_case", refuse_the_second)
    client.force_login(world.dispatcher)
    rows = [row(world), row(world, description="第二条诉求"), row(world)]
    response = client.post(URL, meeting_data(world, rows))
    assert response.status_code == 200
    assert not Meeting.objects.exists() and not Case.objects.exists()
    forms = response.context["formset"].forms
    assert forms[1].non_field_errors() == ["分类不属于该事项类型。"]
    assert not forms[0].errors and not forms[2].errors


def test_a_resubmitted_form_makes_nothing_twice(world, client):
    client.force_login(world.dispatcher)
    data = meeting_data(world, [row(world), row(world)])
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first["Location"] == second["Location"]
    assert Meeting.objects.count() == 1 and Case.objects.count() == 2


def test_a_resubmission_from_another_session_still_makes_no_case_twice(world, client):
    data = meeting_data(world, [row(world), row(world)])
    client.force_login(world.dispatcher)
    first = client.post(URL, data)
    client.logout()
    client.force_login(world.dispatcher)  # a new session: only the rows' tokens remain
    second = client.post(URL, data)
    assert first["Location"] == second["Location"]
    assert Meeting.objects.count() == 1 and Case.objects.count() == 2


def test_a_resubmission_with_an_added_row_adds_only_that_row_to_the_same_meeting(world, client):
    client.force_login(world.dispatcher)
    rows = [row(world), row(world)]
    client.post(URL, meeting_data(world, rows))
    data = meeting_data(world, [*rows, row(world, description="补充一条诉求")])
    client.post(URL, data)
    assert Meeting.objects.count() == 1 and Case.objects.count() == 3
    assert set(Case.objects.values_list("meeting", flat=True)) == {Meeting.objects.get().pk}


def test_a_grid_worker_cannot_pick_a_place_outside_their_grid(world, client):
    client.force_login(world.grid_worker)
    choices = client.get(URL).context["form"].fields["region"].choices
    assert [label for _, label in choices][1:] == ["第一网格"]
    data = meeting_data(
        world,
        [row(world, region=world.other_grid.pk)],
        kind=Meeting.Kind.EVENING,
        region=world.grid.pk,
        host="",
    )
    response = client.post(URL, data)
    assert response.context["formset"].forms[0].errors["region"] == [
        "只能选择本人负责范围内的地点。"
    ]
    response = client.post(URL, {**data, "region": world.town.pk, "demands-0-region": ""})
    assert response.context["form"].errors["region"] == ["只能选择本人负责范围内的区域。"]
    assert not Meeting.objects.exists() and not Case.objects.exists()


def test_a_grid_worker_records_an_evening_meeting_in_their_grid(world, client):
    client.force_login(world.grid_worker)
    data = meeting_data(
        world,
        [row(world, "resident_issue"), row(world, "dispute")],
        kind=Meeting.Kind.EVENING,
        region=world.grid.pk,
        host="",
    )
    client.post(URL, data)
    cases = Case.objects.all()
    assert {(c.region, c.channel, c.reported_by) for c in cases} == {
        (world.grid, Channel.EVENING_MEETING, world.grid_worker)
    }


def test_a_meeting_in_the_future_is_refused(world, client):
    client.force_login(world.dispatcher)
    response = client.post(URL, meeting_data(world, [row(world)], held_at="2099-01-01T09:00"))
    assert "held_at" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_each_row_costs_the_same_queries(world, client):
    """The per-row cost is the engine's report_case; choices are loaded once per request."""
    client.force_login(world.dispatcher)

    def cost(rows: int) -> int:
        data = meeting_data(world, [row(world) for _ in range(rows)])
        with CaptureQueriesContext(connection) as ctx:
            assert client.post(URL, data).status_code == 302
        return len(ctx.captured_queries)

    one, two, five = cost(1), cost(2), cost(5)
    per_row = two - one
    assert five - one == 4 * per_row and per_row <= 8


def test_the_form_costs_the_same_queries_however_many_enterprises(world, client):
    client.force_login(world.dispatcher)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    Organisation.objects.bulk_create(
        Organisation(
            kind=OrgKind.ENTERPRISE,
            name=f"企业{i}",
            credit_code=make_credit_code("9", "1", "350526", f"MA2Y1{i:04d}"),
        )
        for i in range(30)
    )
    assert count() == few <= 10
