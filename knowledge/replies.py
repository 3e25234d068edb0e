"""Saved replies (常用回复) rendered for a case, and which one fills a move's form by itself.

A reply's text names variables in braces, ``{case_number}``; ``VARIABLES`` is the whole list,
and a reply naming any other is refused when saved. Rendering replaces each known variable and
leaves every other brace as written: it is a lookup, never ``str.format``, so a text cannot
reach an attribute of the case. The requester's name is always masked (王*): a reply goes out to
units and into texts the requester's neighbours may read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import moves
from cases.models import Case
from cases.moves import MoveSpec
from knowledge.models import SavedReply
from knowledge.scope import may_read, unit_ids, usable_replies
from people.masking import mask_name
from people.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

VARIABLES: dict[str, StrOrPromise] = {
    "case_number": gettext_lazy("事项编号"),
    "requester_name": gettext_lazy("诉求人姓名（脱敏，如“王*”）"),
    "deadline": gettext_lazy("办理期限，如“2026年11月27日 17:00”"),
    "unit": gettext_lazy("主办单位名称"),
    "today": gettext_lazy("今天的日期，如“2026年11月27日”"),
}
_VARIABLE = re.compile(r"\{(\w+)\}")


def unknown_variables(text: str) -> list[str]:
    """The braced names in ``text`` that are not variables, each once, in order."""
    names = dict.fromkeys(m.group(1) for m in _VARIABLE.finditer(text or ""))
    return [name for name in names if name not in VARIABLES]


def day_text(day: date) -> str:
    """A date as offices write it: "2026年11月27日"."""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def moment_text(moment: datetime) -> str:
    """A local date and time as offices write it: "2026年11月27日 17:00"."""
    local = timezone.localtime(moment)
    return f"{day_text(local.date())} {local:%H:%M}"


def values_for(case: Case, *, today: date | None = None) -> dict[str, str]:
    """Each variable's text for ``case`` (``lead_unit`` and ``requester`` best loaded)."""
    name = case.requester_name
    if not name and case.requester_id and case.requester is not None:
        name = case.requester.name
    unset = _("（未设定）")
    return {
        "case_number": case.number or "",
        "requester_name": mask_name(name) if name else _("群众"),
        "deadline": moment_text(case.deadline) if case.deadline else unset,
        "unit": case.lead_unit.name if case.lead_unit_id and case.lead_unit else unset,
        "today": day_text(today or timezone.localdate()),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render(text: str, case: Case, *, today: date | None = None) -> str:
    """``text`` with each known variable replaced by its value for ``case``."""
    return _fill(text, values_for(case, today=today))


# --- Moves ------------------------------------------------------------------------------------


def text_field_name(form_class: type[forms.Form] | None) -> str | None:
    """The first free text (a textarea) of a move's form: where a reply goes."""
    if form_class is None:
        return None
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.Textarea):
            return name
    return None


def text_moves() -> list[tuple[str, str]]:
    """(kind, label) of every move a door offers with a free text, in catalogue order: the
    moves a saved reply may name."""
    return [(spec.kind, str(spec.label)) for spec in moves.offered() if text_field_name(spec.form)]


def auto_fill_replies(user: User, case: Case, kinds: Iterable[str]) -> dict[str, SavedReply]:
    """For each of ``kinds`` with one, the reply that fills its text for ``user`` on ``case``
    (one query): the user's own first, then their unit's (the case's lead unit before
    another), then the office-wide one; the latest changed among equals."""
    kinds = list(kinds)
    if not kinds:
        return {}
    rows = list(
        usable_replies(user)
        .filter(move_kind__in=kinds, auto_fill=True)
        .order_by("-updated_at", "-pk")
    )
    units = unit_ids(user)

    def rank(reply: SavedReply) -> int:
        if reply.owner_id == user.pk:
            return 0
        if reply.owner_unit_id is not None and reply.owner_unit_id in units:
            return 1 if reply.owner_unit_id == case.lead_unit_id else 2
        return 3

    chosen: dict[str, SavedReply] = {}
    for reply in sorted(rows, key=rank):  # stable: the latest first within a rank
        chosen.setdefault(reply.move_kind, reply)
    return chosen


def auto_fill_reply(user: User, kind: str, case: Case) -> SavedReply | None:
    """The reply that fills ``kind``'s text for ``user`` on ``case`` (``auto_fill_replies``)."""
    return auto_fill_replies(user, case, [kind]).get(kind)


def auto_fill_initials(
    user: User, case: Case, specs: Iterable[MoveSpec]
) -> dict[str, dict[str, str]]:
    """The rendered text each move's form starts with, by kind (moves without one left out):
    ``{"answered": {"answer": "..."}}``, for the forms' ``initial``."""
    if not may_read(user):
        return {}
    fields = {spec.kind: name for spec in specs if (name := text_field_name(spec.form))}
    chosen = auto_fill_replies(user, case, fields)
    if not chosen:
        return {}
    values = values_for(case)
    return {kind: {fields[kind]: _fill(reply.text, values)} for kind, reply in chosen.items()}


def rendered_replies(user: User, case: Case) -> list[tuple[SavedReply, str]]:
    """Every reply ``user`` may insert, rendered for ``case``: personal, unit, office-wide."""
    order = {"personal": 0, "unit": 1, "office": 2}
    replies = sorted(usable_replies(user), key=lambda r: (order[r.scope], r.title, r.pk))
    values = values_for(case)
    return [(reply, _fill(reply.text, values)) for reply in replies]
