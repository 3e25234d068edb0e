"""The API builds its case responses as plain dicts (``api/present.py``); the serializers stay
their description in the schema. Both must give the same JSON, for every state, every reader
and the optional values filled or empty."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import translation

from api import present
from api import serializers as s
from api.moves import allowed_actions
from api.views import _events, requester_context
from cases import services
from cases.models import Case, CaseAssignment, Channel, Status
from cases.scope import can_see_requester

pytestmark = pytest.mark.django_db


def _json(data: Any) -> Any:
    """As the renderer writes it: DRF's ReturnDicts and lazy strings become plain JSON."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def _cases(world) -> list[Case]:
    made = [world.in_status(status) for status in Status.values]
    made.append(world.in_status(Status.CLOSED, "dispute"))
    # The optional values filled: a place on the map, an address, extra details, a resident's
    # own demand (their words only, for them), an extension asked.
    made.append(
        world.report(
            address="鲤城区浔中村12号",
            latitude=Decimal("25.123456"),
            longitude=Decimal("118.654321"),
            details={"来源": "12345", "次数": 2},
            requester_name="",
        )
    )
    made.append(world.report(actor=world.resident, channel=Channel.WEB))
    asked = services.accept_case(world.assigned(), actor=world.handler)
    assert asked.deadline is not None and asked.assigned_at is not None
    made.append(
        services.request_extension(
            asked,
            actor=world.handler,
            until=asked.deadline + (asked.deadline - asked.assigned_at),
            reason="需协调供电所。",
        )
    )
    return made


def _loaded(case: Case, user) -> Case:
    case = Case.objects.select_related(
        "case_type", "category", "region", "lead_unit", "enterprise", "committee",
        "reported_by__person",
    ).get(pk=case.pk)  # fmt: skip
    prefetch_related_objects(
        [case],
        Prefetch("events", _events(user).order_by("created_at", "id")),
        Prefetch(
            "assignments",
            CaseAssignment.objects.select_related("unit").order_by("-is_active", "-is_lead", "id"),
        ),
    )
    return case


def test_detail_and_row_equal_the_serializers(world) -> None:
    readers = [world.dispatcher, world.handler, world.leader, world.grid_worker, world.resident]
    compared = 0
    with translation.override("zh-hans"):
        for made in _cases(world):
            for user in readers:
                case = _loaded(made, user)
                unmasked = can_see_requester(user, case)
                moves = allowed_actions(case, user)
                context = {"unmasked": unmasked, "allowed_moves": moves, **requester_context(user)}
                expected = _json(s.CaseDetailSerializer(case, context=context).data)
                built = _json(
                    present.case_detail(
                        case,
                        events=list(case.events.all()),
                        assignments=list(case.assignments.all()),
                        unmasked=unmasked,
                        allowed_moves=moves,
                        **requester_context(user),
                    )
                )
                assert built == expected, (made.status, user.username)
                row = _json(s.CaseListItemSerializer(case, context={"user": user}).data)
                assert _json(present.case_row(case, unmasked=unmasked)) == row
                compared += 1
    # Masked and unmasked readers, a requester's view, every state: nothing skipped.
    assert compared == (len(Status.values) + 4) * len(readers)


def test_the_optional_values_are_really_compared(world) -> None:
    """The cases above fill what the serializers convert (decimals, times, details, masks), so
    the equality cannot pass on empty fields alone."""
    case = _loaded(
        world.report(
            address="鲤城区浔中村12号",
            latitude=Decimal("25.1"),
            longitude=Decimal("118.654321"),
            details={"来源": "12345"},
        ),
        world.leader,
    )
    built = present.case_detail(
        case,
        events=list(case.events.all()),
        assignments=list(case.assignments.all()),
        unmasked=False,
        allowed_moves=[],
    )
    assert built["latitude"] == "25.100000"
    assert built["reported_at"].endswith("+08:00")
    assert built["requester_phone"] != case.requester_phone
    assert built["address"] != case.address
    assert built["details"] == {"来源": "12345"}
    assert built["events"][0]["kind_label"] == "受理登记"
