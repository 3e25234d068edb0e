"""A dry run of importing an office's own ledger: what the columns map to and which rows are bad.

:func:`preview` reads a workbook the way the history import will, without the database: it
detects the layout, maps each column to a field (a confirmed profile first, else the
vocabulary's suggestion), and checks what can be checked from the cells alone: the dates, the
time limit and the words of the value columns. Words no profile or vocabulary knows are
collected per field, for the wizard to ask about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ledgers.dates import parse_limit, parse_moment
from ledgers.fields import FieldError, text
from ledgers.layout import Layout, detect_layout
from ledgers.reader import is_blank
from ledgers.vocabulary import (
    DETAILS,
    VALUE_WORDS,
    MappingProfile,
    normalise,
    suggest_columns,
    suggest_value,
)

DATE_FIELDS = ("reported_at", "assigned_at", "answered_at", "closed_at")
DEADLINE_FIELD = "deadline"
VALUE_FIELDS = tuple(VALUE_WORDS)


@dataclass(frozen=True)
class ColumnMapping:
    """A column of the ledger and the field it maps to (None: kept in the extension data)."""

    name: str
    raw: tuple[str, ...]
    index: int
    field: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...] = ()
    from_profile: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(frozen=True)
class BadCell:
    row: int
    column: str
    reason: str


@dataclass
class Preview:
    layout: Layout
    columns: list[ColumnMapping]
    rows: int = 0
    bad_rows: list[BadCell] = field(default_factory=list)
    unknown_values: dict[str, list[str]] = field(default_factory=dict)
    bad_row_numbers: set[int] = field(default_factory=set)

    @property
    def bad(self) -> int:
        return len(self.bad_row_numbers)

    @property
    def good(self) -> int:
        return self.rows - self.bad

    @property
    def left_out(self) -> int:
        return len(self.layout.left_out)

    def as_dict(self, max_bad_rows: int = 100) -> dict[str, Any]:
        return {
            "sheet": self.layout.sheet_name,
            "kind": self.layout.kind,
            "period_year": self.layout.period_year,
            "header_rows": list(self.layout.header_rows),
            "columns": [
                {
                    "name": c.name,
                    "raw": " / ".join(c.raw) if c.raw else c.name,
                    "field": c.field,
                    "score": c.score,
                    "alternatives": [[f, s] for f, s in c.alternatives],
                }
                for c in self.columns
            ],
            "counts": {
                "rows": self.rows,
                "good": self.good,
                "bad": self.bad,
                "left_out": self.left_out,
            },
            "bad_rows": [
                {"row": b.row, "column": b.column, "reason": b.reason}
                for b in self.bad_rows[:max_bad_rows]
            ],
            "unknown_values": self.unknown_values,
        }


def _profile_field(profile: MappingProfile, column: str) -> str | None:
    """The field a profile names for the column, or None if the profile does not name it."""
    if column in profile.columns:
        return profile.columns[column]
    normal = normalise(column)
    for known, target in profile.columns.items():
        if normalise(known) == normal:
            return target
    return None


def map_columns(layout: Layout, profile: MappingProfile | None = None) -> list[ColumnMapping]:
    suggestions = suggest_columns(layout.column_names)
    result = []
    for column, suggestion in zip(layout.columns, suggestions, strict=True):
        confirmed = _profile_field(profile, column.name) if profile is not None else None
        if confirmed is not None:
            target: str | None = confirmed
            alternatives: tuple[tuple[str, float], ...] = ()
            score, from_profile = 1.0, True
        else:
            target, score = suggestion.field, suggestion.score
            alternatives, from_profile = suggestion.alternatives, False
        if target == DETAILS:
            target = None
        result.append(
            ColumnMapping(
                column.name, column.raw, column.index, target, score, alternatives, from_profile
            )
        )
    return result


def _known_word(field_name: str, word: Any, profile: MappingProfile | None) -> bool:
    if profile is not None:
        normal = normalise(word)
        if any(normalise(k) == normal for k in profile.values.get(field_name, {})):
            return True
    return suggest_value(field_name, word).target is not None


def preview(
    path: str | Path, sheet: str | None = None, profile: MappingProfile | None = None
) -> Preview:
    """Detect, map and check a ledger; raises :class:`ledgers.reader.LedgerFileError`."""
    layout = detect_layout(path, sheet)
    columns = map_columns(layout, profile)
    result = Preview(layout, columns)
    year = layout.period_year
    unknown: dict[str, dict[str, None]] = {}
    for number, values in layout.rows():
        result.rows += 1
        start: datetime | None = None
        for column in columns:
            value = values.get(column.name)
            if column.field is None or is_blank(value):
                continue
            try:
                if column.field in DATE_FIELDS:
                    moment = parse_moment(value, period_year=year)
                    if column.field == "reported_at":
                        start = moment
                elif column.field == DEADLINE_FIELD:
                    continue  # read after the row's start is known
                elif column.field in VALUE_FIELDS:
                    if not _known_word(column.field, value, profile):
                        word = text(value)
                        unknown.setdefault(column.field, {})[word] = None
            except FieldError as exc:
                result.bad_rows.append(BadCell(number, column.name, str(exc)))
                result.bad_row_numbers.add(number)
        for column in columns:
            value = values.get(column.name)
            if column.field != DEADLINE_FIELD or is_blank(value):
                continue
            try:
                parse_limit(value, start=start, period_year=year)
            except FieldError as exc:
                result.bad_rows.append(BadCell(number, column.name, str(exc)))
                result.bad_row_numbers.add(number)
    result.unknown_values = {f: list(words) for f, words in unknown.items()}
    return result


def describe_kind(kind: str) -> str:
    return _("逐案登记表") if kind == "form" else _("表格台账")
