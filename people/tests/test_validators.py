"""Phone numbers and resident ID numbers: the one check the importer and the API share."""

import pytest
from django.core.exceptions import ValidationError

from people.validators import clean_id_number, clean_mobile, clean_phone, id_check_digit

VALID_ID = "35052619850315001" + id_check_digit("35052619850315001")


def code_of(clean, value: str, **kwargs) -> str | None:
    with pytest.raises(ValidationError) as caught:
        clean(value, **kwargs)
    return caught.value.code


def test_an_id_number_is_normalised_to_the_form_stored():
    lower = VALID_ID[:17] + VALID_ID[17].lower()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in VALID_ID)
    assert clean_id_number(f" {VALID_ID[:6]} {VALID_ID[6:]} ") == VALID_ID
    assert clean_id_number(lower) == VALID_ID
    assert clean_id_number(full_width) == VALID_ID
    assert clean_id_number("  ") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("35052619850315001", "length"),
        ("3505261985031500AX", "charset"),
        # Arabic-Indic digits pass isdigit() and int(); a stored ID number is ASCII.
        ("٣" + VALID_ID[1:], "charset"),
        ("350526" + "19851315" + "0011", "birth_date"),
        ("350526" + "18991231" + "0011", "birth_date"),
        ("350526" + "20990101" + "0011", "birth_date"),
        (VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1"), "checksum"),
    ],
)
def test_a_wrong_id_number_says_why(value, code):
    assert code_of(clean_id_number, value) == code


def test_a_mobile_number_drops_spaces_dashes_and_the_country_code():
    assert clean_mobile("+86 139-1234-5678") == "13912345678"
    assert clean_mobile("") == ""
    for bad in ("23912345678", "1391234567", "139123456789", "1٣912345678", "0595-2350000"):
        assert code_of(clean_mobile, bad) == "invalid", bad


def test_a_phone_number_may_be_a_landline_with_an_extension():
    assert clean_phone(" 0595-23500000转8 ", max_length=30) == "0595-23500000转8"
    assert code_of(clean_phone, "call me", max_length=30) == "invalid"
    assert code_of(clean_phone, "12-34", max_length=30) == "too_short"
    assert code_of(clean_phone, "0595-23500000", max_length=10) == "max_length"
