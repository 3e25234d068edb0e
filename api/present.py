"""The case API's responses as plain dicts, built straight from the rows.

The serializers of ``api/serializers.py`` stay the description of these shapes (the OpenAPI
schema); ``api/tests/test_present.py`` proves that both give the same JSON for cases in every
state, masked and unmasked, seen by staff and by a requester. Instantiating the ~90 DRF fields
of a case with its timeline cost a move request more than the move itself (7.7 of 18 ms in
process, ``bench/server_time.py``), so the responses are built here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from cases.models import Case, CaseAssignment, CaseEvent, EventKind
from cases.scope import REQUESTER_TEXT_KINDS, names_the_requester
from people.masking import mask_address, mask_details, mask_name, mask_phone


def _moment(value: datetime | None) -> str | None:
    """DRF's DateTimeField: in the current time zone, ISO 8601, UTC written as Z."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _decimal(places: int) -> Callable[[Decimal | None], str | None]:
    """DRF's DecimalField with its default COERCE_DECIMAL_TO_STRING: quantised, as a string."""
    step = Decimal(1).scaleb(-places)

    def convert(value: Decimal | None) -> str | None:
        return None if value is None else f"{Decimal(value).quantize(step):f}"

    return convert


def _converters(model: type[models.Model], names: list[str]) -> list[tuple[str, Callable]]:
    """(attribute, converter) for the plain columns among ``names``; None stays None."""
    result: list[tuple[str, Callable]] = []
    for name in names:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            result.append((name, _moment))
        elif isinstance(field, models.DecimalField):
            result.append((name, _decimal(field.decimal_places)))
        else:
            result.append((name, _same))
    return result


_KIND_LABELS = dict(EventKind.choices)


def _same(value: Any) -> Any:
    return value


def _unit(unit: Any) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name}


def _user(user: Any, hide_requester_of: Case | None = None) -> dict[str, Any] | None:
    """A user reference; the requester's own name masked for a reader who may not see the
    requester of ``hide_requester_of`` (a resident who filed it, added to it, rated it)."""
    if user is None:
        return None
    if hide_requester_of is not None and names_the_requester(user, hide_requester_of):
        return {"id": user.pk, "name": mask_name(user.display_name)}
    return {"id": user.pk, "name": user.display_name}


_ROW_COLUMNS = _converters(
    Case,
    ["id", "number", "title", "status", "priority", "channel", "deadline", "is_overdue",
     "supervision_level", "reported_at", "updated_at", "version"],
)  # fmt: skip
_DETAIL_COLUMNS = _converters(
    Case,
    ["description", "latitude", "longitude", "response_deadline", "contact_deadline",
     "contacted_at", "clock_paused_at", "escalation_level", "pending_extension_until",
     "extension_count", "send_back_count", "reopen_count", "rework_count", "triaged_at",
     "assigned_at", "accepted_at", "first_answered_at", "answered_at", "visited_at", "closed_at",
     "answer", "resolved_on_spot", "answered_on_time", "handling_hours", "visit_valid",
     "visit_contacted", "visit_resolved", "visit_satisfaction", "risk_level",
     "mediation_outcome"],
)  # fmt: skip


def case_row(case: Case, *, unmasked: bool) -> dict[str, Any]:
    """One row of the case list (``CaseListItemSerializer``); the to-one relations loaded."""
    row = {name: convert(getattr(case, name)) for name, convert in _ROW_COLUMNS}
    category = case.category
    data = {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "status": row["status"],
        "status_label": str(case.status_label),
        "case_type": {"code": case.case_type.code, "name": case.case_type.name},
        "category": None
        if category is None
        else {"id": category.pk, "code": category.code, "name": category.name},
        "priority": row["priority"],
        "channel": row["channel"],
        "region": {"id": case.region.pk, "code": case.region.code, "name": case.region.name},
        "lead_unit": _unit(case.lead_unit),
        "enterprise": _unit(case.enterprise),
        "requester_name": case.requester_name if unmasked else mask_name(case.requester_name),
    }
    for name in ("deadline", "is_overdue", "supervision_level", "reported_at", "updated_at"):
        data[name] = row[name]
    data["version"] = row["version"]
    return data


