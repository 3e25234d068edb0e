"""短信验证码登录 pages: a code by SMS (notify.sms.outbox in tests), used once within 5 minutes; one a
minute and ten a day per number; five wrong codes lock the number out; an unknown number gets
the same answer and no message."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notify import sms
from people import otp
from people.models import OneTimeCode

PHONE_PAGE = reverse("mine:signin")
CODE_PAGE = reverse("mine:signin-code")
RESIDENT_PHONE = "13959001234"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def ask(client, phone: str = RESIDENT_PHONE, **extra):
    return client.post(PHONE_PAGE, {"phone": phone, **extra}, follow=True)


def enter(client, code: str):
    return client.post(CODE_PAGE, {"code": code})


def sent_code(outbox) -> str:
    match = re.search(r"\d{6}", outbox[-1].text)
    assert match
    return match.group()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_sign_in_with_a_code_sent_by_sms(world, client, outbox):
    response = ask(client)
    assert response.redirect_chain[-1][0] == CODE_PAGE
    body = response.content.decode()
    assert "如该手机号已注册，验证码已通过短信发送" in body and "139****1234" in body
    assert len(outbox) == 1 and outbox[0].phone == RESIDENT_PHONE
    code = sent_code(outbox)
    assert "5 分钟内有效" in outbox[0].text

    response = enter(client, code)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.resident.pk)
    assert client.session["_auth_user_backend"] == "people.backends.PhoneBackend"
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == reverse(
        "mine:list"
    )


def test_the_code_is_stored_only_as_a_digest(world, client, outbox):
    ask(client)
    code = sent_code(outbox)
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_a_code_works_once(world, client, outbox):
    ask(client)
    code = sent_code(outbox)
    assert enter(client, code).status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        ask(client)
        response = enter(client, code)  # the old one, used
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_expired_code_is_refused(world, client, outbox):
    ask(client)
    code = sent_code(outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = enter(client, code)
    assert response.status_code == 200
    assert "验证码不正确或已失效" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_lock_the_number_out(world, client, outbox):
    ask(client)
    code = sent_code(outbox)
    for _ in range(4):
        response = enter(client, wrong(code))
        assert response.status_code == 200
        assert "验证码不正确或已失效" in response.content.decode()
    # The fifth failure: axes' lockout page, and the code is dead.
    assert enter(client, wrong(code)).status_code == 429
    assert OneTimeCode.objects.get().attempts == 5
    assert not otp.check_code(RESIDENT_PHONE, code).ok
    assert "_auth_user_id" not in client.session


def test_one_code_a_minute(world, client, outbox):
    ask(client)
    response = ask(client)
    assert "获取验证码过于频繁，请" in response.content.decode()
    assert len(outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        ask(client)
    assert len(outbox) == 2
    # Only the latest code counts.
    assert otp.check_code(RESIDENT_PHONE, sent_code(outbox)).ok


def test_an_unknown_number_gets_the_same_answer_and_no_message(world, client, outbox):
    known = ask(client, RESIDENT_PHONE).content.decode()
    client.session.flush()
    unknown = ask(client, "13700000000").content.decode()
    assert len(outbox) == 1  # only the registered number got a message
    for page in (known, unknown):
        assert "如该手机号已注册，验证码已通过短信发送" in page
    # The rate limit answers the same too.
    assert "获取验证码过于频繁" in ask(client, "13700000000").content.decode()
    assert "验证码不正确或已失效" in enter(client, "123456").content.decode()


def test_a_shared_number_gets_no_message(world, client, outbox):
    ask(client, "13800000000")  # every other user of the world has it
    assert outbox == []


def test_an_invalid_number_is_refused_on_the_form(world, client, outbox):
    response = client.post(PHONE_PAGE, {"phone": "12345"})
    assert response.status_code == 200 and "请输入11位手机号码" in response.content.decode()
    assert not OneTimeCode.objects.exists()


def test_the_code_page_needs_a_number_first(client, db):
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response["Location"] == PHONE_PAGE


def test_the_sign_in_page_links_to_the_code_sign_in(client, db):
    body = client.get(reverse("web:login")).content.decode()
    assert PHONE_PAGE in body and "用户名或手机号" in body


def test_next_is_kept_when_safe(world, client, outbox):
    client.post(PHONE_PAGE, {"phone": RESIDENT_PHONE, "next": "/mine/new/"})
    response = enter(client, sent_code(outbox))
    assert response["Location"] == "/mine/new/"
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.post(PHONE_PAGE, {"phone": RESIDENT_PHONE, "next": "https://evil.example/"})
        response = enter(client, sent_code(outbox))
    assert response["Location"] == "/"
