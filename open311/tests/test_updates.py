"""GET servicerequestupdates.json|xml (mySociety's extension): a case's events as updates."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import CaseAttachment, CaseEvent, Channel, Satisfaction
from open311.mapping import w3c
from open311.tests.helpers import UPDATE_FIELDS, body, children, get, make_key, post, xml_dict

NOW = datetime(2026, 11, 24, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def county_key(world) -> str:
    return make_key("county-screen", user=world.dispatcher)


def _followed(world):
    """A public case taken through the loop, one move a minute."""
    steps = [
        lambda c: services.triage_case(c, actor=world.dispatcher, category=world.category()),
        lambda c: services.assign_case(c, actor=world.dispatcher, lead_unit=world.dept),
        lambda c: services.accept_case(c, actor=world.handler),
        lambda c: services.add_progress_note(c, actor=world.handler, note="已联系供电所。"),
        lambda c: services.answer_case(c, actor=world.handler, answer="已维修路灯，恢复照明。"),
        lambda c: services.return_visit(
            c,
            actor=world.dispatcher,
            reached=True,
            contacted=True,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
            note="张三表示满意，电话13912345678",
        ),
        lambda c: services.close_case(c, actor=world.dispatcher),
    ]
    with time_machine.travel(NOW, tick=False):
        case = world.report(channel=Channel.API)
    for minute, step in enumerate(steps, start=1):
        with time_machine.travel(NOW + timedelta(minutes=minute), tick=False):
            case = step(case)
    return case


def test_every_event_is_an_update_in_order(world, client):
    case = _followed(world)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        data = body(get(client, "servicerequestupdates"))
    events = list(CaseEvent.objects.filter(case=case).order_by("created_at", "pk"))
    assert [u["update_id"] for u in data] == [str(e.pk) for e in events]
    for update in data:
        assert list(update) == UPDATE_FIELDS
        assert update["service_request_id"] == case.number
    assert [u["description"] for u in data] == [
        "收集",
        "汇总研判",
        "交办：由德化县人力资源和社会保障局主办",
        "办理",
        "办理进展：已联系供电所。",
        "反馈：已维修路灯，恢复照明。",
        "回访",  # the visit note names the requester: it stays inside
        "销号",
    ]
    assert [u["status"] for u in data] == ["open"] * 7 + ["closed"]
    assert data[0]["updated_datetime"] == "2026-11-24T03:04:05Z"
    assert data[-1]["updated_datetime"] == w3c(NOW + timedelta(minutes=7))
    assert "13912345678" not in str(data)


def test_updates_in_xml_nest_as_mysociety_prints_them(world, client):
    case = _followed(world)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        root = body(get(client, "servicerequestupdates", "xml"))
    assert root.tag == "service_request_updates"
    assert {child.tag for child in root} == {"request_update"}
    assert len(root) == 8
    for update in root:
        assert children(update) == UPDATE_FIELDS
    first = xml_dict(root[0])
    assert first["service_request_id"] == case.number
    assert first["media_url"] is None
    assert xml_dict(root[-1])["status"] == "closed"


def test_start_and_end_dates_bound_the_updates(world, client):
    _followed(world)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        data = body(
            get(
                client,
                "servicerequestupdates",
                start_date=w3c(NOW + timedelta(minutes=2)),
                end_date=w3c(NOW + timedelta(minutes=4)),
            )
        )
    assert [u["updated_datetime"] for u in data] == [
        w3c(NOW + timedelta(minutes=m)) for m in (2, 3, 4)
    ]


def test_without_dates_the_last_90_days_of_updates_are_listed(world, client):
    _followed(world)
    with time_machine.travel(NOW + timedelta(days=90, minutes=3), tick=False):
        data = body(get(client, "servicerequestupdates"))
    assert [u["updated_datetime"] for u in data] == [
        w3c(NOW + timedelta(minutes=m)) for m in (3, 4, 5, 6, 7)
    ]


def test_a_request_can_be_followed_by_its_id(world, client):
    followed = _followed(world)
    with time_machine.travel(NOW, tick=False):
        world.report(channel=Channel.API)
    with time_machine.travel(NOW + timedelta(days=400), tick=False):
        data = body(get(client, "servicerequestupdates", service_request_id=followed.number))
    assert len(data) == 8  # all its events, however old
    assert {u["service_request_id"] for u in data} == {followed.number}


def test_updates_follow_the_same_scope_as_requests(world, client, county_key):
    with time_machine.travel(NOW, tick=False):
        public = world.report(channel=Channel.WEB)
        inside = world.report(channel=Channel.GRID)
        anonymous = {u["service_request_id"] for u in body(get(client, "servicerequestupdates"))}
        keyed = {
            u["service_request_id"]
            for u in body(get(client, "servicerequestupdates", api_key=county_key))
        }
    assert anonymous == {public.number}
    assert keyed == {public.number, inside.number}


def test_media_posted_with_a_request_appear_on_its_first_update(world, client, hotline):
    photo = SimpleUploadedFile("lamp.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    with time_machine.travel(NOW, tick=False):
        created = body(
            post(
                client,
                multipart=True,
                api_key=hotline,
                service_code="resident_issue-05",
                address_id="350526",
                description="x",
                media=photo,
            )
        )[0]
        [update] = body(
            get(client, "servicerequestupdates", service_request_id=created["service_request_id"])
        )
    attachment = CaseAttachment.objects.get()
    assert (
        update["media_url"]
        == f"http://testserver/cases/{attachment.case_id}/attachments/{attachment.pk}/"
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_date_is_a_400(world, client, fmt):
    response = get(client, "servicerequestupdates", fmt, start_date="soon")
    assert response.status_code == 400
    assert "start_date 不是有效的时间" in response.content.decode()
