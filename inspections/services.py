"""Every change of the inspections app: one transaction each, with its ``InspectionEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code (a finding's error as
``findings.<row>.<field>``), ``PermissionDenied`` for a caller outside ``inspections.scope``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases import services as cases
from cases.models import CaseType, Channel, Via
from inspections import scope
from inspections.models import (
    HAZARD_TYPE_CODE,
    SEVERITY_PRIORITY,
    Campaign,
    CampaignStatus,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionResult,
    Severity,
)
from orgs.models import Organisation, OrgKind
from people.models import Person, User
from regions.models import Region

TITLE_LENGTH = 20


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _log(kind: str, actor: User | None, **fields: Any) -> InspectionEvent:
    return InspectionEvent.objects.create(kind=kind, actor=actor, **fields)


NAME_LENGTH = Campaign._meta.get_field("name").max_length or 150
# The statuses a campaign is opened or changed to; 已结束 only through ``close_campaign``.
OPEN_STATUSES = (CampaignStatus.PLANNED, CampaignStatus.ACTIVE)


def _check_campaign(
    *, name: str, starts_on: date, ends_on: date, lead_unit: Organisation | None, status: str
) -> str:
    """The campaign's own fields; the name as it is stored."""
    name = name.strip()
    if not name:
        raise _error("name", _("请填写专项行动名称。"), "required")
    if len(name) > NAME_LENGTH:
        raise _error("name", _("名称不能超过 %(limit)d 个字。"), "max_length", limit=NAME_LENGTH)
    if ends_on < starts_on:
        raise _error("ends_on", _("结束日期不能早于开始日期。"), "before_start")
    if status not in OPEN_STATUSES:
        raise _error("status", _("状态无效。"), "invalid_choice")
    if lead_unit is not None and lead_unit.kind == OrgKind.ENTERPRISE:
        raise _error("lead_unit", _("牵头单位不能是企业。"), "enterprise")
    return name


def create_campaign(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    region: Region,
    lead_unit: Organisation | None = None,
    description: str = "",
    status: str = CampaignStatus.ACTIVE,
    actor: User,
) -> Campaign:
    """Open a special campaign (专项行动) over ``region``, led by ``lead_unit``."""
    if not scope.may_open_campaign(actor, region):
        raise PermissionDenied(_("您无权在该区域开展专项行动。"))
    name = _check_campaign(
        name=name, starts_on=starts_on, ends_on=ends_on, lead_unit=lead_unit, status=status
    )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            region=region,
            lead_unit=lead_unit,
            description=description.strip(),
            status=status,
            created_by=actor,
        )
        _log(
            InspectionEventKind.CAMPAIGN_CREATED,
            actor,
            campaign=campaign,
            data={
                "name": name,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "region": region.pk,
                "lead_unit": lead_unit.pk if lead_unit else None,
            },
        )
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    locked = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("region", "lead_unit")
        .get(pk=campaign.pk)
    )
    if locked.status == CampaignStatus.FINISHED:
        raise _error("status", _("该专项行动已结束，不能再修改。"), "finished")
    return locked


def _keeps_inspections(campaign: Campaign, starts_on: date, ends_on: date, region: Region) -> None:
    """A change may not leave an inspection already logged outside the campaign."""
    logged = campaign.inspections.all()
    outside = logged.exclude(inspected_on__range=(starts_on, ends_on)).order_by("inspected_on")
    first = outside.values_list("inspected_on", flat=True).first()
    if first is not None:
        field = "starts_on" if first < starts_on else "ends_on"
        raise _error(
            field,
            _("已有 %(day)s 的排查记录，专项行动期间必须包含它。"),
            "excludes_inspections",
            day=first,
        )
    inside = Q(region__path__gte=region.path, region__path__lt=region.path_range_end)
    if logged.exclude(inside).exists():
        raise _error(
            "region", _("已有排查记录在新的范围之外，不能缩小范围。"), "excludes_inspections"
        )


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Region | Organisation):
        return value.pk
    return value


