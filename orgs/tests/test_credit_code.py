import pytest
from django.core.exceptions import ValidationError

from orgs.credit_code import make_credit_code, validate_credit_code


@pytest.mark.parametrize(
    "code",
    # Publicly listed codes of well-known companies (Tencent, Huawei, Alibaba China, Baidu).
    ["91440300708461136T", "914403001922038216", "91330100716105852F", "91110000802100433B"],
)
def test_it_accepts_real_published_codes(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())


def test_a_made_code_is_valid_and_a_changed_character_is_not():
    code = make_credit_code("9", "1", "350526", "MA2Y00001")
    validate_credit_code(code)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        validate_credit_code(wrong)
    assert error.value.code == "checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [("9135052615", "length"), ("91350526MA2Y0000IO", "charset"), ("", "length")],
)
def test_it_names_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(value)
    assert error.value.code == code
