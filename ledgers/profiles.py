"""An office's saved ledger mappings: recognising the next ledger of a known shape, and saving a
confirmed mapping.

A ledger is recognised by its columns: the normalised column names a profile was confirmed on
(its fingerprint) against the new ledger's, as the share of names the two have in common
(Jaccard). A monthly ledger with one column added or renamed in fifteen still scores above 0.9;
another office's ledger of the same kind usually scores well under 0.8.

Recognition runs before the sheet is read in full: :func:`read_head` decides the layout on the
first rows of the streamed sheet, so a 50,000-row ledger is recognised (or refused as a
statistics table) in a moment, in the upload's request.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction

from cases.models import CaseType
from ledgers.layout import Layout, detect_layout
from ledgers.models import LedgerProfile
from ledgers.vocabulary import MappingProfile, normalise
from people.models import User
from regions.models import Region

MIN_OVERLAP = 0.8


def fingerprint(column_names: Iterable[str]) -> list[str]:
    """The normalised, distinct column names, sorted (generated names like 列C left out)."""
    names = {normalise(name) for name in column_names if not re.fullmatch(r"列[A-Z]+", name)}
    return sorted(name for name in names if name)


def overlap(first: Sequence[str], second: Sequence[str]) -> float:
    a, b = set(first), set(second)
    return len(a & b) / len(a | b) if a | b else 0.0


def recognise(
    office_regions: Iterable[Region], column_names: Sequence[str], case_type: CaseType | None
) -> LedgerProfile | None:
    """The profile of these offices (of ``case_type`` if given) whose fingerprint overlaps the
    columns best, if by at least MIN_OVERLAP; on a tie the office's own (deepest) and the latest."""
    regions = list(office_regions)
    profiles = LedgerProfile.objects.filter(office__in=regions).select_related(
        "office", "case_type"
    )
    if case_type is not None:
        profiles = profiles.filter(case_type=case_type)
    names = fingerprint(column_names)
    best: tuple[float, int, float] | None = None
    found: LedgerProfile | None = None
    for profile in profiles:
        score = overlap(profile.fingerprint, names)
        if score < MIN_OVERLAP:
            continue
        rank = (score, profile.office.depth, profile.updated_at.timestamp())
        if best is None or rank > best:
            best, found = rank, profile
    return found


def save_profile(
    *,
    office: Region,
    name: str,
    case_type: CaseType,
    mapping: MappingProfile,
    column_names: Sequence[str],
    actor: User | None,
    profile: LedgerProfile | None = None,
) -> LedgerProfile:
    """Save a confirmed mapping for the office: into ``profile`` when it is the office's own
    (the one recognised for this ledger), else under ``name`` (replacing one of that name)."""
    mapping = MappingProfile(columns=dict(mapping.columns), values=mapping.values, name=name)
    data = json.loads(mapping.to_json())
    with transaction.atomic():
        if profile is not None and profile.office_id == office.pk:
            saved = LedgerProfile.objects.select_for_update().get(pk=profile.pk)
            # Renamed onto another profile's name: that one gives way.
            LedgerProfile.objects.filter(office=office, name=name).exclude(pk=saved.pk).delete()
        else:
            saved = LedgerProfile.objects.filter(office=office, name=name).first() or (
                LedgerProfile(office=office, created_by=actor)
            )
        saved.name = name
        saved.case_type = case_type
        saved.profile = data
        saved.fingerprint = fingerprint(column_names)
        saved.save()
    return saved


# --- the head of the sheet ---------------------------------------------------------------------


@dataclass
class Head:
    """What the first rows of the sheet show: its layout as far as they go, its size."""

    layout: Layout
    estimated_rows: int | None  # from the sheet's stated dimension; None when it states none
    complete: bool  # the head holds the whole sheet


def read_head(source: str | Path | IO[bytes], sheet: str | None = None) -> Head:
    """The layout of ``sheet`` (the first unless named), decided on its first rows with its
    merged cells and its footer (a year in "填报时间"), and its size; the rows are not read.

    Raises :class:`LedgerFileError` with the user's message for a file that is no workbook, a
    missing or empty sheet, a sheet with no header, and a statistics table.
    """
    layout = detect_layout(source, sheet)
    try:
        return Head(layout=layout, estimated_rows=layout.estimated_rows, complete=layout.fully_read)
    finally:
        layout.close()


# --- the case type the ledger's words point at -------------------------------------------------

# The first rule whose word appears in the ledger's title or column names names its case type.
# A hazard ledger often names the enterprise inspected, so hazards and disputes come first.
_TYPE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("hazard", ("隐患", "整改")),
    ("ip_infringement", ("侵权", "知识产权", "商标", "专利")),
    ("dispute", ("纠纷", "调解", "调处", "化解", "当事人")),
    ("enterprise_demand", ("企业",)),
    ("resident_issue", ("12345", "工单", "来电", "民情", "诉求", "走访", "群众")),
]


def guess_case_type(texts: Iterable[str]) -> str | None:
    """The code of the case type a ledger's title lines and column names point at, if any."""
    text = unicodedata.normalize("NFKC", " ".join(texts))
    for code, words in _TYPE_WORDS:
        if any(word in text for word in words):
            return code
    return None
