"""Small helpers of the API tests: URLs, the error shape, the last event of a case."""

from __future__ import annotations

from typing import Any

from cases.models import CaseEvent


def case_url(case_id: int, action: str = "") -> str:
    return f"/api/v1/cases/{case_id}/" + (f"{action}/" if action else "")


def assert_error(response: Any, status: int, code: str, field: str | None = "-") -> dict:
    """The response is the one error shape with this status and (first) code and field."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message", "message_en"}, item
        assert item["message"] and item["message_en"], item
    codes = [item["code"] for item in body["errors"]]
    assert code in codes, body
    if field != "-":
        assert field in [item["field"] for item in body["errors"]], body
    return body


def last_kind(case_id: int) -> str:
    return (
        CaseEvent.objects.filter(case_id=case_id).order_by("-id").values_list("kind", flat=True)[0]
    )
