"""Every change of an IP record: one transaction each, with its ``IpEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code and lazy Chinese text,
``PermissionDenied`` for a caller outside ``ip.scope``. A case's facts never move the case: its
state stays the engine's (``cases/services.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Status, Via
from ip.models import (
    EnforcementAction,
    GiLicence,
    InfringementFacts,
    IpEvent,
    IpEventKind,
    IpRegistration,
    LicenceStatus,
    RegistrationKind,
    RightType,
)
from ip.scope import is_ip_case, may_record_facts, may_write
from orgs.models import Organisation, OrgKind
from people.models import User
from regions.models import Region

K = IpEventKind
# The status an office sets by hand, and which need a reason (an active licence needs none).
STATUS_NEEDS_REASON = frozenset(
    {LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED}
)
# A revoked licence stays revoked: the firm applies again for a new number.
FINAL_STATUSES = frozenset({LicenceStatus.REVOKED})


def _error(field: str | None, message: Any, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _authorize(actor: User) -> None:
    if not may_write(actor):
        raise PermissionDenied(_("您无权维护知识产权台账。"))


def _log(kind: str, *, actor: User | None, via: str, reason: str = "", **fields: Any) -> IpEvent:
    data = fields.pop("data", {})
    event = IpEvent(
        kind=kind, actor=actor, via=via, reason=reason, data=data, created_at=timezone.now()
    )
    for name, value in fields.items():
        setattr(event, name, value)
    event.save(force_insert=True)
    return event


def _text(value: str | None, field: str, limit: int, message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise _error(field, message, "required")
    if len(text) > limit:
        raise _error(field, _("最多 %(limit)s 个字。"), "too_long", limit=limit)
    return text


def _optional(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise _error(field, _("最多 %(limit)s 个字。"), "too_long", limit=limit)
    return text


def _enterprise(value: Organisation | None, field: str, *, required: bool = True) -> None:
    if value is None:
        if required:
            raise _error(field, _("请选择企业。"), "required")
        return
    if value.kind != OrgKind.ENTERPRISE:
        raise _error(field, _("“%(name)s”不是企业。"), "not_enterprise", name=str(value))


def _not_future(day: date | None, field: str, message: Any) -> date:
    if day is None:
        raise _error(field, message, "required")
    if day > timezone.localdate():
        raise _error(field, _("日期不能晚于今天。"), "future")
    return day


# --- Infringement facts -----------------------------------------------------------------------


def record_infringement_facts(
    case: Case,
    *,
    actor: User,
    right_type: str,
    infringer_name: str,
    holder_enterprise: Organisation | None = None,
    holder_name: str = "",
    infringer_enterprise: Organisation | None = None,
    registration_number: str = "",
    via: str = Via.SYSTEM,
) -> InfringementFacts:
    """Record (or correct) who holds the right, who infringed it and which right. Allowed to
    whoever may act on the case (``ip.scope.may_record_facts``); only on an ip_infringement case."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("region", "case_type")
            .get(pk=case.pk)
        )
        if not is_ip_case(case):
            raise _error(None, _("只有侵权纠纷事项可以记录侵权事实。"), "not_ip_case")
        if not may_record_facts(actor, case):
            raise PermissionDenied(_("您无权记录该事项的侵权事实。"))
        return _save_facts(
            case,
            actor=actor,
            right_type=right_type,
            infringer_name=infringer_name,
            holder_enterprise=holder_enterprise,
            holder_name=holder_name,
            infringer_enterprise=infringer_enterprise,
            registration_number=registration_number,
            via=via,
        )


