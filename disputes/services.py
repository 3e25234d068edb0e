"""Every change of a dispute's records: one transaction each, with its ``DisputeEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code and lazy Chinese text
(a party's field as ``parties``, with the row's number in the message), ``PermissionDenied`` for a
caller outside ``disputes.scope``. Nothing here moves the case: its state stays the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from cases.attachments import check_file
from cases.models import Case, Status, Via
from disputes.models import (
    DisputeEvent,
    DisputeEventKind,
    DisputeParty,
    MediationAgreement,
    PartyRole,
)
from disputes.scope import is_dispute_case, may_write
from orgs.models import Organisation
from people.models import User
from people.validators import clean_id_number, clean_phone

K = DisputeEventKind
# A signed agreement scanned as a PDF of a few pages, or photographed page by page.
MAX_AGREEMENT_BYTES = 20 * 1024 * 1024
MAX_PARTIES = 50
PARTY_FIELDS = ("role", "name", "id_number", "phone", "address", "organisation", "note")


def _error(field: str | None, message: Any, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _check_case(case: Case, actor: User) -> None:
    if not is_dispute_case(case):
        raise _error(None, _("该类事项无需调解，不能登记当事人或调解协议。"), "no_mediation")
    if not may_write(actor, case):
        raise PermissionDenied(_("您无权维护该事项的当事人和调解协议。"))


def _log(case: Case, kind: str, *, actor: User | None, via: str, data: dict) -> DisputeEvent:
    event = DisputeEvent(
        case=case, kind=kind, actor=actor, via=via, data=data, created_at=timezone.now()
    )
    event.save(force_insert=True)
    return event


def _rendered(message: Any, params: dict[str, Any]) -> Any:
    """A lazy message with its params, rendered in the language active when it is read (the API
    renders each refusal in Chinese and in English)."""

    def render() -> str:
        return str(message) % {
            k: str(v) if isinstance(v, Promise) else v for k, v in params.items()
        }

    return lazy(render, str)()


def _inner(error: ValidationError) -> Any:
    """A validator's refusal (people.validators) as a lazy text: "：" and its message."""
    one = error.error_list[0]
    return _rendered(_("：%(text)s"), {"text": _rendered(one.message, one.params or {})})


def _party(row: Mapping[str, Any], number: int) -> dict[str, Any]:
    """One row checked and cleaned; a refusal names the row (第 n 行)."""

    def refuse(message: Any, code: str, **params: Any) -> ValidationError:
        problem = _rendered(message, params) if params else message
        return _error("parties", _("第%(row)s行：%(problem)s"), code, row=number, problem=problem)

    unknown = set(row) - set(PARTY_FIELDS)
    if unknown:
        raise refuse(_("未知字段 %(fields)s。"), "unknown_field", fields="、".join(sorted(unknown)))
    role = str(row.get("role") or "")
    if role not in PartyRole.values:
        raise refuse(_("请选择当事人身份。"), "invalid_role")
    cleaned: dict[str, Any] = {"role": role}
    for field, limit in (("name", 150), ("address", 255), ("note", 500)):
        text = str(row.get(field) or "").strip()
        if len(text) > limit:
            raise refuse(_("最多 %(limit)s 个字。"), "too_long", limit=limit)
        cleaned[field] = text
    if not cleaned["name"]:
        raise refuse(_("请填写当事人姓名或名称。"), "name_required")
    try:
        cleaned["id_number"] = clean_id_number(str(row.get("id_number") or ""))
    except ValidationError as error:
        raise refuse(_("身份证号%(problem)s"), "id_number", problem=_inner(error)) from None
    try:
        cleaned["phone"] = clean_phone(str(row.get("phone") or ""), max_length=40)
    except ValidationError as error:
        raise refuse(_("联系电话%(problem)s"), "phone", problem=_inner(error)) from None
    organisation = row.get("organisation")
    if organisation is not None and not isinstance(organisation, Organisation):
        raise refuse(_("所在单位无效。"), "invalid_organisation")
    cleaned["organisation"] = organisation
    return cleaned