def event(
    item: CaseEvent,
    *,
    for_requester: bool = False,
    viewer_id: int | None = None,
    hide_requester_of: Case | None = None,
) -> dict:
    """One event (``EventSerializer``): a requester reads only the texts written for them, and
    no staff member's name; with ``hide_requester_of``, the requester's own name masked."""
    actor = _user(item.actor, hide_requester_of)
    reason = item.reason
    if for_requester:
        if item.kind not in REQUESTER_TEXT_KINDS:
            reason = ""
        if item.actor_id != viewer_id:
            actor = None
    return {
        "id": item.pk,
        "case": item.case_id,
        "kind": item.kind,
        # The choices' own labels: get_kind_display() hashes every choice on each call.
        "kind_label": str(_KIND_LABELS.get(item.kind, item.kind)),
        "via": item.via,
        "from_status": item.from_status,
        "to_status": item.to_status,
        "actor": actor,
        "reason": reason,
        "data": {str(key): value for key, value in item.data.items()},
        "created_at": _moment(item.created_at),
    }


def assignment(item: CaseAssignment) -> dict[str, Any]:
    return {
        "unit": _unit(item.unit),
        "is_lead": item.is_lead,
        "is_active": item.is_active,
        "assigned_at": _moment(item.assigned_at),
        "accepted_at": _moment(item.accepted_at),
    }


def case_detail(
    case: Case,
    *,
    events: list[CaseEvent],
    assignments: list[CaseAssignment],
    unmasked: bool,
    allowed_moves: list[dict[str, str]],
    for_requester: bool = False,
    viewer_id: int | None = None,
) -> dict[str, Any]:
    """A case with its timeline, its units and the caller's moves (``CaseDetailSerializer``);
    the to-one relations loaded, ``events`` with their actors."""
    data = case_row(case, unmasked=unmasked)
    hidden = None if unmasked else case
    version = data.pop("version")
    detail = {name: convert(getattr(case, name)) for name, convert in _DETAIL_COLUMNS}
    data.update(
        description=detail["description"],
        requester_phone=case.requester_phone if unmasked else mask_phone(case.requester_phone),
        address=case.address if unmasked else mask_address(case.address),
        latitude=detail["latitude"],
        longitude=detail["longitude"],
        committee=_unit(case.committee),
        reported_by=_user(case.reported_by, hidden),
    )
    for name in ("response_deadline", "contact_deadline", "contacted_at", "clock_paused_at",
                 "escalation_level", "pending_extension_until", "extension_count",
                 "send_back_count", "reopen_count", "rework_count", "triaged_at", "assigned_at",
                 "accepted_at", "first_answered_at", "answered_at", "visited_at", "closed_at",
                 "answer"):  # fmt: skip
        data[name] = detail[name]
    data["version"] = version
    data["policy"] = case.policy_id
    data["station"] = case.station_id
    for name in ("resolved_on_spot", "answered_on_time", "handling_hours", "visit_valid",
                 "visit_contacted", "visit_resolved", "visit_satisfaction", "risk_level",
                 "mediation_outcome"):  # fmt: skip
        data[name] = detail[name]
    data["merged_into"] = case.merged_into_id
    data["split_from"] = case.split_from_id
    details = {str(key): value for key, value in case.details.items()}
    data["details"] = details if unmasked else mask_details(details)
    data["assignments"] = [assignment(item) for item in assignments]
    data["events"] = [
        event(item, for_requester=for_requester, viewer_id=viewer_id, hide_requester_of=hidden)
        for item in events
    ]
    data["allowed_moves"] = allowed_moves
    return data


def moved(case: Case) -> dict[str, Any]:
    """A move's minimal answer (``MovedCaseSerializer``)."""
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "version": case.version,
        "updated_at": _moment(case.updated_at),
    }
