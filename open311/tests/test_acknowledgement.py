"""The acknowledgement of a created request (service_notice, expected_datetime): kept with its
token, so a retried POST and a later GET repeat what the first POST said."""

from datetime import UTC, datetime

from cases.models import Case, Status, TimeLimit
from open311.mapping import w3c
from open311.models import RequestToken
from open311.tests.helpers import BASE, body, get

FIELDS = {"service_code": "resident_issue-05", "address_id": "350526", "description": "路灯不亮"}
NOTICE = "一般事项自交办之日起5个工作日内办结，办理情况可凭编号查询。"


def _create(client, hotline, key: str = "ack-1"):
    response = client.post(
        f"{BASE}requests.json", {**FIELDS, "api_key": hotline}, headers={"Idempotency-Key": key}
    )
    assert response.status_code == 200, response.content
    return body(response)[0]


def test_the_acknowledgement_is_kept_with_the_token(world, client, hotline):
    created = _create(client, hotline)
    assert (created["service_notice"], created["expected_datetime"]) == (NOTICE, None)
    token = RequestToken.objects.get(token=created["token"])
    assert (token.service_notice, token.expected_datetime) == (NOTICE, None)


def test_a_get_repeats_the_acknowledgement_until_a_deadline_is_set(world, client, hotline):
    created = _create(client, hotline)
    [shown] = body(get(client, f"requests/{created['service_request_id']}", api_key=hotline))
    assert (shown["service_notice"], shown["expected_datetime"]) == (NOTICE, None)
    [listed] = body(get(client, "requests", api_key=hotline))
    assert listed["service_notice"] == NOTICE
    # Once the case has a deadline of its own, that is the newer word.
    deadline = datetime(2026, 12, 1, 9, tzinfo=UTC)
    number = created["service_request_id"]
    Case.objects.filter(number=number).update(status=Status.ASSIGNED, deadline=deadline)
    [shown] = body(get(client, f"requests/{number}", api_key=hotline))
    assert shown["service_notice"] == "办理期限：2026-12-01 17:00"
    assert shown["expected_datetime"] == w3c(deadline)


def test_a_retry_gets_the_first_acknowledgement_even_after_the_limits_change(
    world, client, hotline
):
    first = _create(client, hotline)
    TimeLimit.objects.filter(case_type__code="resident_issue").update(amount=9)
    again = _create(client, hotline)
    assert again == first
    assert _create(client, hotline, key="ack-2")["service_notice"] == NOTICE.replace("5", "9")


def test_a_closed_request_has_no_notice_any_more(world, client, hotline):
    created = _create(client, hotline)
    Case.objects.filter(number=created["service_request_id"]).update(status=Status.CLOSED)
    [shown] = body(get(client, f"requests/{created['service_request_id']}", api_key=hotline))
    assert shown["service_notice"] is None