def check_parties(parties: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows cleaned, or a ValidationError on ``parties``: at least one applicant and one
    respondent."""
    rows = [_party(row, number) for number, row in enumerate(parties, start=1)]
    if len(rows) > MAX_PARTIES:
        raise _error("parties", _("当事人最多 %(n)s 个。"), "too_many", n=MAX_PARTIES)
    roles = {row["role"] for row in rows}
    if PartyRole.APPLICANT not in roles:
        raise _error("parties", _("请至少登记一名申请人/当事人。"), "applicant_required")
    if PartyRole.RESPONDENT not in roles:
        raise _error("parties", _("请至少登记一名对方当事人。"), "respondent_required")
    return rows


def _party_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the event keeps of a party: no contact details (the log is read more widely)."""
    organisation = row.get("organisation")
    return {
        "role": row["role"],
        "name": row["name"],
        "organisation": organisation and organisation.pk,
    }


def set_parties(
    case: Case,
    *,
    actor: User,
    parties: Iterable[Mapping[str, Any]],
    via: str = Via.SYSTEM,
) -> list[DisputeParty]:
    """Replace the case's parties with ``parties`` (dicts of ``PARTY_FIELDS``), in their order."""
    _check_case(case, actor)
    rows = check_parties(parties)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        return _replace_parties(case, rows, actor=actor, via=via)


def _replace_parties(
    case: Case, rows: list[dict[str, Any]], *, actor: User, via: str
) -> list[DisputeParty]:
    """Write ``rows`` (checked) as the case's parties, with the event (in a transaction)."""
    before = list(DisputeParty.objects.filter(case=case).values("role", "name"))
    DisputeParty.objects.filter(case=case).delete()
    saved = DisputeParty.objects.bulk_create(
        [DisputeParty(case=case, ordering=i, **row) for i, row in enumerate(rows)]
    )
    _log(
        case,
        K.PARTIES_SET,
        actor=actor,
        via=via,
        data={"before": before, "after": [_party_data(row) for row in rows]},
    )
    return saved


def set_parties_at_intake(
    case: Case,
    *,
    actor: User,
    parties: Iterable[Mapping[str, Any]],
    via: str = Via.SYSTEM,
) -> list[DisputeParty]:
    """The parties named when the case is reported (desk, grid report, API), by its reporter,
    in the report's transaction: allowed to whoever reported it while it is still reported and
    has no parties yet (the desk's operator may not edit them afterwards; the case page's
    writers may, through ``set_parties``)."""
    if not is_dispute_case(case):
        raise _error("parties", _("该类事项无需调解，不能登记当事人。"), "no_mediation")
    rows = check_parties(parties)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if (
            case.reported_by_id != actor.pk
            or case.status != Status.REPORTED
            or DisputeParty.objects.filter(case=case).exists()
        ):
            raise PermissionDenied(_("只有上报人可以在上报时登记当事人。"))
        return _replace_parties(case, rows, actor=actor, via=via)


def attach_agreement(
    case: Case,
    *,
    actor: User,
    file: Any,
    signed_on: date | None,
    name: str = "",
    via: str = Via.SYSTEM,
) -> MediationAgreement:
    """Keep a signed mediation agreement: a PDF or a photo (by its bytes), at most 20 MB."""
    _check_case(case, actor)
    if file is None:
        raise _error("file", _("请选择调解协议文件。"), "required")
    if signed_on is None:
        raise _error("signed_on", _("请填写签订日期。"), "required")
    if signed_on > timezone.localdate():
        raise _error("signed_on", _("签订日期不能晚于今天。"), "future")
    name = (name or getattr(file, "name", "") or "").strip()[:200] or "调解协议"
    try:
        kind = check_file(file, name=name, limit=MAX_AGREEMENT_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error}) from None
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        agreement = MediationAgreement(
            case=case,
            name=name,
            size=file.size,
            signed_on=signed_on,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        # Only the extension of the real type reaches storage (see agreement_path).
        agreement.file.save(f"upload.{kind.extension}", File(file), save=False)
        agreement.save()
        _log(
            case,
            K.AGREEMENT_ATTACHED,
            actor=actor,
            via=via,
            data={
                "agreement": agreement.pk,
                "name": name,
                "size": agreement.size,
                "signed_on": signed_on.isoformat(),
                "type": kind.content_type,
            },
        )
    return agreement