def change_campaign(
    campaign: Campaign,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    region: Region,
    lead_unit: Organisation | None = None,
    description: str = "",
    status: str | None = None,
    actor: User,
) -> Campaign:
    """修改专项行动: its name, period, region, lead unit, requirements and whether it is under
    way; the inspections already logged must stay inside it. An ended campaign stays as it is.
    Nothing changed writes nothing."""
    if not scope.may_run(actor, campaign):
        raise PermissionDenied(_("您无权修改该专项行动。"))
    if region.pk != campaign.region_id and not scope.may_open_campaign(actor, region):
        raise PermissionDenied(_("您无权在该区域开展专项行动。"))
    status = status or campaign.status
    if campaign.status == CampaignStatus.FINISHED:
        raise _error("status", _("该专项行动已结束，不能再修改。"), "finished")
    name = _check_campaign(
        name=name, starts_on=starts_on, ends_on=ends_on, lead_unit=lead_unit, status=status
    )
    wanted: dict[str, Any] = {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "region": region,
        "lead_unit": lead_unit,
        "description": description.strip(),
        "status": status,
    }
    with transaction.atomic():
        locked = _locked(campaign)
        _keeps_inspections(locked, starts_on, ends_on, region)
        changes = {
            field: [_value(getattr(locked, field)), _value(value)]
            for field, value in wanted.items()
            if _value(getattr(locked, field)) != _value(value)
        }
        if not changes:
            return locked
        for field, value in wanted.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(wanted))
        _log(
            InspectionEventKind.CAMPAIGN_CHANGED,
            actor,
            campaign=locked,
            data={"changes": changes},
        )
    return locked


def close_campaign(campaign: Campaign, *, actor: User, note: str = "") -> Campaign:
    """结束专项行动: no more inspections are logged in it; its totals and cases stay."""
    if not scope.may_run(actor, campaign):
        raise PermissionDenied(_("您无权结束该专项行动。"))
    with transaction.atomic():
        locked = _locked(campaign)
        before = locked.status
        locked.status = CampaignStatus.FINISHED
        locked.save(update_fields=["status"])
        _log(
            InspectionEventKind.CAMPAIGN_CLOSED,
            actor,
            campaign=locked,
            data={"from": before, "note": note.strip()[:500]},
        )
    return locked


@dataclass(frozen=True)
class FindingInput:
    """One hazard found: it becomes one hazard case (安全隐患) at the inspection's place."""

    description: str
    severity: str = Severity.ORDINARY
    rectify_by: date | None = None


