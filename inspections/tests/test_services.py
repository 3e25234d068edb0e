"""create_campaign and log_inspection: the inspection and its hazard cases in one transaction,
idempotent by token, who may log, its event."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, Channel, Priority
from inspections import services
from inspections.models import (
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionResult,
    Severity,
)
from inspections.tests.helpers import finding, inspect


def test_creating_a_campaign_logs_an_event(iw):
    event = InspectionEvent.objects.get(kind=InspectionEventKind.CAMPAIGN_CREATED)
    assert event.campaign == iw.campaign and event.actor == iw.world.dispatcher


def test_a_grid_worker_may_not_open_a_campaign(iw):
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            name="自建房安全排查",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 30),
            region=iw.world.town,
            actor=iw.world.grid_worker,
        )


def test_a_campaign_ending_before_it_starts_is_refused(iw):
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(
            name="自建房安全排查",
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 1, 1),
            region=iw.world.town,
            actor=iw.world.dispatcher,
        )
    assert exc.value.error_dict["ends_on"][0].code == "before_start"


def test_each_finding_opens_a_hazard_case_in_the_same_transaction(iw):
    made = inspect(
        iw,
        findings=[
            finding(severity=Severity.SERIOUS),
            finding("配电箱无漏电保护。", rectify_by=timezone.localdate() + timedelta(days=7)),
        ],
    )
    assert made.result == InspectionResult.HAZARDS
    found = list(made.findings.select_related("case__case_type"))
    assert len(found) == 2
    assert {f.case.case_type.code for f in found} == {"hazard"}
    assert found[0].case.priority == Priority.URGENT
    assert found[0].case.channel == Channel.VISIT
    assert found[0].case.region == iw.world.grid
    event = InspectionEvent.objects.get(kind=InspectionEventKind.INSPECTION_LOGGED)
    assert event.inspection == made and event.data["cases"] == [f.case_id for f in found]


def test_an_inspection_without_findings_is_clear(iw):
    made = inspect(iw)
    assert made.result == InspectionResult.CLEAR and not Case.objects.exists()


def test_a_refused_finding_saves_nothing(iw):
    with pytest.raises(ValidationError) as exc:
        inspect(iw, findings=[finding(), finding("   ")])
    assert "findings.1.description" in exc.value.error_dict
    assert not Inspection.objects.exists() and not Case.objects.exists()
    assert not InspectionEvent.objects.filter(kind=InspectionEventKind.INSPECTION_LOGGED).exists()


def test_a_rectify_date_before_the_inspection_is_refused(iw):
    with pytest.raises(ValidationError) as exc:
        inspect(iw, findings=[finding(rectify_by=timezone.localdate() - timedelta(days=1))])
    assert exc.value.error_dict["findings.0.rectify_by"][0].code == "before_inspection"


def test_resubmitting_with_the_token_creates_nothing_twice(iw):
    token = uuid.uuid4()
    first = inspect(iw, findings=[finding()], token=token)
    again = inspect(iw, findings=[finding()], token=token)
    assert again.pk == first.pk
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 1
    assert Case.objects.count() == 1


def test_another_users_token_is_refused(iw):
    token = uuid.uuid4()
    inspect(iw, token=token)
    with pytest.raises(ValidationError) as exc:
        inspect(iw, actor=iw.world.dispatcher, token=token)
    assert exc.value.error_dict["token"][0].code == "token_reused"


def test_a_grid_worker_may_not_log_outside_their_grid(iw):
    with pytest.raises(PermissionDenied):
        inspect(iw, actor=iw.world.grid_worker, region=iw.world.other_grid)


def test_the_lead_units_staff_log_anywhere_in_the_campaign(iw):
    made = inspect(iw, actor=iw.lead_handler, region=iw.world.other_grid, findings=[finding()])
    assert made.findings.get().case.region == iw.world.other_grid


def test_the_lead_units_staff_log_nothing_outside_a_campaign(iw):
    with pytest.raises(PermissionDenied):
        inspect(iw, actor=iw.lead_handler, campaign=None)


def test_a_date_outside_the_campaign_is_refused(iw):
    day = iw.campaign.starts_on - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        inspect(iw, inspected_on=day)
    assert exc.value.error_dict["inspected_on"][0].code == "outside_campaign"


def test_a_firm_is_a_target(iw):
    made = inspect(
        iw,
        region=iw.world.town,
        actor=iw.world.dispatcher,
        target_name="",
        enterprise=iw.world.enterprise,
        findings=[finding()],
    )
    assert made.target == iw.world.enterprise.name
    assert made.findings.get().case.enterprise == iw.world.enterprise
