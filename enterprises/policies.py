"""Every change to a policy (惠企政策), its attachments and grants, and to the firms' tags: one
transaction each, with its ``PolicyEvent`` (``EnterpriseEvent`` for a tag).

Errors leave as data: ``ValidationError`` keyed by field with a code (a condition's errors under
``conditions``, naming its number), ``PermissionDenied`` for a caller outside
``enterprises.scope.may_write_policies`` (tags: ``may_write_file``).
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from enterprises.matching import FLAG_ATTRIBUTES, NUMBER_ATTRIBUTES
from enterprises.models import (
    ConditionAttribute,
    EnterpriseEvent,
    EnterpriseEventKind,
    EnterpriseTag,
    Honour,
    Policy,
    PolicyAttachment,
    PolicyCondition,
    PolicyEvent,
    PolicyEventKind,
    PolicyGrant,
    PolicyQuerySet,
    PolicyStatus,
)
from enterprises.scope import may_read_file, may_write_file, may_write_policies
from enterprises.services import _amount
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from people.models import User
from regions.models import Region
from textsearch import ranked

A = ConditionAttribute
# The fields of a policy a writer sets (``create_policy`` / ``update_policy`` keywords).
FIELDS = (
    "title",
    "issuer",
    "document_number",
    "category",
    "valid_from",
    "valid_until",
    "max_amount",
    "amount_note",
    "summary",
    "full_text",
    "exempt_application",
    "manual_conditions",
    "owner",
)
MAX_CONDITIONS = 20
MAX_VALUES = 50
# Policy documents are long scans; case photos have their own, lower cap.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _check_writer(actor: User) -> None:
    if not may_write_policies(actor):
        raise PermissionDenied(_("您无权维护惠企政策。"))


def _log(policy: Policy, kind: str, actor: User | None, data: dict[str, Any]) -> None:
    PolicyEvent.objects.create(policy=policy, kind=kind, actor=actor, data=data)


# --- Conditions ---------------------------------------------------------------------------------


def _condition_error(number: int, message: Any, code: str, **params: Any) -> ValidationError:
    text = format_lazy("{}{}", _("第 %(number)s 条条件："), message)
    return _error("conditions", text, code, number=number, **params)


# The largest id a region row can have (an integer column on both databases).
MAX_REGION_ID = 2**31 - 1


def _region_id(value: Any) -> int | None:
    """A region id as JSON or a form sends it (12 or "12"), else None: a bool, a fraction, a
    number no column holds (JSON's 1e400 is infinity, 10**400 an int) is no id."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_REGION_ID else None


def _known_values(attribute: str, values: list[Any], number: int) -> list[Any]:
    """``values`` of a set attribute, trimmed, without repeats, each known; or the error."""
    if attribute == A.REGION:
        ids = [_region_id(v) for v in values]
        if None in ids:
            raise _condition_error(number, _("区域须为区域编号。"), "invalid_region")
        ids = list(dict.fromkeys(ids))
        found = set(Region.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing := [i for i in ids if i not in found]:
            raise _condition_error(
                number, _("区域 %(values)s 不存在。"), "unknown_value", values=missing
            )
        return ids
    if not all(isinstance(v, str) for v in values):
        raise _condition_error(number, _("取值须为文字。"), "invalid_value")
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    known: set[str] | None = None
    if attribute == A.SIZE:
        known = set(EnterpriseSize.values)
    elif attribute == A.CHAIN_POSITION:
        known = set(ChainPosition.values)
    elif attribute == A.HONOUR:
        known = set(Honour.objects.filter(code__in=cleaned).values_list("code", flat=True))
    elif attribute == A.TAG:
        known = set(EnterpriseTag.objects.filter(name__in=cleaned).values_list("name", flat=True))
    if known is not None and (unknown := [v for v in cleaned if v not in known]):
        raise _condition_error(
            number, _("未知的取值：%(values)s。"), "unknown_value", values="、".join(unknown)
        )
    return cleaned


def _bound(value: Any, number: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return _amount(value, "conditions")
    except ValidationError:
        raise _condition_error(number, _("上下限须为不小于 0 的数。"), "invalid_bound") from None


def clean_conditions(conditions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions as stored (attribute, values, minimum, maximum), or a ValidationError
    under ``conditions`` naming the first bad one."""
    cleaned = []
    rows = list(conditions)
    if len(rows) > MAX_CONDITIONS:
        raise _error(
            "conditions", _("条件最多 %(n)s 条。"), "too_many_conditions", n=MAX_CONDITIONS
        )
    for number, row in enumerate(rows, start=1):
        attribute = row.get("attribute")
        if attribute not in A.values:
            raise _condition_error(number, _("未知的条件项。"), "invalid_attribute")
        values = row.get("values") or []
        if not isinstance(values, list) or len(values) > MAX_VALUES:
            raise _condition_error(number, _("取值须为列表。"), "invalid_value")
        low, high = _bound(row.get("minimum"), number), _bound(row.get("maximum"), number)
        if attribute in NUMBER_ATTRIBUTES:
            if low is None and high is None:
                raise _condition_error(number, _("请填写下限或上限。"), "missing_bound")
            if low is not None and high is not None and low > high:
                raise _condition_error(number, _("下限不能大于上限。"), "invalid_range")
            values = []
        elif attribute in FLAG_ATTRIBUTES:
            if values not in ([True], [False]):
                raise _condition_error(number, _("取值须为“是”或“否”。"), "invalid_value")
            low = high = None
        else:
            values = _known_values(attribute, values, number)
            if not values:
                raise _condition_error(number, _("请至少填写一个取值。"), "missing_value")
            low = high = None
        cleaned.append({"attribute": attribute, "values": values, "minimum": low, "maximum": high})
    return cleaned


def _conditions_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "minimum": None if row["minimum"] is None else str(row["minimum"]),
            "maximum": None if row["maximum"] is None else str(row["maximum"]),
        }
        for row in rows
    ]


def _replace_conditions(policy: Policy, rows: list[dict[str, Any]]) -> None:
    policy.conditions.all().delete()
    PolicyCondition.objects.bulk_create(PolicyCondition(policy=policy, **row) for row in rows)


# --- Policy -------------------------------------------------------------------------------------


def _apply(policy: Policy, fields: dict[str, Any]) -> None:
    """Set and check ``fields``: the model's own rules, then the dates and the amount."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(policy, name, value)
    if policy.max_amount is not None:
        policy.max_amount = _amount(policy.max_amount, "max_amount")
    policy.full_clean(exclude=["created_by", "status"])
    if policy.valid_until is not None and policy.valid_until < policy.valid_from:
        raise _error("valid_until", _("截止日期不能早于生效日期。"), "invalid_dates")


def _checked(
    policy: Policy, fields: dict[str, Any], conditions: Iterable[dict[str, Any]] | None
) -> list[dict[str, Any]] | None:
    """Apply ``fields`` and clean ``conditions``, reporting the errors of both at once."""
    errors: dict[str, Any] = {}
    try:
        _apply(policy, fields)
    except ValidationError as error:
        errors.update(error.error_dict)
    rows = None
    try:
        rows = None if conditions is None else clean_conditions(conditions)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return rows


def create_policy(
    *, actor: User, conditions: Iterable[dict[str, Any]] = (), **fields: Any
) -> Policy:
    """Enter a policy as a draft (草稿) with its conditions."""
    _check_writer(actor)
    policy = Policy(created_by=actor, status=PolicyStatus.DRAFT)
    rows = _checked(policy, fields, conditions) or []
    with transaction.atomic():
        policy.save()
        _replace_conditions(policy, rows)
        _log(
            policy,
            PolicyEventKind.CREATED,
            actor,
            {"title": policy.title, "conditions": _conditions_data(rows)},
        )
    return policy


def _locked(policy: Policy) -> Policy:
    return Policy.objects.select_for_update().get(pk=policy.pk)


def update_policy(
    policy: Policy,
    *,
    actor: User,
    conditions: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Policy:
    """Change a draft or published policy; ``conditions`` (when given) replace the old ones.
    A withdrawn policy stays as it was withdrawn."""
    _check_writer(actor)
    with transaction.atomic():
        policy = _locked(policy)
        if policy.status == PolicyStatus.WITHDRAWN:
            raise _error("status", _("已废止的政策不能修改。"), "withdrawn")
        before = {name: getattr(policy, name) for name in fields}
        rows = _checked(policy, fields, conditions)
        policy.save()
        changed = sorted(name for name in fields if getattr(policy, name) != before[name])
        data: dict[str, Any] = {"changed": changed}
        if rows is not None:
            _replace_conditions(policy, rows)
            data["conditions"] = _conditions_data(rows)
        _log(policy, PolicyEventKind.UPDATED, actor, data)
    return policy


def publish_policy(policy: Policy, *, actor: User) -> Policy:
    """Publish a draft: every signed-in user reads it from now, and it is matched."""
    _check_writer(actor)
    with transaction.atomic():
        policy = _locked(policy)
        if policy.status != PolicyStatus.DRAFT:
            raise _error("status", _("只有草稿可以发布。"), "not_draft")
        policy.status = PolicyStatus.PUBLISHED
        policy.save(update_fields=["status", "updated_at"])
        _log(policy, PolicyEventKind.PUBLISHED, actor, {})
    return policy


def withdraw_policy(policy: Policy, *, actor: User, reason: str = "") -> Policy:
    """Withdraw (废止) a published policy; its grants stay on record."""
    _check_writer(actor)
    with transaction.atomic():
        policy = _locked(policy)
        if policy.status != PolicyStatus.PUBLISHED:
            raise _error("status", _("只有已发布的政策可以废止。"), "not_published")
        policy.status = PolicyStatus.WITHDRAWN
        policy.save(update_fields=["status", "updated_at"])
        _log(policy, PolicyEventKind.WITHDRAWN, actor, {"reason": reason.strip()})
    return policy


# --- Attachments --------------------------------------------------------------------------------

# Office documents are ZIP packages; which one is told by the part only it has.
_OFFICE_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


def attachment_kind(file: Any) -> str | None:
    """The extension of the accepted type ``file``'s bytes show (pdf, docx, xlsx or an image),
    else None: a name or a declared type is only the sender's claim, and HTML or SVG served
    from this site would run its scripts with the reader's session. The file is left at 0."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = "gif"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    elif head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        if "[Content_Types].xml" in names:
            kind = next((ext for part, ext in _OFFICE_PARTS.items() if part in names), None)
    file.seek(0)
    return kind


def add_attachment(policy: Policy, file: Any, *, actor: User, name: str = "") -> PolicyAttachment:
    """Attach a document (PDF, Word, Excel or an image, at most 20 MB) to ``policy``, stored
    under a random name with the extension of its real type."""
    _check_writer(actor)
    name = (name or getattr(file, "name", "") or "").strip()[:200] or "附件"
    if file.size > MAX_ATTACHMENT_BYTES:
        raise _error(
            "file",
            _("附件“%(name)s”超过 %(size)s MB。"),
            "file_size",
            name=name,
            size=MAX_ATTACHMENT_BYTES // (1024 * 1024),
        )
    kind = attachment_kind(file)
    if kind is None:
        raise _error(
            "file",
            _("附件“%(name)s”的类型不支持，请上传 PDF、Word、Excel 或图片。"),
            "file_type",
            name=name,
        )
    stored = File(file, name=f"{uuid.uuid4().hex}.{kind}")
    with transaction.atomic():
        policy = _locked(policy)
        attachment = PolicyAttachment.objects.create(
            policy=policy, file=stored, name=name, size=file.size
        )
        _log(
            policy,
            PolicyEventKind.ATTACHED,
            actor,
            {"attachment": attachment.pk, "name": name, "size": file.size},
        )
    return attachment


# --- Grants -------------------------------------------------------------------------------------


def record_grant(
    policy: Policy,
    enterprise: Organisation,
    amount: Decimal | int | str,
    granted_on: date,
    note: str = "",
    *,
    actor: User,
) -> PolicyGrant:
    """Record what ``enterprise`` received under ``policy`` (兑现): a published policy, or a
    withdrawn one for what was paid while it was in force."""
    _check_writer(actor)
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("只能为企业登记兑现。"), "not_enterprise")
    if not may_read_file(actor, enterprise):
        raise PermissionDenied(_("您无权查看该企业的档案。"))
    value = _amount(amount, "amount")
    if granted_on > timezone.localdate():
        raise _error("granted_on", _("兑现日期不能晚于今天。"), "future_date")
    with transaction.atomic():
        policy = _locked(policy)
        if policy.status == PolicyStatus.DRAFT:
            raise _error("policy", _("草稿政策不能登记兑现。"), "not_published")
        grant = PolicyGrant.objects.create(
            policy=policy,
            enterprise=enterprise,
            amount=value,
            granted_on=granted_on,
            note=note.strip()[:200],
            created_by=actor,
        )
        _log(
            policy,
            PolicyEventKind.GRANTED,
            actor,
            {
                "grant": grant.pk,
                "enterprise": enterprise.pk,
                "amount": str(value),
                "granted_on": granted_on.isoformat(),
            },
        )
    return grant


# --- Reading ----------------------------------------------------------------------------------

# The search box of the pages and ``?q=`` of the API: the title weighs most.
SEARCH_WEIGHTS = {"title": 3, "summary": 2, "full_text": 1}


def filtered(
    policies: PolicyQuerySet,
    *,
    category: str = "",
    status: str = "",
    exempt: bool | None = None,
    valid_on: date | None = None,
    query: str = "",
) -> PolicyQuerySet:
    """``policies`` narrowed by the list filters (blank ones ignored); with a ``query``, only
    the policies holding one of its words, the most relevant first (``textsearch.ranked``)."""
    if category:
        policies = policies.filter(category=category)
    if status:
        policies = policies.filter(status=status)
    if exempt is not None:
        policies = policies.filter(exempt_application=exempt)
    if valid_on is not None:
        policies = policies.in_force(valid_on)
    if query.strip():
        return ranked(policies, query, SEARCH_WEIGHTS)
    return policies.order_by("-valid_from", "-pk")


# --- Tags ---------------------------------------------------------------------------------------


def _check_file_writer(enterprise: Organisation, actor: User) -> None:
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("只能给企业加标签。"), "not_enterprise")
    if not may_write_file(actor, enterprise):
        raise PermissionDenied(_("您无权维护该企业的档案。"))


def tag_enterprise(enterprise: Organisation, name: str, *, actor: User) -> EnterpriseTag:
    """Put the tag ``name`` on ``enterprise`` (the tag is created when new); once is enough."""
    _check_file_writer(enterprise, actor)
    name = name.strip()
    if not name:
        raise _error("name", _("请填写标签。"), "required")
    if len(name) > 30:
        raise _error("name", _("标签最多 30 个字。"), "max_length")
    with transaction.atomic():
        tag, _created = EnterpriseTag.objects.get_or_create(name=name)
        if not tag.enterprises.filter(pk=enterprise.pk).exists():
            tag.enterprises.add(enterprise)
            EnterpriseEvent.objects.create(
                enterprise=enterprise,
                kind=EnterpriseEventKind.TAGGED,
                actor=actor,
                data={"tag": tag.name},
            )
    return tag


def untag_enterprise(enterprise: Organisation, tag: EnterpriseTag, *, actor: User) -> None:
    """Take ``tag`` off ``enterprise``; the tag itself stays for the others."""
    _check_file_writer(enterprise, actor)
    with transaction.atomic():
        if not tag.enterprises.filter(pk=enterprise.pk).exists():
            raise _error("tag", _("该企业没有这个标签。"), "not_tagged")
        tag.enterprises.remove(enterprise)
        EnterpriseEvent.objects.create(
            enterprise=enterprise,
            kind=EnterpriseEventKind.UNTAGGED,
            actor=actor,
            data={"tag": tag.name},
        )
