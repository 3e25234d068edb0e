"""POST requests: turn a GeoReport v2 submission into one call of ``cases.services.report_case``.

Where a case happens is a region of the tree (``Case.region`` is required). The region comes from
``attribute[region]``, else ``address_id`` (both a region code); without either, from the key's
service account (its highest region-scoped role), else the single top region, and the dispatcher
places it at triage. ``lat``/``long`` and ``address_string`` are kept as given: there is no map of
regions to place a point with.

A retried POST never makes a second case when the client identifies its submission: by an
``Idempotency-Key`` header, or by ``device_id`` together with ``requested_datetime`` (the time
the report was made on the device). Either becomes the case's ``source_key``, scoped to the key's
service account, and the retry is answered with the first case and its token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cases.attachments import check_file
from cases.models import Case, Channel, Via
from cases.services import CaseError, NotPermitted, report_case
from open311.catalog import Service, attributes, load_services, region_choices
from open311.formats import Open311Error
from open311.mapping import creation_notice, w3c
from open311.models import RequestToken
from open311.params import Params, parse_moment
from orgs.credit_code import validate_credit_code
from orgs.models import Organisation, OrgKind
from people.models import User
from regions.models import Region

MAX_MEDIA_FILES = 5
# The GeoReport v2 specification's limit on ``description``.
MAX_DESCRIPTION = 4000
TITLE_FROM_DESCRIPTION = 30


def max_media_bytes() -> int:
    return int(settings.LIANXIN.get("OPEN311_MAX_MEDIA_BYTES", 10 * 1024 * 1024))


@dataclass
class Submission:
    """A checked submission: the arguments of ``report_case`` and what the answer echoes."""

    service: Service
    region: Region
    title: str
    description: str
    requester_name: str = ""
    requester_phone: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    enterprise: Organisation | None = None
    details: dict[str, Any] = field(default_factory=dict)
    attachments: list[tuple[str, UploadedFile]] = field(default_factory=list)
    source_key: str | None = None
    account_id: str | None = None


class _Errors:
    """Collects every problem of a submission so the client sees them all at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise Open311Error(400, *self.messages)


def _limited(params: Params, name: str, limit: int, errors: _Errors) -> str:
    value = params.get(name)
    if len(value) > limit:
        errors.add(_("%(name)s 不能超过 %(limit)s 个字符。") % {"name": name, "limit": limit})
        return ""
    return value


def _coordinate(name: str, value: str, bound: int, errors: _Errors) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > bound:
        errors.add(
            _("%(name)s 必须是 -%(bound)s 到 %(bound)s 之间的十进制数。")
            % {"name": name, "bound": bound}
        )
        return None
    return number.quantize(Decimal("0.000001"))


