"""GET requests/{id}.json|xml and tokens/{token}.json|xml."""

import pytest

from cases.models import Channel
from open311.models import RequestToken
from open311.tests.helpers import REQUEST_FIELDS, TOKEN_FIELDS, body, children, get, post, xml_dict


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_is_a_list_of_one(world, client, fmt):
    case = world.report(channel=Channel.WEB)
    world.report(channel=Channel.WEB)
    response = get(client, f"requests/{case.number}", fmt)
    assert response.status_code == 200
    data = body(response)
    if fmt == "json":
        assert isinstance(data, list) and len(data) == 1
        assert list(data[0]) == REQUEST_FIELDS
        assert data[0]["service_request_id"] == case.number
    else:
        assert data.tag == "service_requests"
        assert children(data) == ["request"]
        assert children(data[0]) == REQUEST_FIELDS
        assert data[0].find("service_request_id").text == case.number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_hidden_request_is_a_404(world, client, fmt):
    hidden = world.report(channel=Channel.GRID)  # not public, and no key given
    for number in ("LX000", hidden.number):
        response = get(client, f"requests/{number}", fmt)
        assert response.status_code == 404
        data = body(response)
        description = f"诉求 {number} 不存在。"
        if fmt == "json":
            assert data == [{"code": 404, "description": description}]
        else:
            assert [xml_dict(e) for e in data] == [{"code": "404", "description": description}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_resolves_to_its_request(world, client, hotline, fmt):
    created = body(
        post(
            client,
            api_key=hotline,
            service_code="resident_issue-05",
            address_id="350526",
            description="x",
        )
    )[0]
    response = get(client, f"tokens/{created['token']}", fmt)
    assert response.status_code == 200
    data = body(response)
    expected = {"service_request_id": created["service_request_id"], "token": created["token"]}
    if fmt == "json":
        assert data == [expected]
        assert list(data[0]) == TOKEN_FIELDS
    else:
        assert data.tag == "service_requests" and children(data) == ["request"]
        assert children(data[0]) == TOKEN_FIELDS
        assert xml_dict(data[0]) == expected


def test_tokens_are_unguessable_and_one_per_case(world, client, hotline):
    fields = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
    }
    tokens = {body(post(client, **fields))[0]["token"] for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) >= 24 for t in tokens)
    assert RequestToken.objects.count() == 3


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_a_404(world, client, fmt):
    response = get(client, "tokens/nope", fmt)
    assert response.status_code == 404
    assert "令牌 nope 不存在。" in response.content.decode()
