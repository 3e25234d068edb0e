"""``Idempotency-Key`` on case creation: a retried request never makes a second case.

The first request with a key makes the case (201) and records key, user and a hash of the
body; a retry with the same key and the same body answers 200 with that case as it is now
(header ``Idempotency-Replayed: true``); the same key with another body is refused with 409.
Keys belong to one user: two systems may use the same key independently. The case also
carries the key as its ``source_key``, the engine's own guard against double reports, so
even two racing first requests make one case.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from api.errors import ApiError
from api.models import IdempotencyRecord
from cases.models import Case
from people.models import User

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as in the IETF draft's examples


def clean_key(raw: str | None) -> str | None:
    """The key from the header, or None without one; a malformed key is a 400."""
    if raw is None:
        return None
    if not _KEY.match(raw):
        raise ApiError.one(
            400,
            "invalid",
            _("Idempotency-Key 须为 1 至 255 个可见 ASCII 字符。"),
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            field=HEADER,
        )
    return raw


def body_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def source_key(user: User, key: str) -> str:
    """The case's ``source_key`` (80 characters at most, unique per user and key)."""
    return f"api:{user.pk}:{hashlib.sha256(key.encode()).hexdigest()[:56]}"


def create_once(
    user: User, key: str, data: Any, create: Callable[[str], Case]
) -> tuple[Case, bool]:
    """Make the case with ``create(source_key)`` once per (user, key): (case, created).

    The record is written in the same transaction as the case, so a failed creation (400,
    403) leaves no record and the client may retry with the same key after fixing the body.
    """
    digest = body_hash(data)
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            user=user, key=key, defaults={"body_hash": digest}
        )
        if not created:
            if record.body_hash != digest:
                raise ApiError.one(
                    409,
                    "idempotency_key_reused",
                    _("该 Idempotency-Key 已用于另一个请求体；新的请求请使用新的键。"),
                    "This Idempotency-Key was already used with a different request body; "
                    "use a new key for a new request.",
                    field=HEADER,
                )
            assert record.case is not None  # set in the transaction that wrote the record
            return record.case, False
        case = create(source_key(user, key))
        record.case = case
        record.save(update_fields=["case"])
    return case, True
