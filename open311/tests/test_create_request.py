"""POST requests.json|xml: a case through report_case, over the API channel, as the key's account."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, CaseAttachment, CaseEvent, Channel, Status
from open311.models import RequestToken
from open311.tests.helpers import BASE, CREATED_FIELDS, body, children, get, make_key, post
from people.apikeys import revoke_api_key
from people.models import User
from regions.models import Region, RegionLevel

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _case(number: str) -> Case:
    return Case.objects.select_related("region", "category", "case_type").get(number=number)


def test_it_creates_a_case_as_the_key_account_over_the_api_channel(world, client, hotline):
    response = post(
        client,
        api_key=hotline,
        service_code="resident_issue-05",
        lat="25.492345",
        long="118.241234",
        address_string="浔中镇浔中村主路 12 号",
        description="主路三盏路灯不亮。",
        first_name="三",
        last_name="张",
        phone="13912345678",
        email="zhang@example.com",
        device_id="phone-1",
        account_id="acct-9",
    )
    assert response.status_code == 200
    [created] = body(response)
    assert list(created) == CREATED_FIELDS
    assert created["account_id"] == "acct-9"
    assert (
        created["service_notice"] == "一般事项自交办之日起5个工作日内办结，办理情况可凭编号查询。"
    )
    case = _case(created["service_request_id"])
    assert case.channel == Channel.API
    assert case.status == Status.REPORTED
    assert case.reported_by == User.objects.get(username="api-hotline-12345")
    assert (case.case_type.code, case.category.code) == ("resident_issue", "05")
    assert case.region == world.county  # no region given, the account has none: the top region
    assert case.address == "浔中镇浔中村主路 12 号"
    assert (str(case.latitude), str(case.longitude)) == ("25.492345", "118.241234")
    assert (case.requester_name, case.requester_phone) == ("张三", "13912345678")
    assert case.title == "主路三盏路灯不亮。"
    assert case.details["open311"] == {
        "service_code": "resident_issue-05",
        "device_id": "phone-1",
        "account_id": "acct-9",
        "email": "zhang@example.com",
    }
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor.username, event.via) == (
        "reported",
        "api-hotline-12345",
        "open311",
    )
    assert RequestToken.objects.get(case=case).token == created["token"]


def test_the_answer_in_xml_nests_as_the_specification_prints_it(world, client, hotline):
    response = post(
        client,
        "xml",
        api_key=hotline,
        service_code="dispute-01",
        address_id="350526100001G1",
        description="邻居噪音扰民",
    )
    assert response.status_code == 200
    root = body(response)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert children(request) == CREATED_FIELDS
    assert re.match(r"^LX\d{15}$", request.find("service_request_id").text)
    assert request.find("account_id").text is None
    assert _case(request.find("service_request_id").text).region == world.grid


def test_attributes_set_the_region_title_and_enterprise(world, client, hotline):
    response = post(
        client,
        api_key=hotline,
        service_code="enterprise_demand-03",
        **{
            "attribute[region]": "350526100",
            "attribute[title]": "招工难",
            "attribute[enterprise_credit_code]": world.enterprise.credit_code.lower(),
        },
        description="旺季缺少熟练工人约 50 名。",
    )
    assert response.status_code == 200, response.content
    case = _case(body(response)[0]["service_request_id"])
    assert case.region == world.town
    assert case.title == "招工难"
    assert case.enterprise == world.enterprise
    assert case.details["open311"]["attributes"]["region"] == "350526100"


def test_an_address_id_may_name_a_region_finer_than_the_list(world, client, hotline):
    group = Region.objects.create(
        name="第一组", code="350526100001G1Z1", level=RegionLevel.GROUP, parent=world.grid
    )
    response = post(
        client,
        api_key=hotline,
        service_code="resident_issue-05",
        address_id=group.code,
        description="x",
    )
    assert _case(body(response)[0]["service_request_id"]).region == group
    refused = post(
        client,
        api_key=hotline,
        service_code="resident_issue-05",
        **{"attribute[region]": group.code},
        description="x",
    )
    assert refused.status_code == 400


def test_fields_are_read_from_the_query_string_too(world, client, hotline):
    url = f"{BASE}requests.json?api_key={hotline}&service_code=hazard-01&address_id=350526101"
    response = client.post(url, {"description": "仓库消防通道堵塞"})
    assert response.status_code == 200, response.content
    case = _case(body(response)[0]["service_request_id"])
    assert (case.case_type.code, case.region) == ("hazard", world.other_town)


def test_an_unclassified_service_makes_a_case_without_category(world, client, hotline):
    response = post(client, api_key=hotline, service_code="resident_issue", address_id="350526")
    case = _case(body(response)[0]["service_request_id"])
    assert case.category is None
    # The engine needs content: a client that sent only a service and a place gets it written.
    assert case.description == "民情诉求（未分类）（未填写诉求内容，位置：德化县）"


def test_multipart_media_become_attachments(world, client, hotline, media_root):
    photo = SimpleUploadedFile("路灯.png", PNG, content_type="image/png")
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = post(
        client,
        multipart=True,
        api_key=hotline,
        service_code="resident_issue-05",
        address_id="350526100001G1",
        description="路灯不亮，见照片。",
        media=[photo, scan],
    )
    assert response.status_code == 200, response.content
    case = _case(body(response)[0]["service_request_id"])
    attachments = list(CaseAttachment.objects.filter(case=case).order_by("pk"))
    assert [a.name for a in attachments] == ["路灯.png", "scan.pdf"]
    assert attachments[0].file.read() == PNG
    assert attachments[0].uploaded_by.username == "api-hotline-12345"
    assert str(attachments[0].file.path).startswith(str(media_root))
    # The request shows its first medium (the hotline's key sees what it reported).
    [shown] = body(get(client, f"requests/{case.number}", api_key=hotline))
    # Served by the case page's scope check, never from MEDIA_URL.
    assert (
        shown["media_url"] == f"http://testserver/cases/{case.pk}/attachments/{attachments[0].pk}/"
    )


def test_a_media_url_is_kept_and_shown(world, client, hotline):
    response = post(
        client,
        api_key=hotline,
        service_code="resident_issue-05",
        address_id="350526",
        media_url="https://img.example.com/a.jpg",
        description="见图",
    )
    number = body(response)[0]["service_request_id"]
    [shown] = body(get(client, f"requests/{number}", api_key=hotline))
    assert shown["media_url"] == "https://img.example.com/a.jpg"


def test_a_retry_with_the_same_device_and_time_returns_the_first_case(world, client, hotline):
    fields = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "重复提交测试",
        "device_id": "phone-7",
        "requested_datetime": "2026-11-24T03:04:05Z",
    }
    first = body(post(client, **fields))[0]
    # The same instant written with an offset is the same submission.
    again = body(post(client, **{**fields, "requested_datetime": "2026-11-24T11:04:05+08:00"}))[0]
    assert again == first
    assert Case.objects.count() == 1
    later = body(post(client, **{**fields, "requested_datetime": "2026-11-24T03:09:00Z"}))[0]
    other_device = body(post(client, **{**fields, "device_id": "phone-8"}))[0]
    assert (
        len(
            {
                first["service_request_id"],
                later["service_request_id"],
                other_device["service_request_id"],
            }
        )
        == 3
    )


def test_a_device_id_alone_never_merges_submissions(world, client, hotline):
    fields = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
        "device_id": "phone-7",
    }
    post(client, **fields)
    post(client, **fields)
    assert Case.objects.count() == 2


def test_an_idempotency_key_header_identifies_a_submission(world, client, hotline):
    fields = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
    }
    url = f"{BASE}requests.json"
    first = client.post(url, fields, headers={"Idempotency-Key": "abc-1"})
    second = client.post(url, fields, headers={"Idempotency-Key": "abc-1"})
    assert body(first) == body(second)
    # Keys are scoped to the account: another system's same key is another submission.
    other = make_key("mini-program")
    third = client.post(url, {**fields, "api_key": other}, headers={"Idempotency-Key": "abc-1"})
    assert body(third)[0]["service_request_id"] != body(first)[0]["service_request_id"]
    assert Case.objects.count() == 2


def test_a_grid_account_reports_inside_its_grid_only(world, client):
    key = make_key("grid-app", user=world.grid_worker)
    inside = post(
        client,
        api_key=key,
        service_code="resident_issue-05",
        lat="25.5",
        long="118.2",
        description="x",
    )
    assert inside.status_code == 200
    assert _case(body(inside)[0]["service_request_id"]).region == world.grid  # its own grid
    outside = post(
        client,
        api_key=key,
        service_code="resident_issue-05",
        address_id="350526101",
        description="x",
    )
    assert outside.status_code == 403
    assert body(outside) == [{"code": 403, "description": "只能在本人负责的网格范围内上报事项。"}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_revoked_key_is_a_403(world, client, hotline, fmt):
    fields = {"service_code": "resident_issue-05", "address_id": "350526", "description": "x"}
    missing = post(client, fmt, **fields)
    wrong = post(client, fmt, api_key="lx_wrong", **fields)
    revoke_api_key("hotline-12345")
    revoked = post(client, fmt, api_key=hotline, **fields)
    for response in (missing, wrong, revoked):
        assert response.status_code == 403
    if fmt == "xml":
        root = body(revoked)
        assert root.tag == "errors" and children(root[0]) == ["code", "description"]
        assert root[0].find("code").text == "403"
    else:
        assert body(revoked) == [{"code": 403, "description": "api_key 无效或已吊销。"}]
        assert body(missing) == [{"code": 403, "description": "缺少 api_key，无法提交诉求。"}]
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": ""}, "缺少 service_code。"),
        (
            {"address_id": "", "lat": "", "long": ""},
            "请提供位置：lat 和 long、address_string 或 address_id 之一。",
        ),
        ({"lat": "25.5"}, "lat 和 long 必须同时提供。"),
        ({"lat": "north", "long": "118"}, "lat 必须是 -90 到 90 之间的十进制数。"),
        ({"lat": "25", "long": "190"}, "long 必须是 -180 到 180 之间的十进制数。"),
        ({"lat": "NaN", "long": "118"}, "lat 必须是 -90 到 90 之间的十进制数。"),
        ({"address_id": "999"}, "区划代码 999 不存在。"),
        ({"attribute[region]": "999"}, "attribute[region] 的取值无效。"),
        ({"email": "not-an-email"}, "email 格式不正确。"),
        ({"phone": "1" * 21}, "phone 不能超过 20 个字符。"),
        ({"media_url": "ftp://x/y.jpg"}, "media_url 必须是 http 或 https 地址。"),
        ({"attribute[title]": "长" * 201}, "attribute[title] 不能超过 200 个字符。"),
        (
            {"device_id": "d", "requested_datetime": "yesterday"},
            "requested_datetime 不是有效的时间，请使用 W3C 格式，如 2026-11-24T03:04:05Z。",
        ),
    ],
)
def test_a_bad_field_is_a_400_that_says_which(world, client, hotline, fields, message):
    base = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
    }
    response = post(client, **{**base, **fields})
    assert response.status_code == 400
    assert {"code": 400, "description": message} in body(response)
    assert Case.objects.count() == 0


def test_every_problem_is_reported_at_once(world, client, hotline):
    response = post(
        client,
        "xml",
        api_key=hotline,
        service_code="resident_issue-05",
        lat="x",
        long="y",
        email="@",
    )
    assert response.status_code == 400
    assert len(body(response)) == 3


def test_an_unknown_service_is_a_404(world, client, hotline):
    response = post(client, api_key=hotline, service_code="pothole", address_id="350526")
    assert response.status_code == 404
    assert body(response) == [{"code": 404, "description": "服务 pothole 不存在。"}]


def test_media_of_the_wrong_type_or_size_is_refused(world, client, hotline, settings):
    settings.LIANXIN = {**settings.LIANXIN, "OPEN311_MAX_MEDIA_BYTES": 1024 * 1024}
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    big = SimpleUploadedFile("big.png", b"0" * (1024 * 1024 + 1), content_type="image/png")
    fields = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
    }
    response = post(client, multipart=True, media=[script, big], **fields)
    assert response.status_code == 400
    assert body(response) == [
        {
            "code": 400,
            "description": "附件“x.html”的类型不支持，请上传图片（JPG、PNG、GIF、WebP）或 PDF。",
        },
        {"code": 400, "description": "附件“big.png”超过 1 MB。"},
    ]
    too_many = [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(6)]
    assert post(client, multipart=True, media=too_many, **fields).status_code == 400
    assert CaseAttachment.objects.count() == 0


def test_the_created_request_is_listed_at_once(world, client, hotline):
    with time_machine.travel(datetime(2026, 11, 24, 3, 4, 5, 600000, tzinfo=UTC), tick=False):
        number = body(
            post(
                client,
                api_key=hotline,
                service_code="resident_issue-05",
                address_id="350526",
                description="x",
            )
        )[0]["service_request_id"]
        [listed] = body(get(client, "requests"))
    assert listed["service_request_id"] == number
    assert listed["requested_datetime"] == "2026-11-24T03:04:05Z"
