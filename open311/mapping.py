"""How a case and its events read as GeoReport v2 service requests and request updates.

Only non-personal fields leave here: never the requester's name, phone, email, device or account.
Each function over a list costs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cases.models import (
    FINAL_STATUSES,
    Case,
    CaseAttachment,
    CaseEvent,
    EventKind,
    Status,
    TimeLimit,
)
from open311.catalog import service_code
from orgs.models import Organisation

OPEN, CLOSED = "open", "closed"
# Honest to the requester: a refused or merged request is finished here, as a closed one is.
CLOSED_STATUSES = frozenset(FINAL_STATUSES)

# Events whose reason is the agency's public word (answers, refusals, progress). Other reasons
# stay inside: return-visit notes and mediation records name people, send-back and extension
# reasons are internal.
PUBLIC_REASON_KINDS = frozenset(
    {"resolved_on_spot", "rejected", "answered", "progress_noted", "reopened", "closed"}
)

# Events that are a step of the type's own loop, told in the type's words (a dispute says 调解
# where a demand says 办理); every other event in the one word of ``EventKind``.
STEP_KINDS = frozenset(
    {
        EventKind.REPORTED,
        EventKind.REJECTED,
        EventKind.TRIAGED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.ANSWERED,
        EventKind.VISITED,
        EventKind.CLOSED,
    }
)


def event_label(event: CaseEvent) -> str:
    if event.kind in STEP_KINDS:
        return event.case.case_type.label(event.to_status)
    return event.get_kind_display()


def w3c(moment: datetime | None) -> str | None:
    """A time in UTC ending in Z, to the second: the form the widest range of clients parses."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def open311_status(status: str) -> str:
    return CLOSED if status in CLOSED_STATUSES else OPEN


def statuses_for(open311_statuses: Iterable[str]) -> list[str]:
    """The case states behind a list of ``open``/``closed``."""
    wanted = set(open311_statuses)
    return [s for s in Status.values if open311_status(s) in wanted]


