"""The two wire formats of GeoReport v2, as the specification prints them, and its error format.

Every response is built as plain data (lists, dicts, strings, numbers, booleans, None) and
rendered here: JSON with ``null`` for a missing value, XML with an empty element for it, both
UTF-8, XML with the declaration the specification asks for.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = ("json", "xml")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

# The element of each item of a list, by the element of the list (the specification's nesting).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

# Characters XML 1.0 cannot carry at all; text is stored as given, so they are dropped on output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An answer in the error format: one HTTP status and one or more descriptions."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, XML_ITEMS[name], item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> str:
    """The document: ``root`` holds ``data`` (a list of items, or the fields of one object)."""
    element = ElementTree.Element(root)
    _fill(element, root, data)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def render(data: Any, fmt: str, root: str, *, status: int = 200) -> HttpResponse:
    """The response in ``fmt``; ``root`` names the XML root element (JSON has no root)."""
    if fmt == "json":
        body, content_type = to_json(data), JSON_CONTENT_TYPE
    else:
        body, content_type = to_xml(root, data), XML_CONTENT_TYPE
    response = HttpResponse(body.encode("utf-8"), content_type=content_type, status=status)
    # Read-only data and key-in-parameter auth: browser clients on other origins may call it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_error(status: int, descriptions: list[str], fmt: str) -> HttpResponse:
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(errors, fmt, "errors", status=status)
