"""GET requests.json|xml: fields, state mapping, every filter, the 90-day window, paging, scope."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, Channel, Status
from open311.mapping import w3c
from open311.tests.helpers import REQUEST_FIELDS, W3C_UTC, body, children, get, make_key, xml_dict

NOW = datetime(2026, 11, 24, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def county_key(world) -> str:
    """A key acting as the county dispatcher: it sees every case in the county."""
    return make_key("county-screen", user=world.dispatcher)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_request_has_every_field_of_the_specification_in_json(world, client, frozen):
    case = world.report(
        channel=Channel.API, address="浔中村主路", latitude="25.492345", longitude="118.241234"
    )
    [data] = body(get(client, "requests"))
    assert list(data) == REQUEST_FIELDS
    assert data == {
        "service_request_id": case.number,
        "status": "open",
        "status_notes": "收集",
        "service_name": "民情诉求",
        "service_code": "resident_issue",
        "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便。",
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2026-11-24T03:04:05Z",
        "updated_datetime": "2026-11-24T03:04:05Z",
        "expected_datetime": None,
        "address": "浔中村主路",
        "address_id": "350526100001G1",
        "zipcode": None,
        "lat": 25.492345,
        "long": 118.241234,
        "media_url": None,
    }
    assert isinstance(data["service_request_id"], str)


def test_a_request_has_every_field_of_the_specification_in_xml(world, client, frozen):
    case = world.report(channel=Channel.API, latitude="25.492345", longitude="118.241234")
    root = body(get(client, "requests", "xml"))
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert children(request) == REQUEST_FIELDS
    fields = xml_dict(request)
    assert fields["service_request_id"] == case.number
    assert fields["lat"] == "25.492345" and fields["long"] == "118.241234"
    assert fields["address"] == "第一网格"  # no street address: the region's name
    for empty in (
        "agency_responsible",
        "service_notice",
        "expected_datetime",
        "zipcode",
        "media_url",
    ):
        assert fields[empty] is None  # an empty element
    assert re.match(W3C_UTC, fields["requested_datetime"])


def test_an_answered_case_shows_its_unit_answer_and_deadline(world, client, county_key):
    case = world.answered()
    [data] = body(get(client, "requests", api_key=county_key))
    assert data["status"] == "open"
    assert data["status_notes"] == "反馈：已维修路灯，恢复照明。"
    assert data["agency_responsible"] == "德化县人力资源和社会保障局"
    assert data["expected_datetime"] == w3c(case.deadline)
    deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
    assert data["service_notice"] == f"办理期限：{deadline}"
    Case.objects.filter(pk=case.pk).update(is_overdue=True)
    [data] = body(get(client, "requests", api_key=county_key))
    assert data["service_notice"] == f"办理期限：{deadline}（已超期）"


@pytest.mark.parametrize(
    ("status", "open311", "notes"),
    [
        (Status.REPORTED, "open", "收集"),
        (Status.TRIAGED, "open", "汇总研判"),
        (Status.ASSIGNED, "open", "交办"),
        (Status.IN_PROGRESS, "open", "办理"),
        (Status.ANSWERED, "open", "反馈：已维修路灯，恢复照明。"),
        (Status.VERIFIED, "open", "回访：已维修路灯，恢复照明。"),
        (Status.CLOSED, "closed", "销号：已维修路灯，恢复照明。"),
        (Status.REJECTED, "closed", "不予受理：不属于受理范围。"),
        (Status.MERGED, "closed", "已合并：与 {master} 合并办理"),
    ],
)
def test_states_map_honestly_to_open_and_closed(world, client, county_key, status, open311, notes):
    case = world.in_status(status)
    [data] = body(get(client, f"requests/{case.number}", api_key=county_key))
    assert data["status"] == open311
    master = case.merged_into.number if case.merged_into_id else None
    assert data["status_notes"] == notes.format(master=master)
    if status in (Status.CLOSED, Status.REJECTED, Status.MERGED):
        assert data["service_notice"] is None


def test_a_dispute_speaks_its_own_words(world, client, county_key):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    [data] = body(get(client, f"requests/{case.number}", api_key=county_key))
    assert data["status_notes"] == "调解"
    assert data["service_code"] == "dispute-01"
    assert data["service_name"] == "邻里纠纷"


def test_no_personal_field_is_ever_shown(world, client, county_key, hotline):
    world.report(channel=Channel.API, requester_name="张三丰", requester_phone="13912345678")
    for fmt in ("json", "xml"):
        for key in (None, county_key):
            params = {"api_key": key} if key else {}
            response = get(client, "requests", fmt, **params)
            text = response.content.decode()
            assert "张三丰" not in text and "13912345678" not in text
            assert "requester" not in text and "phone" not in text


def test_without_a_key_only_public_channel_cases_are_listed(world, client):
    web = world.report(channel=Channel.WEB)
    api = world.report(channel=Channel.API)
    world.report(channel=Channel.GRID)
    world.report(channel=Channel.HOTLINE, actor=world.dispatcher)
    numbers = {r["service_request_id"] for r in body(get(client, "requests"))}
    assert numbers == {web.number, api.number}


def test_with_a_key_the_cases_its_account_sees_are_listed(world, client, hotline):
    grid_case = world.report(channel=Channel.GRID)
    other_town = world.report(channel=Channel.GRID, region=world.other_grid)
    grid_key = make_key("grid-screen", user=world.grid_worker)
    numbers = {r["service_request_id"] for r in body(get(client, "requests", api_key=grid_key))}
    assert numbers == {grid_case.number}
    # A key whose account has no role sees what it reported itself, nothing else.
    assert body(get(client, "requests", api_key=hotline)) == []
    assert get(client, f"requests/{other_town.number}", api_key=grid_key).status_code == 404


def test_service_request_id_takes_a_comma_list_and_overrides_the_other_filters(
    world, client, county_key
):
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        old = world.report()
    with time_machine.travel(NOW, tick=False):
        a, b, _c = world.report(), world.report(), world.report()
        data = body(
            get(
                client,
                "requests",
                api_key=county_key,
                service_request_id=f"{a.number}, {old.number},{b.number}",
                status="closed",
                service_code="dispute",
            )
        )
    assert {r["service_request_id"] for r in data} == {a.number, b.number, old.number}


def test_service_code_takes_a_comma_list(world, client, county_key):
    resident = world.report()  # unclassified
    dispute = world.in_status(Status.TRIAGED, "dispute")
    services.triage_case(dispute, actor=world.dispatcher, category=world.category("dispute"))
    hazard = world.report("hazard")

    def listed(codes: str) -> set[str]:
        return {
            r["service_request_id"]
            for r in body(get(client, "requests", api_key=county_key, service_code=codes))
        }

    assert listed("resident_issue") == {resident.number}
    assert listed("dispute-01,hazard") == {dispute.number, hazard.number}
    assert listed("dispute") == set()  # it was classified at triage
    assert listed("nothing-1") == set()


def test_status_filters_open_and_closed(world, client, county_key):
    open_case = world.in_status(Status.ANSWERED)
    closed = world.in_status(Status.CLOSED)
    rejected = world.in_status(Status.REJECTED)

    def listed(status: str) -> set[str]:
        return {
            r["service_request_id"]
            for r in body(get(client, "requests", api_key=county_key, status=status))
        }

    assert listed("open") == {open_case.number}
    assert listed("closed") == {closed.number, rejected.number}
    assert listed("open,CLOSED") == {open_case.number, closed.number, rejected.number}


def test_start_and_end_dates_bound_the_requested_time(world, client, county_key):
    cases = {}
    for day in (1, 10, 20):
        with time_machine.travel(datetime(2026, 11, day, 4, 0, tzinfo=UTC), tick=False):
            cases[day] = world.report().number

    def listed(**params: str) -> set[str]:
        with time_machine.travel(datetime(2026, 11, 24, tzinfo=UTC), tick=False):
            return {
                r["service_request_id"]
                for r in body(get(client, "requests", api_key=county_key, **params))
            }

    assert listed(start_date="2026-11-05T00:00:00Z") == {cases[10], cases[20]}
    assert listed(end_date="2026-11-15T00:00:00Z") == {cases[1], cases[10]}
    assert listed(start_date="2026-11-05T00:00:00Z", end_date="2026-11-15T00:00:00Z") == {cases[10]}
    # An offset, even one whose "+" a client forgot to encode, is honoured: 12:00+08:00 is 04:00Z.
    assert listed(start_date="2026-11-10T12:00:00+08:00") == {cases[10], cases[20]}
    assert listed(start_date="2026-11-10T12:00:01 08:00") == {cases[20]}
    # A bare date covers the whole (local) day.
    assert listed(start_date="2026-11-10", end_date="2026-11-10") == {cases[10]}


def test_without_dates_the_last_90_days_are_listed(world, client, county_key):
    def listed(**params: str) -> set[str]:
        return {
            r["service_request_id"]
            for r in body(get(client, "requests", api_key=county_key, **params))
        }

    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        old = world.report()
    with time_machine.travel(datetime(2026, 8, 29, 23, tzinfo=UTC), tick=False):
        assert listed() == {old.number}  # 89 days and 23 hours later
    with time_machine.travel(datetime(2026, 8, 31, tzinfo=UTC), tick=False):
        recent = world.report()
    with time_machine.travel(datetime(2026, 8, 30, 0, 0, 1, tzinfo=UTC), tick=False):
        assert old.number not in listed()  # 90 days and a second later
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        assert listed() == {recent.number}
        # An end date alone looks 90 days back from it.
        assert listed(end_date="2026-06-02T00:00:00Z") == {old.number}
        assert listed(end_date="2026-09-01T00:00:00Z") == {recent.number}


def test_page_and_page_size_walk_the_newest_first(world, client, county_key):
    numbers = []
    for minute in range(5):
        with time_machine.travel(NOW + timedelta(minutes=minute), tick=False):
            numbers.append(world.report().number)
    numbers.reverse()

    def page(**params: str) -> list[str]:
        with time_machine.travel(NOW + timedelta(hours=1), tick=False):
            return [
                r["service_request_id"]
                for r in body(get(client, "requests", api_key=county_key, **params))
            ]

    assert page() == numbers
    assert page(page_size="2") == numbers[:2]
    assert page(page_size="2", page="2") == numbers[2:4]
    assert page(page_size="2", page="3") == numbers[4:]
    assert page(page_size="2", page="4") == []
    assert page(page_size="5000") == numbers  # capped at 1,000, not refused


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"start_date": "last week"},
            "start_date 不是有效的时间，请使用 W3C 格式，如 2026-11-24T03:04:05Z。",
        ),
        (
            {"end_date": "2026-13-01T00:00:00Z"},
            "end_date 不是有效的时间，请使用 W3C 格式，如 2026-11-24T03:04:05Z。",
        ),
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date 超出可查询的时间范围。"),
        (
            {"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
            "start_date 不能晚于 end_date。",
        ),
        ({"status": "pending"}, "status 只能是 open 或 closed。"),
        ({"page": "0"}, "page 必须是正整数。"),
        ({"page_size": "ten"}, "page_size 必须是正整数。"),
        ({"page": "²"}, "page 必须是正整数。"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_filter_is_a_400_in_the_error_format(world, client, params, message, fmt):
    response = get(client, "requests", fmt, **params)
    assert response.status_code == 400
    data = body(response)
    if fmt == "json":
        assert data == [{"code": 400, "description": message}]
    else:
        assert [xml_dict(e) for e in data] == [{"code": "400", "description": message}]


def test_a_huge_page_is_an_empty_list_not_an_error(world, client):
    world.report(channel=Channel.API)
    assert body(get(client, "requests", page="99999999999999999999999")) == []


def test_case_numbers_are_the_ids(world, client):
    world.report(channel=Channel.API)
    [data] = body(get(client, "requests"))
    assert Case.objects.get(number=data["service_request_id"])
