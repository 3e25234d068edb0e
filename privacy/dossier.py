"""个人信息导出: everything held about one person, found by phone number or ID number, as JSON
and as an .xlsx workbook, for an authorised officer (``privacy.scope.may_export_person``).

Held about a person: their person records, the cases they raised (as the linked requester, or
under the phone number searched) with the events a requester reads of them, the households
whose head they are, their links to households and enterprises, the notifications sent to
them and the log of who opened their details. A dispatcher's export holds only the cases in
their scope (``cases.scope.visible_cases``) and what hangs on them; an administrator's holds
everything. Each export is logged (``PersonExport``, and a ``RequesterAccess`` row): who, whom
(masked), when and why.

Not included: household members (``households``) and dispute parties (``disputes``) matching
the number; those apps sit in this app's layer, which the import contract keeps apart.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.models import Case, CaseEvent, Channel, Satisfaction
from cases.scope import REQUESTER_HIDDEN_KINDS, REQUESTER_TEXT_KINDS, visible_cases
from ledgers.cells import text_cell, text_row
from notify.models import RULE_KINDS, DeliveryStatus, Notification
from notify.models import Channel as NotifyChannel
from people.masking import mask_id_number, mask_phone
from people.models import EnterpriseLink, Household, HouseholdLink, Person, User
from people.scope import readable
from privacy.models import EXPORT_SECTIONS, Door, ExportFormat, PersonExport, RequesterAccess
from privacy.scope import may_export_person

MAX_REASON = 200
_PHONE = re.compile(r"\+?\d{5,20}")
_ID_NUMBER = re.compile(r"\d{15}|\d{17}[\dX]")
# A cell a spreadsheet would run as a formula (OWASP CSV injection): "=", "+", "-", "@", and a
# tab or carriage return before them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Section:
    """One part of the export: a JSON list under ``key``, a sheet named ``title``."""

    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, header)
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PersonDossier:
    """An export made: its log row and its sections."""

    export: PersonExport
    sections: list[Section]

    @property
    def filename_stem(self) -> str:
        return _("个人信息导出-%(stamp)s") % {
            "stamp": f"{timezone.localtime(self.export.created_at):%Y%m%d-%H%M%S}"
        }


def clean_query(phone: str, id_number: str) -> tuple[str, str]:
    """The number and the ID as searched (spaces and hyphens dropped, ``x`` upper-cased); at
    least one, each in its shape, or a ValidationError naming the field."""
    phone = re.sub(r"[\s-]", "", phone or "")
    id_number = re.sub(r"\s", "", id_number or "").upper()
    errors: dict[str, str] = {}
    if phone and not _PHONE.fullmatch(phone):
        errors["phone"] = _("电话号码格式不正确。")
    if id_number and not _ID_NUMBER.fullmatch(id_number):
        errors["id_number"] = _("身份证号应为 15 位数字，或 17 位数字加 1 位数字或 X。")
    if not phone and not id_number and not errors:
        errors["phone"] = _("请填写电话号码或身份证号。")
    if errors:
        raise ValidationError(errors)
    return phone, id_number


def _when(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _yes(value: bool | None) -> str:
    if value is None:
        return ""
    return _("是") if value else _("否")


def _persons(phone: str, id_number: str) -> list[Person]:
    q = Q(pk__in=[])
    if phone:
        q |= Q(phone=phone)
    if id_number:
        q |= Q(id_number=id_number)
    return list(Person.objects.filter(q).select_related("region", "organisation").order_by("pk"))


def _cases(actor: User, phone: str, people: list[Person]) -> list[Case]:
    q = Q(pk__in=[])
    if phone:
        q |= Q(requester_phone=phone)
    if people:
        q |= Q(requester_id__in=[p.pk for p in people])
    return list(
        visible_cases(actor)
        .filter(q)
        .select_related("case_type", "category", "region", "lead_unit")
        .order_by("reported_at", "pk")
    )


def _scoped(actor: User, queryset: QuerySet, region_field: str) -> QuerySet:
    return queryset if actor.is_admin else readable(actor, queryset, region_field)


def collect(actor: User, *, phone: str, id_number: str) -> tuple[list[Person], list[Section]]:
    """What ``actor`` may export about the person searched: (their person records, sections)."""
    found = _persons(phone, id_number)
    cases = _cases(actor, phone, found)
    case_ids = [c.pk for c in cases]
    if actor.is_admin:
        people = found
    else:
        # Someone's file in the actor's places, or the requester of a case in their scope.
        near = set(
            _scoped(
                actor, Person.objects.filter(pk__in=[p.pk for p in found]), "region"
            ).values_list("pk", flat=True)
        )
        raised = {c.requester_id for c in cases}
        people = [p for p in found if p.pk in near or p.pk in raised]
    person_ids = [p.pk for p in people]
    sections = [
        _person_section(people),
        _case_section(cases),
        _event_section(cases),
        _household_section(actor, phone, id_number),
        _household_link_section(person_ids),
        _enterprise_section(person_ids),
        _notification_section(actor, phone, person_ids, case_ids),
        _access_section(actor, phone, person_ids, case_ids),
    ]
    return people, sections


def _person_section(people: list[Person]) -> Section:
    return Section(
        "people",
        str(EXPORT_SECTIONS["people"]),
        [
            ("name", _("姓名")),
            ("phone", _("手机号")),
            ("id_number", _("身份证号")),
            ("address", _("住址")),
            ("region", _("所在区域")),
            ("organisation", _("所在单位")),
            ("position", _("职务")),
            ("is_party_member", _("党员")),
            ("is_representative", _("村民代表")),
        ],
        [
            {
                "name": p.name,
                "phone": p.phone,
                "id_number": p.id_number,
                "address": p.address,
                "region": p.region.name if p.region else "",
                "organisation": p.organisation.name if p.organisation else "",
                "position": p.position,
                "is_party_member": _yes(p.is_party_member),
                "is_representative": _yes(p.is_representative),
            }
            for p in people
        ],
    )


def _case_section(cases: list[Case]) -> Section:
    channels = dict(Channel.choices)
    satisfaction = dict(Satisfaction.choices)
    return Section(
        "cases",
        str(EXPORT_SECTIONS["cases"]),
        [
            ("number", _("编号")),
            ("case_type", _("事项类型")),
            ("category", _("分类")),
            ("title", _("标题")),
            ("description", _("诉求内容")),
            ("channel", _("来源渠道")),
            ("region", _("发生地")),
            ("address", _("详细位置")),
            ("requester_name", _("诉求人")),
            ("requester_phone", _("联系电话")),
            ("reported_at", _("受理时间")),
            ("status", _("状态")),
            ("lead_unit", _("主办单位")),
            ("answer", _("答复")),
            ("answered_at", _("答复时间")),
            ("visit_satisfaction", _("回访满意度")),
            ("closed_at", _("销号时间")),
            ("anonymous_to_unit", _("对承办单位保密")),
            ("is_public", _("公开")),
        ],
        [
            {
                "number": c.number or "",
                "case_type": c.case_type.name,
                "category": c.category.name if c.category else "",
                "title": c.title,
                "description": c.description,
                "channel": str(channels.get(c.channel, c.channel)),
                "region": c.region.name,
                "address": c.address,
                "requester_name": c.requester_name,
                "requester_phone": c.requester_phone,
                "reported_at": _when(c.reported_at),
                "status": str(c.status_label),
                "lead_unit": c.lead_unit.name if c.lead_unit else "",
                "answer": c.answer,
                "answered_at": _when(c.answered_at),
                "visit_satisfaction": str(satisfaction.get(c.visit_satisfaction, "")),
                "closed_at": _when(c.closed_at),
                "anonymous_to_unit": _yes(c.anonymous_to_unit),
                "is_public": _yes(c.is_public),
            }
            for c in cases
        ],
    )


def _event_section(cases: list[Case]) -> Section:
    """The events a requester reads of their cases (``cases.scope``): no internal step, only
    the texts written for them, and no staff name."""
    by_id = {c.pk: c for c in cases}
    events = (
        CaseEvent.objects.filter(case_id__in=list(by_id))
        .exclude(kind__in=REQUESTER_HIDDEN_KINDS)
        .order_by("case_id", "created_at", "id")
    )
    rows = []
    for e in events:
        case = by_id[e.case_id]
        labels = case.case_type
        rows.append(
            {
                "case": case.number or "",
                "created_at": _when(e.created_at),
                "kind": e.get_kind_display(),
                "from_status": labels.label(e.from_status) if e.from_status else "",
                "to_status": labels.label(e.to_status) if e.to_status else "",
                "text": e.reason if e.kind in REQUESTER_TEXT_KINDS else "",
            }
        )
    return Section(
        "events",
        str(EXPORT_SECTIONS["events"]),
        [
            ("case", _("事项编号")),
            ("created_at", _("时间")),
            ("kind", _("环节")),
            ("from_status", _("原状态")),
            ("to_status", _("新状态")),
            ("text", _("说明")),
        ],
        rows,
    )


def _household_section(actor: User, phone: str, id_number: str) -> Section:
    q = Q(pk__in=[])
    if phone:
        q |= Q(phone=phone)
    if id_number:
        q |= Q(head_id_number=id_number)
    households = (
        _scoped(actor, Household.objects.filter(q), "region")
        .select_related("region")
        .prefetch_related("tags")
        .order_by("pk")
    )
    return Section(
        "households",
        str(EXPORT_SECTIONS["households"]),
        [
            ("head_name", _("户主姓名")),
            ("head_id_number", _("户主身份证号")),
            ("phone", _("联系电话")),
            ("address", _("住址")),
            ("region", _("所在区域")),
            ("members", _("家庭人口")),
            ("tags", _("标签")),
        ],
        [
            {
                "head_name": h.head_name,
                "head_id_number": h.head_id_number,
                "phone": h.phone,
                "address": h.address,
                "region": h.region.name,
                "members": h.members,
                "tags": "、".join(t.name for t in h.tags.all()),
            }
            for h in households
        ],
    )


def _household_link_section(person_ids: list[int]) -> Section:
    links = (
        HouseholdLink.objects.filter(person_id__in=person_ids)
        .select_related("household__region")
        .order_by("pk")
    )
    return Section(
        "household_links",
        str(EXPORT_SECTIONS["household_links"]),
        [("household", _("户")), ("region", _("所在区域")), ("kind", _("联系类型"))],
        [
            {
                "household": str(link.household),
                "region": link.household.region.name,
                "kind": link.get_kind_display(),
            }
            for link in links
        ],
    )


def _enterprise_section(person_ids: list[int]) -> Section:
    links = (
        EnterpriseLink.objects.filter(person_id__in=person_ids)
        .select_related("enterprise")
        .order_by("pk")
    )
    return Section(
        "enterprise_links",
        str(EXPORT_SECTIONS["enterprise_links"]),
        [("enterprise", _("企业")), ("kind", _("联系类型")), ("since", _("起始日期"))],
        [
            {
                "enterprise": link.enterprise.name,
                "kind": link.get_kind_display(),
                "since": link.since.isoformat() if link.since else "",
            }
            for link in links
        ],
    )


def _notification_section(
    actor: User, phone: str, person_ids: list[int], case_ids: list[int]
) -> Section:
    q = Q(user__person_id__in=person_ids)
    if phone:
        q |= Q(address=phone)
    notes = Notification.objects.filter(q)
    if not actor.is_admin:
        notes = notes.filter(case_id__in=case_ids)
    kinds, channels, states = (
        dict(RULE_KINDS),
        dict(NotifyChannel.choices),
        dict(DeliveryStatus.choices),
    )
    return Section(
        "notifications",
        str(EXPORT_SECTIONS["notifications"]),
        [
            ("created_at", _("时间")),
            ("case", _("事项编号")),
            ("kind", _("事件")),
            ("channel", _("渠道")),
            ("text", _("内容")),
            ("status", _("发送状态")),
        ],
        [
            {
                "created_at": _when(n.created_at),
                "case": n.case.number or "",
                "kind": str(kinds.get(n.kind, n.kind)),
                "channel": str(channels.get(n.channel, n.channel)),
                "text": n.text,
                "status": str(states.get(n.status, n.status)),
            }
            for n in notes.select_related("case").order_by("created_at", "pk")
        ],
    )


def _access_section(actor: User, phone: str, person_ids: list[int], case_ids: list[int]) -> Section:
    q = Q(person_id__in=person_ids)
    if phone:
        q |= Q(phone=phone)
    rows = RequesterAccess.objects.filter(q)
    if not actor.is_admin:
        rows = rows.filter(case_id__in=case_ids)
    doors = dict(Door.choices)
    return Section(
        "accesses",
        str(EXPORT_SECTIONS["accesses"]),
        [
            ("created_at", _("时间")),
            ("user", _("查阅人")),
            ("case", _("事项编号")),
            ("door", _("途径")),
            ("purpose", _("用途")),
        ],
        [
            {
                "created_at": _when(r.created_at),
                "user": r.user.display_name,
                "case": r.case.number if r.case else "",
                "door": str(doors.get(r.door, r.door)),
                "purpose": r.purpose,
            }
            for r in rows.select_related("user__person", "case").order_by("created_at", "pk")
        ],
    )


def export_person(
    actor: User, *, phone: str = "", id_number: str = "", reason: str, fmt: str
) -> PersonDossier:
    """Export what is held about the person with ``phone`` or ``id_number``, and log it.

    Refused (PermissionDenied) to anyone but an authorised officer; a ValidationError names
    the field for a missing reason, a malformed query, or when nothing is found (no log then).
    """
    if not may_export_person(actor):
        raise PermissionDenied(_("只有管理员和获得授权的研判交办员可以导出个人信息。"))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("请填写导出事由。")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("导出事由不能超过 %(n)s 字。") % {"n": MAX_REASON}
    if fmt not in ExportFormat.values:
        errors["fmt"] = _("导出格式无效。")
    try:
        phone, id_number = clean_query(phone, id_number)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    people, sections = collect(actor, phone=phone, id_number=id_number)
    counts = {s.key: len(s.rows) for s in sections}
    if not any(counts.values()):
        raise ValidationError(
            {"phone": _("在您的权限范围内没有找到与该号码或身份证号相关的信息。")}
        )
    subject = " ".join(
        part for part in (mask_phone(phone) if phone else "", mask_id_number(id_number)) if part
    )
    person = people[0] if people else None
    now = timezone.now()
    with transaction.atomic():
        export = PersonExport(
            actor=actor,
            person=person,
            subject=subject,
            reason=reason,
            format=fmt,
            counts=counts,
            created_at=now,
        )
        export.save(force_insert=True)
        RequesterAccess(
            user=actor,
            person=person,
            phone=phone or (person.phone if person else ""),
            door=Door.EXPORT,
            purpose=(_("个人信息导出：%(reason)s") % {"reason": reason})[:100],
            count=counts["cases"],
            created_at=now,
        ).save(force_insert=True)
    return PersonDossier(export, sections)


# --- The two formats --------------------------------------------------------------------------


def as_json(dossier: PersonDossier) -> bytes:
    export = dossier.export
    data: dict[str, Any] = {
        "subject": export.subject,
        "exported_at": _when(export.created_at),
        "exported_by": export.actor.display_name,
        "reason": export.reason,
    }
    for section in dossier.sections:
        data[section.key] = section.rows
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, prefixed with ``'`` (shown as typed)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_xlsx(dossier: PersonDossier, safe: Callable[[Any], Any] = spreadsheet_safe) -> bytes:
    """One sheet per section, a header row and one row per record; every text a string cell
    (``ledgers.cells``) and formula-like text prefixed with ``'`` as well, since the file is
    handed to the person and may be re-saved as CSV."""
    workbook = Workbook(write_only=True)
    export = dossier.export
    summary = workbook.create_sheet(_("说明"))
    for label, value in (
        (_("查询条件"), export.subject),
        (_("导出时间"), _when(export.created_at)),
        (_("导出人"), export.actor.display_name),
        (_("导出事由"), export.reason),
    ):
        summary.append(text_row(summary, [label, safe(value)]))
    for section in dossier.sections:
        sheet = workbook.create_sheet(section.title[:31])
        header = []
        for _key, title in section.columns:
            cell = text_cell(sheet, title)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in section.rows:
            sheet.append(text_row(sheet, [safe(row[key]) for key, _title in section.columns]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
