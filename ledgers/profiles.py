"""An office's saved ledger mappings: recognising the next ledger of a known shape, and saving a
confirmed mapping.

A ledger is recognised by its columns: the normalised column names a profile was confirmed on
(its fingerprint) against the new ledger's, as the share of names the two have in common
(Jaccard). A monthly ledger with one column added or renamed in fifteen still scores above 0.9;
another office's ledger of the same kind usually scores well under 0.8.

Recognition runs before the sheet is read in full: :func:`read_head` reads only the first rows
of the sheet in openpyxl's streaming mode, so a 50,000-row ledger is recognised (or refused as a
statistics table) in a moment, in the upload's request.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from cases.models import CaseType
from ledgers.layout import AggregateSheet, Layout, detect_grid_layout
from ledgers.models import LedgerProfile
from ledgers.reader import LedgerFileError
from ledgers.vocabulary import MappingProfile, normalise
from people.models import User
from regions.models import Region

MIN_OVERLAP = 0.8
# Rows read to find the header and judge the sheet; enough for any title block and the sample
# of rows that tells a ledger from a statistics table.
HEAD_ROWS = 200


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
    """The layout of the first HEAD_ROWS rows of ``sheet`` (the first unless named).

    Raises :class:`LedgerFileError` with the user's message for a file that is no workbook, a
    missing or empty sheet, a sheet with no header, and a statistics table. Other doubts about
    a long sheet (a form whose last block the head cuts short) are left to the full reading.
    """
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise LedgerFileError(
            _("无法读取该文件：不是有效的 .xlsx 文件（加密的文件请先取消密码）。")
        ) from exc
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise LedgerFileError(
                _("工作表“%(sheet)s”不存在，可用的工作表：%(names)s。")
                % {"sheet": sheet, "names": "、".join(workbook.sheetnames)}
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows: list[tuple[Any, ...]] = []
        for row in worksheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > HEAD_ROWS:
                break
        stated = worksheet.max_row if isinstance(worksheet.max_row, int) else None
        title = worksheet.title
    finally:
        workbook.close()
    complete = len(rows) <= HEAD_ROWS
    rows = rows[:HEAD_ROWS]
    try:
        layout = detect_grid_layout(rows, (), sheet_name=title)
    except AggregateSheet:
        raise
    except LedgerFileError:
        if complete:
            raise
        # The full reading (merged cells included) decides; recognition goes without.
        layout = Layout(title, "table", [], [], [], None, None)
    estimated = len(rows) if complete else stated
    return Head(layout=layout, estimated_rows=estimated, complete=complete)


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
