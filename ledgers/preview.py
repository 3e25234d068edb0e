"""The column mapping of a ledger: each column of its layout and the field it maps to, from a
confirmed profile first, else the vocabulary's suggestion (with its score and alternatives).
The dry run and the import themselves are ``ledgers.history.import_history``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ledgers.layout import Layout
from ledgers.vocabulary import (
    DETAILS,
    MappingProfile,
    normalise,
    suggest_columns,
)


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


def describe_kind(kind: str) -> str:
    return _("逐案登记表") if kind == "form" else _("表格台账")
