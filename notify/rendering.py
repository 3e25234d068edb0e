"""Turn a rule's template and a case event into the text of a message.

Templates are plain Chinese text with ``{name}`` placeholders, edited by administrators. They
are filled by substitution of known names only, never by Django's template engine or by
``str.format`` (whose ``{title.__class__}`` reaches into objects, and whose stray braces raise):
an unknown or misspelt placeholder stays in the text as written, so the mistake is visible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.scope import names_the_requester
from people.masking import mask_name

if TYPE_CHECKING:
    from cases.models import Case, CaseEvent

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("number", "title", "deadline", "status", "unit", "reason", "actor", "event", "url")


class KeepUnknown(dict[str, str]):
    """A mapping that answers an unknown key with the placeholder itself."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: Mapping[str, str]) -> str:
    known = KeepUnknown(values)
    return PLACEHOLDER.sub(lambda match: known[match.group(1)], template)


def unknown_placeholders(template: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(template) if name not in PLACEHOLDERS})


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def case_url(case_id: int) -> str:
    path = reverse("caseviews:case-detail", args=[case_id])
    return settings.NOTIFY_SITE_URL.rstrip("/") + path


def values_for(
    case: Case, event: CaseEvent | None, kind_label: str, *, hide_requester: bool = False
) -> dict[str, str]:
    """The placeholders' values for a message about ``case`` (``event`` may be None);
    ``hide_requester``: the actor's name masked when the actor is the requester (a resident who
    filed, added information or rated), for recipients who may not see the requester."""
    unit = case.lead_unit
    actor = event.actor if event is not None else None
    actor_name = actor.display_name if actor is not None else "系统"
    if hide_requester and names_the_requester(actor, case):
        actor_name = mask_name(actor_name)
    return {
        "number": case.number or "",
        "title": case.title,
        "deadline": _local(case.deadline),
        "status": str(case.status_label),
        "unit": (unit.short_name or unit.name) if unit is not None else "",
        "reason": event.reason if event is not None else "",
        "actor": actor_name,
        "event": kind_label,
        "url": case_url(case.pk),
    }


def sample_values() -> dict[str, str]:
    """Made-up values for the admin's preview of a template."""
    return {
        "number": "DH20260914000123",
        "title": "浔中村第一网格主路路灯不亮",
        "deadline": "2026-09-21 17:00",
        "status": "已交办",
        "unit": "人社局",
        "reason": "需协调供电所现场勘查",
        "actor": "张明",
        "event": "交办",
        "url": settings.NOTIFY_SITE_URL.rstrip("/") + "/cases/123/",
    }
