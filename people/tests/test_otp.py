"""One-time sign-in codes (people.otp): kept only as a digest, used once within 5 minutes; one a
minute and ten a day per number; five wrong codes kill the code and lock the number out. The
pages that send them by SMS are tested in web/tests/test_mine_signin.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from people import otp
from people.models import OneTimeCode

RESIDENT_PHONE = "13959001234"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_stored_only_as_a_digest_and_works_once(world):
    issued = otp.issue_code(RESIDENT_PHONE)
    assert issued.deliver and len(issued.code) == 6
    row = OneTimeCode.objects.get()
    assert issued.code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    assert otp.check_code(RESIDENT_PHONE, issued.code).ok
    assert otp.check_code(RESIDENT_PHONE, issued.code).status == "used"


def test_an_expired_code_is_refused(world):
    issued = otp.issue_code(RESIDENT_PHONE)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        assert otp.check_code(RESIDENT_PHONE, issued.code).status == "expired"


def test_a_code_for_another_number_is_refused(world):
    issued = otp.issue_code(RESIDENT_PHONE)
    assert otp.check_code("13905951234", issued.code).status == "none"


def test_only_registered_numbers_of_one_account_are_delivered(world):
    assert otp.issue_code("13905951234").deliver  # the liaison
    assert not otp.issue_code("13700000000").deliver  # nobody's
    assert not otp.issue_code("13800000000").deliver  # shared by several accounts


def test_one_code_a_minute(world):
    otp.issue_code(RESIDENT_PHONE)
    with pytest.raises(otp.CodeRefused) as refused:
        otp.issue_code(RESIDENT_PHONE)
    assert refused.value.reason == "too_soon" and refused.value.wait_seconds <= 60
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        latest = otp.issue_code(RESIDENT_PHONE)
        assert otp.check_code(RESIDENT_PHONE, latest.code).ok


def test_the_code_itself_dies_after_five_wrong_tries_from_many_addresses(world):
    issued = otp.issue_code(RESIDENT_PHONE)
    for _ in range(4):
        assert otp.check_code(RESIDENT_PHONE, wrong(issued.code)).status == "wrong"
    assert otp.check_code(RESIDENT_PHONE, wrong(issued.code)).status == "locked"
    assert otp.check_code(RESIDENT_PHONE, issued.code).status == "locked"
    # And no new code while the number is locked out.
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        with pytest.raises(otp.CodeRefused) as refused:
            otp.issue_code(RESIDENT_PHONE)
    assert refused.value.reason == "locked"
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert otp.issue_code(RESIDENT_PHONE).deliver


def test_ten_codes_a_day(world):
    start = timezone.now()
    for n in range(10):
        with time_machine.travel(start + timedelta(minutes=2 * n)):
            otp.issue_code(RESIDENT_PHONE)
    with time_machine.travel(start + timedelta(minutes=30)):
        with pytest.raises(otp.CodeRefused) as refused:
            otp.issue_code(RESIDENT_PHONE)
    assert refused.value.reason == "daily_limit"
    with time_machine.travel(start + timedelta(days=1, minutes=1)):
        otp.issue_code(RESIDENT_PHONE)


def test_purge_keeps_the_last_two_days(world):
    otp.issue_code(RESIDENT_PHONE)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert otp.purge() == 1
