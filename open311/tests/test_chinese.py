"""Chinese text, and text XML must escape, round-trips intact through both formats."""

import json

import pytest

from open311.tests.helpers import body, get, post

TEXT = "浔中村“第一网格”主路 3 盏路灯不亮 <夜间> & '老人' 出行不便；𠮷野家旁 🙂"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("multipart", [False, True])
def test_chinese_text_round_trips(world, client, hotline, fmt, multipart):
    created = post(
        client,
        fmt,
        multipart=multipart,
        api_key=hotline,
        service_code="resident_issue-05",
        address_id="350526",
        address_string="德化县浔中镇 “瓷都” 大道 & 1 号",
        description=TEXT,
    )
    assert created.status_code == 200
    data = body(created)
    number = (
        data[0]["service_request_id"] if fmt == "json" else data[0].find("service_request_id").text
    )
    response = get(client, f"requests/{number}", fmt, api_key=hotline)
    data = body(response)
    if fmt == "json":
        assert data[0]["description"] == TEXT
        assert data[0]["address"] == "德化县浔中镇 “瓷都” 大道 & 1 号"
        assert data[0]["service_name"] == "城乡建设与管理"
        # Raw UTF-8 on the wire, not \\u escapes: what clients and people reading it expect.
        assert TEXT.encode("utf-8") in response.content.replace(b'\\"', b'"')
        assert json.loads(response.content) == data
    else:
        assert data[0].find("description").text == TEXT
        assert data[0].find("address").text == "德化县浔中镇 “瓷都” 大道 & 1 号"
        assert "&lt;夜间&gt; &amp;" in response.content.decode("utf-8")


def test_a_query_string_in_chinese_is_read(world, client):
    response = get(client, "requests", "json", service_code="民情诉求")
    assert response.status_code == 200
    assert body(response) == []
