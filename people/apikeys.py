"""Creating, checking and revoking API keys; keys are stored as SHA-256 digests only."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from config.prepared import PreparedRead
from people.models import ApiKey, User

KEY_PREFIX = "lx_"


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def create_api_key(name: str, *, user: User | None = None) -> tuple[ApiKey, str]:
    """Make a key and return it with the raw key, which is never stored and cannot be shown again.

    Without ``user``, a service account named ``api-<name>`` is made with no role: an
    administrator grants it the roles (and so the scope) the system needs.
    """
    if user is None:
        user, _ = User.objects.get_or_create(
            username=f"api-{name}"[:150], defaults={"is_active": True}
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name, user=user, prefix=raw[:10], digest=digest(raw))
    return key, raw


# Every API request by a system reads its key: the SQL is built once (config.prepared).
_KEY = PreparedRead(
    lambda digest: (
        ApiKey.objects.active().select_related("user").filter(digest=digest).order_by()[:1]
    ),
    digest=str,
)


def user_for_key(raw_key: str) -> User | None:
    """The service account of an active key, or None; records when the key was last used."""
    if not raw_key:
        return None
    found = _KEY(digest=digest(raw_key.strip()))
    key = found[0] if found else None
    if key is None or not key.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute per key: a busy client should not turn every GET into an UPDATE.
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user


def revoke_api_key(name: str) -> bool:
    return bool(ApiKey.objects.active().filter(name=name).update(revoked_at=timezone.now()))