def _coordinate(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _media_url(request: HttpRequest, attachment: CaseAttachment) -> str:
    # The page that checks the viewer's scope: MEDIA_URL serves no case file.
    path = reverse("caseviews:case-attachment", args=[attachment.case_id, attachment.pk])
    return request.build_absolute_uri(path)


def request_queryset(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The columns a request needs, in one query (types, categories, places, units, masters,
    and the acknowledgement given when it was created over Open311)."""
    return queryset.select_related("case_type", "category", "region", "lead_unit").annotate(
        master_number=F("merged_into__number"),
        acknowledged_notice=F("open311_token__service_notice"),
        acknowledged_expected=F("open311_token__expected_datetime"),
    )


def _status_notes(case: Case, rejection: str | None) -> str:
    label = case.case_type.label(case.status)
    # Annotated by request_queryset.
    master_number = getattr(case, "master_number", None)
    if case.status == Status.MERGED and master_number:
        return _("%(label)s：与 %(number)s 合并办理") % {
            "label": label,
            "number": master_number,
        }
    detail = rejection if case.status == Status.REJECTED else case.answer
    return f"{label}：{detail}" if detail else label


def _service_notice(case: Case) -> str | None:
    """The deadline while open with one; before it, what the request was told on creation."""
    if case.status in CLOSED_STATUSES:
        return None
    if case.deadline is None:
        return getattr(case, "acknowledged_notice", None) or None
    notice = _("办理期限：%(deadline)s") % {"deadline": local_text(case.deadline)}
    if case.is_overdue:
        notice += _("（已超期）")
    return notice


def requests_data(cases: Sequence[Case], request: HttpRequest) -> list[dict]:
    """The service requests of ``cases`` (read through ``request_queryset``): two more queries
    at most, one for their media and one for the reasons of the refused ones."""
    ids = [c.pk for c in cases]
    media: dict[int, str] = {}
    if ids:
        for attachment in CaseAttachment.objects.filter(case_id__in=ids).order_by(
            "uploaded_at", "pk"
        ):
            media.setdefault(attachment.case_id, _media_url(request, attachment))
    rejected = [c.pk for c in cases if c.status == Status.REJECTED]
    reasons = dict(
        CaseEvent.objects.filter(case_id__in=rejected, kind="rejected")
        .order_by("created_at", "pk")
        .values_list("case_id", "reason")
        if rejected
        else []
    )
    result = []
    for case in cases:
        open311 = case.details.get("open311", {}) if isinstance(case.details, dict) else {}
        result.append(
            {
                "service_request_id": case.number,
                "status": open311_status(case.status),
                "status_notes": _status_notes(case, reasons.get(case.pk)),
                "service_name": case.category.name if case.category else case.case_type.name,
                "service_code": service_code(
                    case.case_type.code, case.category.code if case.category else None
                ),
                "description": case.description,
                "agency_responsible": case.lead_unit.name if case.lead_unit else None,
                "service_notice": _service_notice(case),
                "requested_datetime": w3c(case.reported_at),
                "updated_datetime": w3c(case.updated_at),
                "expected_datetime": w3c(
                    case.deadline or getattr(case, "acknowledged_expected", None)
                ),
                "address": case.address or case.region.name,
                "address_id": case.region.code,
                "zipcode": None,
                "lat": _coordinate(case.latitude),
                "long": _coordinate(case.longitude),
                "media_url": media.get(case.pk) or open311.get("media_url") or None,
            }
        )
    return result


def creation_notice(case: Case) -> str | None:
    """What the requester is told at once: the handling limit of the case's type and priority."""
    limit = TimeLimit.objects.filter(case_type_id=case.case_type_id, priority=case.priority).first()
    if limit is None:
        return None
    return _("%(priority)s事项自交办之日起%(amount)s个%(unit)s内办结，办理情况可凭编号查询。") % {
        "priority": case.get_priority_display(),
        "amount": limit.amount,
        "unit": limit.get_unit_display(),
    }


def update_queryset(queryset: QuerySet[CaseEvent]) -> QuerySet[CaseEvent]:
    return queryset.select_related("case", "case__case_type")


def _update_text(event: CaseEvent, units: dict[int, str]) -> str:
    label = event_label(event)
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind == "assigned" and data.get("lead_unit") in units:
        return _("%(label)s：由%(unit)s主办") % {"label": label, "unit": units[data["lead_unit"]]}
    if event.kind == "extension_approved" and data.get("to"):
        moment = parse_datetime(data["to"])
        if moment is not None:
            return _("%(label)s：办理期限延至%(deadline)s") % {
                "label": label,
                "deadline": local_text(moment),
            }
    if event.kind in PUBLIC_REASON_KINDS and event.reason:
        return f"{label}：{event.reason}"
    return str(label)


def updates_data(events: Sequence[CaseEvent], request: HttpRequest) -> list[dict]:
    """The mySociety request updates of ``events`` (read through ``update_queryset``): two more
    queries at most, the media posted with them and the names of the units they assign."""
    case_ids = {e.case_id for e in events}
    media: dict[tuple[int, datetime], str] = {}
    if case_ids:
        for attachment in CaseAttachment.objects.filter(case_id__in=case_ids).order_by(
            "uploaded_at", "pk"
        ):
            # Media posted with a move carry the move's time (report_case stamps both with it).
            key = (attachment.case_id, attachment.uploaded_at)
            media.setdefault(key, _media_url(request, attachment))
    unit_ids = {
        e.data.get("lead_unit")
        for e in events
        if e.kind == "assigned" and isinstance(e.data, dict) and e.data.get("lead_unit")
    }
    units = (
        dict(Organisation.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
        if unit_ids
        else {}
    )
    return [
        {
            "update_id": str(event.pk),
            "service_request_id": event.case.number,
            "status": open311_status(event.to_status),
            "updated_datetime": w3c(event.created_at),
            "description": _update_text(event, units),
            "media_url": media.get((event.case_id, event.created_at)),
        }
        for event in events
    ]