def record_facts_at_intake(
    case: Case,
    *,
    actor: User,
    right_type: str,
    infringer_name: str,
    holder_enterprise: Organisation | None = None,
    holder_name: str = "",
    infringer_enterprise: Organisation | None = None,
    registration_number: str = "",
    via: str = Via.SYSTEM,
) -> InfringementFacts:
    """The facts named when the case is reported (desk, API), by its reporter, in the report's
    transaction: allowed to whoever reported it while it is still reported and has no facts yet
    (afterwards they are ``record_infringement_facts``'s, for those who act on the case)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("region", "case_type")
            .get(pk=case.pk)
        )
        if not is_ip_case(case):
            raise _error("ip_facts", _("只有侵权纠纷事项可以记录侵权事实。"), "not_ip_case")
        if (
            case.reported_by_id != actor.pk
            or case.status != Status.REPORTED
            or InfringementFacts.objects.filter(case=case).exists()
        ):
            raise PermissionDenied(_("只有上报人可以在上报时记录侵权事实。"))
        return _save_facts(
            case,
            actor=actor,
            right_type=right_type,
            infringer_name=infringer_name,
            holder_enterprise=holder_enterprise,
            holder_name=holder_name,
            infringer_enterprise=infringer_enterprise,
            registration_number=registration_number,
            via=via,
        )


def _save_facts(
    case: Case,
    *,
    actor: User,
    right_type: str,
    infringer_name: str,
    holder_enterprise: Organisation | None,
    holder_name: str,
    infringer_enterprise: Organisation | None,
    registration_number: str,
    via: str,
) -> InfringementFacts:
    """Check and write the facts of ``case`` (locked) with their event."""
    if right_type not in RightType.values:
        raise _error("right_type", _("请选择权利类型。"), "invalid_choice")
    _enterprise(holder_enterprise, "holder_enterprise", required=False)
    _enterprise(infringer_enterprise, "infringer_enterprise", required=False)
    holder = _optional(holder_name, "holder_name", 150)
    if holder_enterprise is None and not holder:
        raise _error("holder_name", _("请选择权利人企业或填写权利人名称。"), "required")
    infringer = _optional(infringer_name, "infringer_name", 150)
    if not infringer and infringer_enterprise is not None:
        infringer = infringer_enterprise.name
    if not infringer:
        raise _error("infringer_name", _("请填写侵权人。"), "required")
    number = _optional(registration_number, "registration_number", 60)
    facts, created = InfringementFacts.objects.update_or_create(
        case=case,
        defaults={
            "holder_enterprise": holder_enterprise,
            "holder_name": holder,
            "infringer_name": infringer,
            "infringer_enterprise": infringer_enterprise,
            "right_type": right_type,
            "registration_number": number,
            "updated_at": timezone.now(),
        },
    )
    _log(
        K.FACTS_RECORDED,
        actor=actor,
        via=via,
        case=case,
        data={
            "first": created,
            "right_type": right_type,
            "holder_enterprise": holder_enterprise.pk if holder_enterprise else None,
            "holder_name": holder,
            "infringer_name": infringer,
            "infringer_enterprise": infringer_enterprise.pk if infringer_enterprise else None,
            "registration_number": number,
        },
    )
    return facts


# --- Registrations ----------------------------------------------------------------------------


def check_registration(
    *,
    enterprise: Organisation | None,
    kind: str,
    title: str,
    number: str,
    registered_on: date | None,
    note: str,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    """The checks of a registration's fields (the admin's form runs them too); returns them
    cleaned."""
    _enterprise(enterprise, "enterprise")
    if kind not in RegistrationKind.values:
        raise _error("kind", _("请选择登记类别。"), "invalid_choice")
    fields = {
        "enterprise": enterprise,
        "kind": kind,
        "title": _text(title, "title", 150, _("请填写名称。")),
        "number": _text(number, "number", 60, _("请填写登记/注册号。")),
        "registered_on": _not_future(registered_on, "registered_on", _("请填写登记日期。")),
        "note": _optional(note, "note", 2000),
    }
    taken = IpRegistration.objects.filter(kind=kind, number=fields["number"])
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _error(
            "number",
            _("%(kind)s登记号“%(number)s”已登记。"),
            "duplicate",
            kind=RegistrationKind(kind).label,
            number=fields["number"],
        )
    return fields


def _registration_data(registration: IpRegistration) -> dict[str, Any]:
    return {
        "enterprise": registration.enterprise_id,
        "kind": registration.kind,
        "title": registration.title,
        "number": registration.number,
        "registered_on": registration.registered_on.isoformat(),
    }


def create_registration(
    *,
    actor: User,
    enterprise: Organisation | None,
    kind: str,
    title: str,
    number: str,
    registered_on: date | None,
    note: str = "",
    via: str = Via.SYSTEM,
) -> IpRegistration:
    """Enter an enterprise's registration; its number is unique within its kind."""
    _authorize(actor)
    with transaction.atomic():
        fields = check_registration(
            enterprise=enterprise,
            kind=kind,
            title=title,
            number=number,
            registered_on=registered_on,
            note=note,
        )
        registration = IpRegistration.objects.create(
            **fields, created_by=actor, created_at=timezone.now()
        )
        _log(
            K.REGISTRATION_CREATED,
            actor=actor,
            via=via,
            registration=registration,
            data=_registration_data(registration),
        )
    return registration