def _requester_name(first: str, last: str) -> str:
    # Chinese names are written family name first, without a space.
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _default_region(actor: User) -> Region | None:
    scoped = [a.region for a in actor.role_assignments if a.region is not None]
    if scoped:
        return min(scoped, key=lambda region: region.path)
    roots = list(Region.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _check_attributes(
    service: Service, given: dict[str, str | list[str]], errors: _Errors
) -> set[str]:
    """Check the given attributes against the service's definition; the codes it defines."""
    defined = attributes(service, region_choices())
    for attribute in defined:
        value = given.get(attribute.code)
        if not value:
            if attribute.required:
                errors.add(_("缺少必填属性 attribute[%(code)s]。") % {"code": attribute.code})
            continue
        keys = {key for key, _name in attribute.values}
        values = value if isinstance(value, list) else [value]
        if attribute.datatype == "singlevaluelist" and (len(values) != 1 or values[0] not in keys):
            errors.add(_("attribute[%(code)s] 的取值无效。") % {"code": attribute.code})
        elif attribute.datatype == "multivaluelist" and not set(values) <= keys:
            errors.add(_("attribute[%(code)s] 的取值无效。") % {"code": attribute.code})
        elif attribute.datatype in ("string", "text") and isinstance(value, list):
            errors.add(_("attribute[%(code)s] 只能有一个值。") % {"code": attribute.code})
    return {attribute.code for attribute in defined}


def _single(given: dict[str, str | list[str]], code: str) -> str:
    value = given.get(code) or ""
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def _media(files: list[UploadedFile], errors: _Errors) -> list[tuple[str, UploadedFile]]:
    if len(files) > MAX_MEDIA_FILES:
        errors.add(_("最多上传 %(count)s 个附件。") % {"count": MAX_MEDIA_FILES})
        return []
    result = []
    for upload in files:
        name = (upload.name or "media")[-200:]
        # Judged by the file's bytes (the engine's rule), never by the declared content type.
        try:
            check_file(upload, name=name, limit=max_media_bytes())
        except ValidationError as error:
            errors.add(error.messages[0])
        else:
            result.append((name, upload))
    return result


def _source_key(params: Params, request: HttpRequest, actor: User, errors: _Errors) -> str | None:
    header = request.headers.get("Idempotency-Key", "").strip()
    if header:
        parts = ["header", header]
    elif params.has("device_id") and params.has("requested_datetime"):
        try:
            moment = parse_moment("requested_datetime", params.get("requested_datetime"))
        except Open311Error as error:
            errors.add(error.descriptions[0])
            return None
        parts = ["device", params.get("device_id"), w3c(moment) or ""]
    else:
        return None
    digest = hashlib.sha256("\n".join([str(actor.pk), *parts]).encode()).hexdigest()
    return f"open311:{digest}"


def read_submission(params: Params, request: HttpRequest, actor: User) -> Submission:
    """Check a POST's parameters; every problem is reported at once as a 400, an unknown service
    as a 404."""
    code = params.get("service_code")
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    service = load_services().get(code)
    if service is None:
        raise Open311Error(404, _("服务 %(code)s 不存在。") % {"code": code})

    errors = _Errors()
    known = _check_attributes(service, params.attributes(), errors)
    given = {code: value for code, value in params.attributes().items() if code in known}

    lat, lng = params.get("lat"), params.get("long")
    latitude = longitude = None
    if bool(lat) != bool(lng):
        errors.add(_("lat 和 long 必须同时提供。"))
    elif lat:
        latitude = _coordinate("lat", lat, 90, errors)
        longitude = _coordinate("long", lng, 180, errors)
    address = _limited(params, "address_string", 200, errors)
    region_code = _single(given, "region") or params.get("address_id")
    if not (lat or address or region_code):
        errors.add(_("请提供位置：lat 和 long、address_string 或 address_id 之一。"))

    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors.add(_("区划代码 %(code)s 不存在。") % {"code": region_code})
    else:
        region = _default_region(actor)
        if region is None:
            errors.add(_("无法确定事项发生地，请用 address_id 提供区划代码。"))

    name = _requester_name(
        _limited(params, "first_name", 50, errors), _limited(params, "last_name", 50, errors)
    )
    if len(name) > 50:
        errors.add(_("姓名不能超过 50 个字符。"))
    phone = _limited(params, "phone", 20, errors)
    email = _limited(params, "email", 254, errors)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add(_("email 格式不正确。"))
    media_url = _limited(params, "media_url", 500, errors)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.add(_("media_url 必须是 http 或 https 地址。"))
    device_id = _limited(params, "device_id", 100, errors)
    account_id = _limited(params, "account_id", 100, errors)

    description = _limited(params, "description", MAX_DESCRIPTION, errors)
    if not description:
        # The engine needs content; a client may send only a service and a place.
        place = address or (region.name if region else "")
        description = _("%(service)s（未填写诉求内容，位置：%(place)s）") % {
            "service": service.name,
            "place": place or f"{lat},{lng}",
        }
    title = _single(given, "title") or description[:TITLE_FROM_DESCRIPTION]
    if len(title) > 200:
        errors.add(_("attribute[title] 不能超过 200 个字符。"))

    enterprise = None
    credit_code = _single(given, "enterprise_credit_code").upper()
    if credit_code:
        try:
            validate_credit_code(credit_code)
        except ValidationError as error:
            errors.add(f"attribute[enterprise_credit_code]：{error.messages[0]}")
        else:
            enterprise = Organisation.objects.filter(
                kind=OrgKind.ENTERPRISE, credit_code=credit_code
            ).first()

    attachments = _media(params.files, errors)
    source_key = _source_key(params, request, actor, errors)
    errors.raise_if_any()
    assert region is not None
    details = {
        "service_code": service.code,
        "attributes": given,
        "device_id": device_id or None,
        "account_id": account_id or None,
        "email": email or None,
        "media_url": media_url or None,
        "requested_datetime": params.get("requested_datetime") or None,
    }
    return Submission(
        service=service,
        region=region,
        title=title,
        description=description,
        requester_name=name,
        requester_phone=phone,
        address=address,
        latitude=latitude,
        longitude=longitude,
        enterprise=enterprise,
        details={"open311": {k: v for k, v in details.items() if v}},
        attachments=attachments,
        source_key=source_key,
        account_id=account_id or None,
    )


def issue_token(case: Case) -> RequestToken:
    """The case's token, made on first use with the acknowledgement the client is given; one per
    case, so a retry gets the same token and the same acknowledgement."""
    token = RequestToken.objects.filter(case=case).first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return RequestToken.objects.create(
                case=case,
                token=secrets.token_urlsafe(18),
                service_notice=creation_notice(case) or "",
                expected_datetime=case.deadline,
            )
    except IntegrityError:  # a concurrent retry of the same POST issued it first
        return RequestToken.objects.get(case=case)


def submit(submission: Submission, *, actor: User) -> tuple[Case, RequestToken]:
    """Create the case through the engine, as the key's service account, over the API channel."""
    try:
        with transaction.atomic():
            case = report_case(
                actor=actor,
                via=Via.OPEN311,
                case_type=submission.service.case_type,
                category=submission.service.category,
                region=submission.region,
                title=submission.title,
                description=submission.description,
                channel=Channel.API,
                requester_name=submission.requester_name,
                requester_phone=submission.requester_phone,
                enterprise=submission.enterprise,
                address=submission.address,
                latitude=submission.latitude,
                longitude=submission.longitude,
                details=submission.details,
                attachments=submission.attachments,
                source_key=submission.source_key,
            )
            token = issue_token(case)
    except NotPermitted as error:
        raise Open311Error(403, str(error)) from error
    except CaseError as error:
        raise Open311Error(400, str(error)) from error
    except ValidationError as error:
        raise Open311Error(400, *error.messages) from error
    return case, token
