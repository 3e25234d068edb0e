"""Reading GeoReport v2 parameters from wherever a client puts them, and checking their form.

Parameters come from the query string, an urlencoded body or a multipart body alike; a body
value wins over a query-string value of the same name. Every bad value is a 400 in the error
format, never an exception that reaches Django's error pages.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from open311.formats import Open311Error

# Control characters other than tab and line breaks: PostgreSQL refuses NUL, XML refuses all.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# ``attribute[code]`` and ``attribute[code][]`` (a multivaluelist), as the specification writes them.
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# An unencoded ``+hh:mm`` offset arrives as `` hh:mm`` after form decoding.
_DECODED_PLUS = re.compile(r" (\d\d:?\d\d)$")


# Identifiers the database is searched by. Free text loses its control characters; an identifier
# holding one is refused, never quietly changed into another (and PostgreSQL refuses NUL in text).
ID_PARAMS = frozenset({"service_request_id", "service_code", "address_id", "api_key"})


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value).strip()


def check_id(name: str, value: str) -> str:
    """``value`` stripped, or a 400 if it holds a control character."""
    if _CONTROL.search(value):
        raise Open311Error(400, _("%(name)s 不能包含控制字符。") % {"name": name})
    return value.strip()


class Params:
    """The merged parameters of one request."""

    def __init__(self, request: HttpRequest) -> None:
        merged = QueryDict(mutable=True)
        try:
            merged.update(request.GET)
            if request.method == "POST":
                merged.update(request.POST)
                self.files = list(request.FILES.getlist("media"))
            else:
                self.files = []
        except RequestDataTooBig as error:
            raise Open311Error(400, _("请求内容过大。")) from error
        except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as error:
            raise Open311Error(
                400, _("无法解析请求内容，请使用 urlencoded 或 multipart 格式。")
            ) from error
        self._data = merged

    def get(self, name: str) -> str:
        """The value of ``name`` (the last one given), cleaned; empty when absent."""
        values = self._data.getlist(name)
        if not values:
            return ""
        if name in ID_PARAMS:
            return check_id(name, values[-1])
        return clean_text(values[-1])

    def has(self, name: str) -> bool:
        return bool(self.get(name))

    def attributes(self) -> dict[str, str | list[str]]:
        """``attribute[code]=value`` pairs; a ``[]`` code gives the list of its values."""
        result: dict[str, str | list[str]] = {}
        for key in self._data:
            match = _ATTRIBUTE.match(key)
            if not match:
                continue
            code = clean_text(match.group(1))
            values = [clean_text(v) for v in self._data.getlist(key)]
            values = [v for v in values if v]
            if match.group(2):
                result[code] = values
            elif values:
                result[code] = values[-1]
        return result


def comma_list(value: str) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))


def parse_moment(name: str, value: str, *, end_of_day: bool = False) -> datetime:
    """A W3C date-time; a time without offset is local (Asia/Shanghai); a bare date is its start
    (or its end, for an end date)."""
    text = _DECODED_PLUS.sub(r"+\1", value.strip())
    moment: datetime | None
    try:
        # A bare date first: Python's ISO parser would read it as midnight, even for an end date.
        day = parse_date(text) if len(text) == 10 else None
        if day is not None:
            moment = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s 不是有效的时间，请使用 W3C 格式，如 2026-11-24T03:04:05Z。")
            % {"name": name},
        )
    if not 1900 <= moment.year <= 2999:
        raise Open311Error(400, _("%(name)s 超出可查询的时间范围。") % {"name": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def positive_int(name: str, value: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise Open311Error(400, _("%(name)s 必须是正整数。") % {"name": name})
    return min(int(value), maximum)