def update_registration(
    registration: IpRegistration,
    *,
    actor: User,
    enterprise: Organisation | None,
    kind: str,
    title: str,
    number: str,
    registered_on: date | None,
    note: str = "",
    via: str = Via.SYSTEM,
) -> IpRegistration:
    """Correct a registration; the event keeps the values before."""
    _authorize(actor)
    with transaction.atomic():
        registration = IpRegistration.objects.select_for_update().get(pk=registration.pk)
        before = _registration_data(registration)
        fields = check_registration(
            enterprise=enterprise,
            kind=kind,
            title=title,
            number=number,
            registered_on=registered_on,
            note=note,
            exclude_pk=registration.pk,
        )
        for name, value in fields.items():
            setattr(registration, name, value)
        registration.save()
        _log(
            K.REGISTRATION_UPDATED,
            actor=actor,
            via=via,
            registration=registration,
            data={"before": before, "after": _registration_data(registration)},
        )
    return registration


# --- GI-mark licences -------------------------------------------------------------------------


def check_licence(
    *,
    licensee: Organisation | None,
    mark_name: str,
    number: str,
    valid_from: date | None,
    valid_until: date | None,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    """The checks of a licence's fields (the admin's form runs them too); returns them
    cleaned."""
    _enterprise(licensee, "licensee")
    if valid_from is None:
        raise _error("valid_from", _("请填写有效期起。"), "required")
    if valid_until is None:
        raise _error("valid_until", _("请填写有效期止。"), "required")
    if valid_until < valid_from:
        raise _error("valid_until", _("有效期止不能早于有效期起。"), "before_start")
    fields = {
        "licensee": licensee,
        "mark_name": _text(mark_name, "mark_name", 60, _("请填写证明商标名称。")),
        "number": _text(number, "number", 60, _("请填写许可编号。")),
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    taken = GiLicence.objects.filter(number=fields["number"])
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _error(
            "number", _("许可编号“%(number)s”已存在。"), "duplicate", number=fields["number"]
        )
    return fields


def _licence_data(licence: GiLicence) -> dict[str, Any]:
    return {
        "licensee": licence.licensee_id,
        "mark_name": licence.mark_name,
        "number": licence.number,
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat(),
    }


def create_licence(
    *,
    actor: User,
    licensee: Organisation | None,
    mark_name: str,
    number: str,
    valid_from: date | None,
    valid_until: date | None,
    via: str = Via.SYSTEM,
) -> GiLicence:
    """License an enterprise to use a GI mark; the licence starts active."""
    _authorize(actor)
    with transaction.atomic():
        fields = check_licence(
            licensee=licensee,
            mark_name=mark_name,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        licence = GiLicence.objects.create(
            **fields, status=LicenceStatus.ACTIVE, created_by=actor, created_at=timezone.now()
        )
        _log(K.LICENCE_CREATED, actor=actor, via=via, licence=licence, data=_licence_data(licence))
    return licence


def update_licence(
    licence: GiLicence,
    *,
    actor: User,
    licensee: Organisation | None,
    mark_name: str,
    number: str,
    valid_from: date | None,
    valid_until: date | None,
    via: str = Via.SYSTEM,
) -> GiLicence:
    """Correct a licence's particulars (a renewal moves ``valid_until``); its status changes only
    through ``change_licence_status``."""
    _authorize(actor)
    with transaction.atomic():
        licence = GiLicence.objects.select_for_update().get(pk=licence.pk)
        before = _licence_data(licence)
        fields = check_licence(
            licensee=licensee,
            mark_name=mark_name,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
            exclude_pk=licence.pk,
        )
        for name, value in fields.items():
            setattr(licence, name, value)
        licence.save()
        _log(
            K.LICENCE_UPDATED,
            actor=actor,
            via=via,
            licence=licence,
            data={"before": before, "after": _licence_data(licence)},
        )
    return licence


def change_licence_status(
    licence: GiLicence,
    *,
    actor: User,
    status: str,
    reason: str = "",
    via: str = Via.SYSTEM,
) -> GiLicence:
    """Suspend, revoke, end or restore a licence, with the reason the office gives (required for
    all but restoring). A revoked licence is final; a licence past its end cannot be restored."""
    _authorize(actor)
    if status not in LicenceStatus.values:
        raise _error("status", _("请选择许可状态。"), "invalid_choice")
    reason = _optional(reason, "reason", 2000)
    if status in STATUS_NEEDS_REASON and not reason:
        raise _error("reason", _("请填写状态变更的原因。"), "required")
    with transaction.atomic():
        licence = GiLicence.objects.select_for_update().get(pk=licence.pk)
        today = timezone.localdate()
        before = licence.state_on(today)
        if licence.status in FINAL_STATUSES:
            raise _error("status", _("已撤销的许可不能再变更状态。"), "final")
        if status == before:
            raise _error(
                "status",
                _("许可已是“%(status)s”状态。"),
                "unchanged",
                status=LicenceStatus(status).label,
            )
        if status == LicenceStatus.ACTIVE and licence.valid_until < today:
            raise _error("status", _("许可已过有效期，请先修改有效期。"), "period_over")
        licence.status, licence.status_reason = status, reason
        licence.save(update_fields=["status", "status_reason"])
        _log(
            K.LICENCE_STATUS_CHANGED,
            actor=actor,
            via=via,
            licence=licence,
            reason=reason,
            data={"from": before, "to": status},
        )
    return licence


# --- Enforcement actions ----------------------------------------------------------------------


def _action_fields(
    *,
    acted_on: date | None,
    place: str,
    region: Region | None,
    units: Iterable[Organisation],
    result: str,
    seized: str,
    cases: Iterable[Case],
) -> tuple[dict[str, Any], list[Organisation], list[Case]]:
    if region is None:
        raise _error("region", _("请选择所属区域。"), "required")
    fields = {
        "acted_on": _not_future(acted_on, "acted_on", _("请填写执法日期。")),
        "place": _text(place, "place", 150, _("请填写执法地点。")),
        "region": region,
        "result": _text(result, "result", 4000, _("请填写执法结果。")),
        "seized": _optional(seized, "seized", 4000),
    }
    unit_list = list(dict.fromkeys(units))
    if not unit_list:
        raise _error("units", _("请选择参与单位。"), "required")
    for unit in unit_list:
        if unit.kind == OrgKind.ENTERPRISE:
            raise _error(
                "units", _("“%(name)s”是企业，不能作为执法单位。"), "not_unit", name=unit.name
            )
    case_list = list(dict.fromkeys(cases))
    for case in case_list:
        if not is_ip_case(case):
            raise _error(
                "cases",
                _("事项 %(number)s 不是侵权纠纷事项。"),
                "not_ip_case",
                number=case.number or case.pk,
            )
    return fields, unit_list, case_list


def _action_data(action: EnforcementAction, units: list[Organisation], cases: list[Case]) -> dict:
    return {
        "acted_on": action.acted_on.isoformat(),
        "place": action.place,
        "region": action.region_id,
        "units": [u.pk for u in units],
        "cases": [c.pk for c in cases],
    }


def create_action(
    *,
    actor: User,
    acted_on: date | None,
    place: str,
    region: Region | None,
    units: Iterable[Organisation],
    result: str,
    seized: str = "",
    cases: Iterable[Case] = (),
    via: str = Via.SYSTEM,
) -> EnforcementAction:
    """Enter a joint enforcement action with its units and the infringement cases it served."""
    _authorize(actor)
    with transaction.atomic():
        fields, unit_list, case_list = _action_fields(
            acted_on=acted_on,
            place=place,
            region=region,
            units=units,
            result=result,
            seized=seized,
            cases=cases,
        )
        action = EnforcementAction.objects.create(
            **fields, created_by=actor, created_at=timezone.now()
        )
        action.units.set(unit_list)
        action.cases.set(case_list)
        _log(
            K.ACTION_CREATED,
            actor=actor,
            via=via,
            action=action,
            data=_action_data(action, unit_list, case_list),
        )
    return action


def update_action(
    action: EnforcementAction,
    *,
    actor: User,
    acted_on: date | None,
    place: str,
    region: Region | None,
    units: Iterable[Organisation],
    result: str,
    seized: str = "",
    cases: Iterable[Case] = (),
    via: str = Via.SYSTEM,
) -> EnforcementAction:
    """Correct an enforcement action (its units and linked cases are replaced)."""
    _authorize(actor)
    with transaction.atomic():
        action = EnforcementAction.objects.select_for_update().get(pk=action.pk)
        fields, unit_list, case_list = _action_fields(
            acted_on=acted_on,
            place=place,
            region=region,
            units=units,
            result=result,
            seized=seized,
            cases=cases,
        )
        for name, value in fields.items():
            setattr(action, name, value)
        action.save()
        action.units.set(unit_list)
        action.cases.set(case_list)
        _log(
            K.ACTION_UPDATED,
            actor=actor,
            via=via,
            action=action,
            data=_action_data(action, unit_list, case_list),
        )
    return action
