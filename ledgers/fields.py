"""Turning one ledger cell into a clean value, or a precise Chinese reason why it cannot be.

Each parser takes the raw cell value (str, int, float, datetime or None) and returns the clean
value, or raises :class:`FieldError` whose message completes "第5行 统一社会信用代码：…".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from orgs.credit_code import ALPHABET, validate_credit_code
from people import validators

# A float holds 15 significant digits: a longer number typed into a numeric cell has lost digits.
_FLOAT_DIGITS = 15


class FieldError(ValueError):
    """A cell that cannot be accepted; the message is the reason shown to the user."""


def text(value: Any, *, max_length: int | None = None, required: bool = False) -> str:
    """A cell as trimmed text (half-width), with numbers written the way Excel shows them."""
    if value is None:
        result = ""
    elif isinstance(value, bool):
        result = _("是") if value else _("否")
    elif isinstance(value, float):
        result = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime | date):
        result = value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    else:
        result = str(value)
    result = unicodedata.normalize("NFKC", result).strip()
    if required and not result:
        raise FieldError(_("必填，不能为空"))
    if max_length is not None and len(result) > max_length:
        raise FieldError(
            _("不能超过%(n)d个字（当前%(len)d个）") % {"n": max_length, "len": len(result)}
        )
    return result


def code_text(value: Any, *, required: bool = False) -> str:
    """A code that must have been typed as text: a long number in a numeric cell lost digits."""
    if isinstance(value, float) and abs(value) >= 10**_FLOAT_DIGITS:
        raise FieldError(_("数字超过15位，Excel 已丢失末尾数字，请将该列设为“文本”格式后重新填写"))
    return re.sub(r"\s+", "", text(value, required=required)).upper()


def credit_code(value: Any, *, required: bool = True) -> str:
    """A 统一社会信用代码, checked with orgs.credit_code (GB 32100-2015)."""
    code = code_text(value, required=required)
    if not code:
        return ""
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        reasons = {
            "length": _("应为18位（当前%(n)d位）") % {"n": len(code)},
            "charset": _("含有非法字符：%(chars)s（代码不使用 I、O、Z、S、V）")
            % {"chars": "".join(sorted({ch for ch in code if ch not in ALPHABET}))},
            "checksum": _("校验位错误"),
        }
        raise FieldError(reasons.get(exc.code or "", " ".join(exc.messages))) from exc
    return code


def _checked(clean: Callable[[str], str], value: str) -> str:
    """``clean`` from ``people.validators`` (the API's check too), its error as a FieldError."""
    try:
        return clean(value)
    except ValidationError as exc:
        raise FieldError(" ".join(exc.messages)) from exc


def id_number(value: Any, *, required: bool = False) -> str:
    """A resident ID number (GB 11643-1999): 18 characters, a real birth date, a check digit."""
    return _checked(validators.clean_id_number, code_text(value, required=required))


def mobile(value: Any, *, required: bool = False) -> str:
    """A mainland mobile number: 11 digits starting with 1 (spaces and dashes are dropped)."""
    return _checked(validators.clean_mobile, code_text(value, required=required))


def phone(value: Any, *, max_length: int, required: bool = False) -> str:
    """Any phone number (mobile or landline with area code and extension)."""
    number = text(value, required=required)
    return _checked(partial(validators.clean_phone, max_length=max_length), number)


def choice(value: Any, options: Mapping[str, str], *, required: bool = False) -> str:
    """One of the allowed labels (``options`` maps every accepted spelling to the stored value)."""
    label = text(value, required=required)
    if not label:
        return ""
    compact = re.sub(r"\s+", "", label)
    if compact in options:
        return options[compact]
    shown = list(dict.fromkeys(k for k in options if not k.isascii()))
    raise FieldError(
        _("“%(v)s”不是允许的值，应为：%(allowed)s")
        % {"v": label, "allowed": "、".join(shown or options)}
    )


def yes_no(value: Any) -> bool | None:
    """是/否 (None when blank)."""
    if isinstance(value, bool):
        return value
    label = text(value)
    if not label:
        return None
    if label in ("是", "Y", "y", "1", "TRUE", "True", "true"):
        return True
    if label in ("否", "N", "n", "0", "FALSE", "False", "false"):
        return False
    raise FieldError(_("应填“是”或“否”（当前为“%(v)s”）") % {"v": label})


def non_negative_int(value: Any) -> int | None:
    """A count such as 从业人数: a whole number ≥ 0 (None when blank)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FieldError(_("应为整数"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raw = text(value).replace(",", "")
        if not re.fullmatch(r"-?\d+", raw):
            raise FieldError(_("应为整数（当前为“%(v)s”）") % {"v": text(value)})
        number = int(raw)
    if number < 0:
        raise FieldError(_("不能为负数"))
    if number > 2_147_483_647:
        raise FieldError(_("数值过大"))
    return number


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日",
)


def local_datetime(value: Any) -> datetime | None:
    """A date or date-time (an Excel date, or text like 2024-05-01 09:30), as aware local time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell that lost its date format shows as an Excel serial number.
        try:
            moment = from_excel(value)
        except (ValueError, OverflowError) as exc:
            raise FieldError(_("不是有效的日期")) from exc
        if not isinstance(moment, datetime):
            raise FieldError(_("不是有效的日期"))
    else:
        raw = text(value)
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(raw, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        else:
            raise FieldError(
                _("“%(v)s”不是有效的日期，应为 2024-05-01 或 2024-05-01 09:30") % {"v": raw}
            )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise FieldError(_("不能晚于当前时间"))
    if moment.year < 1990:
        raise FieldError(_("日期过早（%(y)d年），请核对") % {"y": moment.year})
    return moment
