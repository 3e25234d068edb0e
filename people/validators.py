"""Phone numbers and resident ID numbers: one check for every way in (the Excel importer in
``ledgers.fields``, the registry API in ``api.registries``).

Each ``clean_*`` takes the text as typed and returns it in the form stored (half-width, without
spaces; an ID number's check character upper-case; a mobile number without "+86" and dashes),
"" for blank, or raises Django's ``ValidationError`` with a code and a message that completes
"身份证号：…" (the importer prefixes the row and column, the API names the field).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: the weights of the first 17 digits, and the check character of the sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MIN_PHONE_DIGITS = 7


def compact(value: str) -> str:
    """Half-width, upper-case, without whitespace: a code as typed with spaces or in full width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (tests and demo data use it)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def clean_id_number(value: str) -> str:
    """A resident ID number (GB 11643-1999): 18 characters, a real birth date, a check digit."""
    number = compact(value)
    if not number:
        return ""
    if len(number) != 18:
        raise ValidationError(
            _("应为18位（当前%(n)d位）"), code="length", params={"n": len(number)}
        )
    # [0-9], not \d or isdigit(): those accept other scripts' digits (٣), which int() reads.
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(_("前17位应为数字，末位应为数字或X"), code="charset")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > timezone.localdate():
        raise ValidationError(
            _("出生日期无效：%(d)s"), code="birth_date", params={"d": number[6:14]}
        )
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("校验位错误"), code="checksum")
    return number


def clean_mobile(value: str) -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces, dashes and +86 dropped)."""
    number = re.sub(r"-", "", compact(value))
    if number.startswith("+86"):
        number = number[3:]
    if not number:
        return ""
    if not re.fullmatch(r"1[0-9]{10}", number):
        raise ValidationError(
            _("应为以1开头的11位手机号码（当前为“%(v)s”）"), code="invalid", params={"v": number}
        )
    return number


def clean_phone(value: str, *, max_length: int) -> str:
    """Any phone number: a mobile, or a landline with area code and extension (0595-2350000转8)."""
    number = unicodedata.normalize("NFKC", value).strip()
    if not number:
        return ""
    if not re.fullmatch(r"[0-9\-+() 转,;/、]+", number):
        raise ValidationError(
            _("只能包含数字、“-”、括号和“转”（当前为“%(v)s”）"),
            code="invalid",
            params={"v": number},
        )
    if sum(ch.isdigit() for ch in number) < MIN_PHONE_DIGITS:
        raise ValidationError(_("号码位数不足（至少7位数字）"), code="too_short")
    if len(number) > max_length:
        raise ValidationError(_("不能超过%(n)d个字符"), code="max_length", params={"n": max_length})
    return number
