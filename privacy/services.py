"""Writing the privacy logs, and setting a case's privacy flags after intake.

A read logs one INSERT per view (never one per row shown); a change of flags logs one row per
flag changed, in the transaction that changes it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.scope import names_the_requester
from people.models import User
from privacy.models import CasePrivacyChange, PrivacyFlag, RequesterAccess
from privacy.scope import may_set_flags

MAX_REASON = 200


def _shows_someone(case: Case) -> bool:
    return bool(case.requester_name or case.requester_phone)


def record_case_access(
    user: User, case: Case, *, door: str, purpose: str = "", now: datetime | None = None
) -> RequesterAccess | None:
    """Log that ``user`` was just shown ``case``'s requester unmasked (call it only where the
    unmasked details are shown). Nothing when there is no one to show, or when the requester
    reads their own case."""
    if not _shows_someone(case) or names_the_requester(user, case):
        return None
    row = RequesterAccess(
        user=user,
        case=case,
        person_id=case.requester_id,
        phone=case.requester_phone,
        door=door,
        purpose=purpose[:100],
        created_at=now or timezone.now(),
    )
    row.save(force_insert=True)
    return row


def set_case_flags(
    case: Case,
    *,
    actor: User,
    is_public: bool | None = None,
    anonymous_to_unit: bool | None = None,
    reason: str = "",
) -> list[CasePrivacyChange]:
    """Set ``is_public`` and/or ``anonymous_to_unit`` (None: leave as it is); one log row per
    flag that changes, none when nothing does. The desk over the case's place and
    administrators only (``case.region`` loaded).

    The flags are no state of the loop (no move, no version): a move in flight is not stale
    because the case became private.
    """
    if not may_set_flags(actor, case):
        raise PermissionDenied(_("只有该事项所在地的研判交办员、话务员和管理员可以修改隐私设置。"))
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("理由不能超过 %(n)s 字。") % {"n": MAX_REASON}}, code="max_length"
        )
    wanted = {PrivacyFlag.IS_PUBLIC: is_public, PrivacyFlag.ANONYMOUS_TO_UNIT: anonymous_to_unit}
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().only(*PrivacyFlag.values).get(pk=case.pk)
        changed = {
            str(flag): value
            for flag, value in wanted.items()
            if value is not None and getattr(locked, flag) != value
        }
        if not changed:
            return []
        Case.objects.filter(pk=case.pk).update(**changed)
        rows = [
            CasePrivacyChange(
                case_id=case.pk, actor=actor, flag=flag, value=value, reason=reason, created_at=now
            )
            for flag, value in changed.items()
        ]
        CasePrivacyChange.objects.bulk_create(rows)
    for flag, value in changed.items():
        setattr(case, flag, value)
    return rows
