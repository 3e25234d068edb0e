"""The channels against a local HTTP server that records what it received: the WeCom and
DingTalk group robots in their documented formats (with DingTalk's signature), and the HTTP
SMS gateway."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from cases.tests.world import make_user
from notify import channels, services
from notify.models import Channel, DeliveryStatus, Notification, NotificationRule, Webhook
from notify.sms import SmsResult, send_sms
from notify.tests.helpers import last_event
from people.models import Role


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


def query(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def test_the_wecom_robot_gets_a_text_message_mentioning_the_phones(db, http_recorder):
    hook = Webhook.objects.create(
        name="人社局工作群", kind="wecom", url=f"{http_recorder.url}/cgi-bin/webhook/send?key=k1"
    )
    result = channels.send_robot(hook, "【连心桥】新交办事项", ["13800000000"])
    assert result.ok
    [received] = http_recorder.received
    assert query(received.path) == {"key": ["k1"]}
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert received.json() == {
        "msgtype": "text",
        "text": {"content": "【连心桥】新交办事项", "mentioned_mobile_list": ["13800000000"]},
    }


def test_a_robot_answering_an_error_code_is_a_failure(db, http_recorder):
    http_recorder.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    hook = Webhook.objects.create(name="群", kind="wecom", url=f"{http_recorder.url}/send?key=x")
    result = channels.send_robot(hook, "文本", [])
    assert not result.ok
    assert "93000" in result.response


def test_the_dingtalk_robot_gets_a_signed_request(db, http_recorder):
    secret = "SEC0123456789abcdef"
    hook = Webhook.objects.create(
        name="钉钉群",
        kind="dingtalk",
        url=f"{http_recorder.url}/robot/send?access_token=tok",
        secret=secret,
    )
    assert channels.send_robot(hook, "【连心桥】督办通知", ["13800000000"]).ok
    [received] = http_recorder.received
    params = query(received.path)
    assert params["access_token"] == ["tok"]
    timestamp = params["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert params["sign"] == [expected]
    assert received.json() == {
        "msgtype": "text",
        "text": {"content": "【连心桥】督办通知 @13800000000"},
        "at": {"atMobiles": ["13800000000"], "isAtAll": False},
    }


def test_a_dingtalk_robot_without_a_secret_is_not_signed(db, http_recorder):
    hook = Webhook.objects.create(
        name="钉钉群", kind="dingtalk", url=f"{http_recorder.url}/robot/send?access_token=tok"
    )
    assert channels.send_robot(hook, "文本", []).ok
    assert query(http_recorder.received[0].path) == {"access_token": ["tok"]}


def test_the_dingtalk_signature_is_url_encoded_base64_of_hmac_sha256():
    url = channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=a", "s", 1)
    digest = hmac.new(b"s", b"1\ns", hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1&sign={sign}"


def test_an_assignment_goes_to_the_units_robot_once_mentioning_each_handler(world, http_recorder):
    make_user("handler_2", Role.DEPT_HANDLER, organisation=world.dept, phone="13700000002")
    NotificationRule.objects.filter(kind="assigned", channel="wecom").update(is_active=True)
    Webhook.objects.create(
        name="人社局", kind="wecom", url=f"{http_recorder.url}/dept", organisation=world.dept
    )
    Webhook.objects.create(name="默认群", kind="wecom", url=f"{http_recorder.url}/default")
    case = world.assigned()
    services.produce_for_event(last_event(case, "assigned").pk)
    [row] = Notification.objects.filter(case=case, channel=Channel.WECOM)
    assert row.user is not None and row.address == ""
    assert sorted(row.mentions) == ["13700000002", "13800000000"]
    assert services.deliver_notification(row.pk) == DeliveryStatus.SENT
    [received] = http_recorder.received
    assert received.path == "/dept"
    body = received.json()
    assert body["text"]["content"].startswith(f"【连心桥】您单位有新交办事项{case.number}")
    assert sorted(body["text"]["mentioned_mobile_list"]) == ["13700000002", "13800000000"]


def test_a_unit_without_a_robot_uses_the_default_one(world, http_recorder):
    NotificationRule.objects.filter(kind="assigned", channel="dingtalk").update(is_active=True)
    Webhook.objects.create(name="默认群", kind="dingtalk", url=f"{http_recorder.url}/default")
    case = world.assigned()
    services.produce_for_event(last_event(case, "assigned").pk)
    row = Notification.objects.get(case=case, channel=Channel.DINGTALK)
    services.deliver_notification(row.pk)
    assert [r.path for r in http_recorder.received] == ["/default"]


def test_the_http_sms_gateway_gets_phone_text_and_sign_with_the_token(settings, http_recorder):
    settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
    settings.NOTIFY_SMS_URL = f"{http_recorder.url}/sms"
    settings.NOTIFY_SMS_TOKEN = "t0ken"
    http_recorder.answer = {"code": 0, "msg": "ok", "id": "m-1"}
    result = send_sms("13959001234", "【连心桥】验证码 123456")
    assert result.ok and '"m-1"' in result.response
    [received] = http_recorder.received
    assert received.path == "/sms"
    assert received.headers["Authorization"] == "Bearer t0ken"
    assert received.json() == {
        "phone": "13959001234",
        "text": "【连心桥】验证码 123456",
        "sign": "连心桥",
    }


@pytest.mark.parametrize(
    ("status", "answer"), [(200, {"code": 1001, "msg": "号码无效"}), (500, {"msg": "error"})]
)
def test_the_http_sms_gateway_refusing_is_a_failure(settings, http_recorder, status, answer):
    settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
    settings.NOTIFY_SMS_URL = f"{http_recorder.url}/sms"
    http_recorder.status, http_recorder.answer = status, answer
    result = send_sms("13959001234", "文本")
    assert not result.ok
    assert str(status) in result.response


def test_send_sms_never_raises(settings, closed_port_url):
    settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
    settings.NOTIFY_SMS_URL = closed_port_url
    assert not send_sms("13959001234", "文本").ok
    settings.NOTIFY_SMS_URL = "file:///etc/passwd"
    assert send_sms("13959001234", "文本") == SmsResult(
        False, "refused: only http(s) addresses are allowed"
    )
    settings.NOTIFY_SMS_BACKEND = "notify.sms.NoSuchBackend"
    result = send_sms("13959001234", "文本")
    assert not result.ok and "ImportError" in result.response
    assert not send_sms("", "文本").ok


def test_a_robot_address_must_be_http(db):
    from django.core.exceptions import ValidationError

    hook = Webhook(name="群", kind="wecom", url="ftp://example.cn/robot")
    with pytest.raises(ValidationError):
        hook.full_clean()
