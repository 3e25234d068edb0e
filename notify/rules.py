"""The active rules, cached in the process so an event no rule is about costs no query.

The cache is a dict kind → rules, loaded on first use and dropped whenever a rule is saved or
deleted in this process (``notify.signals``). Another process's edit reaches this one within
``RULE_CACHE_SECONDS``, so an administrator's change never needs a restart.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from notify.models import NotificationRule

RULE_CACHE_SECONDS = 60.0

_lock = threading.Lock()
_cache: dict[str, list[NotificationRule]] | None = None
_loaded_at = 0.0


def _load() -> dict[str, list[NotificationRule]]:
    by_kind: dict[str, list[NotificationRule]] = defaultdict(list)
    for rule in NotificationRule.objects.filter(is_active=True):
        by_kind[rule.kind].append(rule)
    return dict(by_kind)


def active_rules(kind: str) -> list[NotificationRule]:
    global _cache, _loaded_at
    cache = _cache
    if cache is None or time.monotonic() - _loaded_at > RULE_CACHE_SECONDS:
        with _lock:
            cache = _cache = _load()
            _loaded_at = time.monotonic()
    return cache.get(kind, [])


def has_rules(kind: str) -> bool:
    return bool(active_rules(kind))


def invalidate() -> None:
    global _cache
    _cache = None