def rectify_deadline(day: date) -> datetime:
    """The case deadline of a finding to be rectified by ``day``: the end of that working day
    (the next working day's if ``day`` is a holiday), as the engine counts a day's limit."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return deadlines.add_working_days(start, 0)


def _title(target: str, description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return f"{target}：{first}"[:TITLE_LENGTH] if target else first[:TITLE_LENGTH]


def _check(
    *,
    campaign: Campaign | None,
    region: Region,
    enterprise: Organisation | None,
    target_name: str,
    inspected_on: date,
    inspectors: Sequence[Person],
    findings: Sequence[FindingInput],
) -> None:
    if enterprise is not None and enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("排查对象只能是企业。"), "not_enterprise")
    if enterprise is None and not target_name:
        raise _error("target_name", _("请选择企业或填写排查对象。"), "required")
    if inspected_on > timezone.localdate():
        raise _error("inspected_on", _("排查日期不能晚于今天。"), "future")
    if campaign is not None:
        if campaign.status == CampaignStatus.FINISHED:
            raise _error("campaign", _("该专项行动已结束，不能再登记排查。"), "finished")
        if not (campaign.region.path <= region.path < campaign.region.path_range_end):
            raise _error("region", _("该地点不在专项行动范围内。"), "outside_campaign")
        if not (campaign.starts_on <= inspected_on <= campaign.ends_on):
            raise _error(
                "inspected_on",
                _("排查日期不在专项行动期间（%(start)s 至 %(end)s）。"),
                "outside_campaign",
                start=campaign.starts_on,
                end=campaign.ends_on,
            )
    if not inspectors:
        raise _error("inspectors", _("请选择排查人员。"), "required")
    errors: dict[str, list[ValidationError]] = {}
    now = timezone.now()
    for row, finding in enumerate(findings):
        if not finding.description.strip():
            errors.setdefault(f"findings.{row}.description", []).append(
                ValidationError(_("请填写隐患描述。"), code="required")
            )
        if finding.severity not in Severity.values:
            errors.setdefault(f"findings.{row}.severity", []).append(
                ValidationError(_("隐患等级无效。"), code="invalid_choice")
            )
        if finding.rectify_by is not None and finding.rectify_by < inspected_on:
            errors.setdefault(f"findings.{row}.rectify_by", []).append(
                ValidationError(_("整改期限不能早于排查日期。"), code="before_inspection")
            )
        elif finding.rectify_by is not None and (
            # A day gone is refused even when it is a holiday whose deadline rolls forward.
            finding.rectify_by < timezone.localdate(now)
            or rectify_deadline(finding.rectify_by) <= now
        ):
            errors.setdefault(f"findings.{row}.rectify_by", []).append(
                ValidationError(
                    _("整改期限已过（以当天下班时间为准），请填写以后的日期。"), code="past"
                )
            )
    if errors:
        raise ValidationError(errors)


def log_inspection(
    *,
    region: Region,
    inspected_on: date,
    inspectors: Iterable[Person],
    campaign: Campaign | None = None,
    enterprise: Organisation | None = None,
    target_name: str = "",
    address: str = "",
    note: str = "",
    findings: Sequence[FindingInput] = (),
    token: uuid.UUID | str | None = None,
    actor: User,
    via: str = Via.WEB,
) -> Inspection:
    """Record an inspection with its findings, each opening a hazard case, all or nothing: a
    finding the engine refuses saves nothing.

    A ``token`` names the submission: sent again, it returns the inspection it made, and nothing
    is created twice."""
    if not scope.may_log(actor, region, campaign):
        raise PermissionDenied(_("您无权在该区域登记隐患排查。"))
    if token is not None:
        earlier = _earlier(token, actor)
        if earlier is not None:
            return earlier
    inspectors = list(dict.fromkeys(inspectors))
    target_name = target_name.strip()
    _check(
        campaign=campaign,
        region=region,
        enterprise=enterprise,
        target_name=target_name,
        inspected_on=inspected_on,
        inspectors=inspectors,
        findings=findings,
    )
    hazard = CaseType.objects.get(code=HAZARD_TYPE_CODE)
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                campaign=campaign,
                region=region,
                enterprise=enterprise,
                target_name="" if enterprise else target_name,
                address=address.strip(),
                inspected_on=inspected_on,
                result=InspectionResult.HAZARDS if findings else InspectionResult.CLEAR,
                note=note.strip(),
                token=token,
                created_by=actor,
            )
            inspection.inspectors.set(inspectors)
            made = _open_cases(inspection, hazard, findings, actor, via)
            _log(
                InspectionEventKind.INSPECTION_LOGGED,
                actor,
                campaign=campaign,
                inspection=inspection,
                data={
                    "inspected_on": inspected_on.isoformat(),
                    "inspectors": [p.pk for p in inspectors],
                    "findings": [f.pk for f in made],
                    "cases": [f.case_id for f in made],
                    "via": via,
                },
            )
    except IntegrityError:
        # A parallel submission with the same token made the inspection first.
        if token is not None:
            earlier = _earlier(token, actor)
            if earlier is not None:
                return earlier
        raise
    return inspection


def _open_cases(
    inspection: Inspection,
    hazard: CaseType,
    findings: Sequence[FindingInput],
    actor: User,
    via: str,
) -> list[Finding]:
    made: list[Finding] = []
    errors: dict[str, list[ValidationError]] = {}
    for row, finding in enumerate(findings):
        description = finding.description.strip()
        try:
            case = cases.report_case(
                actor=actor,
                via=via,
                case_type=hazard,
                region=inspection.region,
                title=_title(inspection.target, description),
                description=description,
                priority=SEVERITY_PRIORITY[Severity(finding.severity)],
                enterprise=inspection.enterprise,
                address=inspection.address,
                channel=Channel.VISIT,
                details={
                    "severity": finding.severity,
                    "rectify_by": finding.rectify_by.isoformat() if finding.rectify_by else None,
                },
                # The 整改期限 is the case's deadline: the first hand-over keeps it.
                deadline=rectify_deadline(finding.rectify_by) if finding.rectify_by else None,
            )
        except cases.NotPermitted as exc:
            errors.setdefault(f"findings.{row}", []).append(
                ValidationError(str(exc), code="not_permitted")
            )
            continue
        except ValidationError as exc:
            for field, messages in exc.update_error_dict({}).items():
                name = (
                    f"findings.{row}" if field in (None, "__all__") else f"findings.{row}.{field}"
                )
                errors.setdefault(name, []).extend(messages)
            continue
        made.append(
            Finding.objects.create(
                inspection=inspection,
                description=description,
                severity=finding.severity,
                rectify_by=finding.rectify_by,
                case=case,
            )
        )
    if errors:
        raise ValidationError(errors)
    return made


def _earlier(token: uuid.UUID | str, actor: User) -> Inspection | None:
    """The inspection this token already made; another user's token is refused."""
    earlier = Inspection.objects.filter(token=token).first()
    if earlier is not None and earlier.created_by_id != actor.pk:
        raise _error("token", _("该表单已被使用，请刷新页面后重新填写。"), "token_reused")
    return earlier
