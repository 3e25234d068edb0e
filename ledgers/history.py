"""Importing an office's own ledger with its history (issue 10).

:func:`import_history` reads a ledger in the office's own layout (see ``layout``), maps its
columns and words with a :class:`MappingProfile` (confirmed by the user in the wizard, else
the vocabulary's sure suggestions), resolves places, units and categories against the
registries, and checks every row. Each good row becomes a :class:`cases.history.HistoryRecord`
entered at its recorded state by ``cases.history`` (events ``via=import`` at their original
times).

- A dry run writes nothing; it returns what the wizard must ask: words no profile or
  vocabulary knows (per field), ambiguous places with their candidates, bad rows.
- All or nothing by default: one bad row and nothing is written; ``skip_bad_rows`` writes the
  good ones. The whole write is one transaction.
- The ledger's own number (工单编号, 案号) is the business key, normalised: a number already
  imported is skipped, or with ``duplicates=UPDATE`` the case is brought up to the row's
  state; the same number twice in one file is a bad row (the later one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import history as engine
from cases.history import HistoryProblem, HistoryRecord
from cases.models import Case, CaseType, Channel, Satisfaction, Status
from ledgers import fields as f
from ledgers.dates import parse_limit, parse_moment
from ledgers.layout import Layout, LeftOutRow, detect_layout
from ledgers.lookups import chunks
from ledgers.places import PlaceResolver
from ledgers.preview import ColumnMapping, map_columns
from ledgers.reader import is_blank
from ledgers.units import CategoryResolver, UnitResolver
from ledgers.vocabulary import FIELD_LABELS, MappingProfile, normalise, suggest_value
from orgs.models import Organisation, OrgKind
from people.models import DISPATCHERS, Role, User
from regions.models import Region

SKIP, UPDATE = "skip", "update"
DUPLICATE_CHOICES = (SKIP, UPDATE)
# A word read from the vocabulary without the user's confirmation must be this sure (exact, or
# a known word inside it: "已于3月办结"); fuzzier ones are asked about.
SURE_SCORE = 0.8
WRITE_BATCH = 500
PLACE = "place"


@dataclass(frozen=True)
class HistoryError:
    """One bad field of one row: "第5行 受理时间：无法识别的日期". ``column`` is the ledger's
    header ("" for the whole row)."""

    row: int
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = self.column or _("整行")
        return _("第%(row)d行 %(column)s：%(message)s") % {
            "row": self.row,
            "column": where,
            "message": self.message,
        }


@dataclass
class HistoryOptions:
    case_type: CaseType
    profile: MappingProfile
    actor: User | None = None
    sheet: str | None = None
    skip_bad_rows: bool = False
    duplicates: str = SKIP
    dry_run: bool = False
    # Where a row that names no place at all is put (the office's own area).
    default_region: Region | None = None
    # The unit of rows handed over without a unit column (a town's own mediation ledger).
    default_unit: Organisation | None = None
    # The channel of rows without a source column ("": read from the ledger's headers).
    default_channel: str = ""
    source_name: str = ""


@dataclass
class HistoryResult:
    layout: Layout | None = None
    columns: list[ColumnMapping] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[HistoryError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    duplicates_in_file: dict[str, list[int]] = field(default_factory=dict)
    unknown_values: dict[str, list[str]] = field(default_factory=dict)
    ambiguous_places: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    imported: bool = False
    dry_run: bool = False
    # In a dry run: the first rows as they would be stored, for the wizard's preview.
    sample: list[dict[str, Any]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def bad(self) -> int:
        return len(self.bad_rows)

    @property
    def good(self) -> int:
        return self.rows - self.bad

    @property
    def left_out(self) -> list[LeftOutRow]:
        return self.layout.left_out if self.layout is not None else []

    def as_dict(self, max_errors: int = 1000) -> dict[str, Any]:
        layout = self.layout
        return {
            "sheet": layout.sheet_name if layout else "",
            "kind": layout.kind if layout else "",
            "title_lines": list(layout.title_lines) if layout else [],
            "period_year": layout.period_year if layout else None,
            "header_rows": list(layout.header_rows) if layout else [],
            "left_out": [{"row": r.number, "kind": r.kind, "text": r.text} for r in self.left_out],
            "columns": [
                {
                    "name": c.name,
                    "raw": " / ".join(c.raw) if c.raw else c.name,
                    "field": c.field,
                    "score": c.score,
                    "from_profile": c.from_profile,
                    "alternatives": [[name, score] for name, score in c.alternatives],
                }
                for c in self.columns
            ],
            "counts": {
                "rows": self.rows,
                "good": self.good,
                "bad": self.bad,
                "imported": self.created + self.updated if self.imported else 0,
                "created": self.created,
                "updated": self.updated,
                "skipped": self.skipped,
                "left_out": len(self.left_out),
            },
            "by_status": self.by_status,
            "imported": self.imported,
            "dry_run": self.dry_run,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message, "value": e.value}
                for e in self.errors[:max_errors]
            ],
            "errors_total": len(self.errors),
            "duplicates_in_file": self.duplicates_in_file,
            "unknown_values": self.unknown_values,
            "ambiguous_places": {k: [list(c) for c in v] for k, v in self.ambiguous_places.items()},
            "sample": self.sample,
        }


Progress = Callable[[int, int], None]

_NUMBER_LABEL = re.compile(r"^(?:工单编号|工单号|编号|案号|单号|NO|№)[.:：#\s]*", re.IGNORECASE)


def ledger_number(value: Any) -> str:
    """A ledger's own number as a business key: full-width folded, spaces and a leading label
    dropped, upper case ("工单编号：２０２５ 0312-001" → "20250312-001")."""
    raw = unicodedata.normalize("NFKC", f.text(value))
    raw = re.sub(r"\s+", "", raw)
    raw = _NUMBER_LABEL.sub("", raw).lstrip("#")
    return raw.upper()[:64]


def importer_regions(user: User | None) -> list[Region] | None:
    """The region subtrees a user imports into (None: everywhere — the system, a superuser,
    an administrator without a region)."""
    if user is None or user.is_superuser:
        return None
    regions = [
        a.region
        for a in user.role_assignments
        if a.region is not None and (a.role in DISPATCHERS or a.role == Role.ADMIN)
    ]
    if not regions and user.is_admin:
        return None
    return regions


def may_import(user: User) -> bool:
    return user.is_active and (user.is_admin or user.has_role(*DISPATCHERS))


class _Row:
    """One row's values by field, and the row's errors as they are found."""

    def __init__(self, number: int, values: dict[str, Any], columns: list[ColumnMapping]):
        self.number = number
        self.values = values
        self.by_field: dict[str, ColumnMapping] = {c.field: c for c in columns if c.field}
        self.errors: list[HistoryError] = []

    def raw(self, field_name: str) -> Any:
        column = self.by_field.get(field_name)
        return None if column is None else self.values.get(column.name)

    def text(self, field_name: str) -> str:
        value = self.raw(field_name)
        return "" if is_blank(value) else f.text(value)

    def column(self, field_name: str) -> str:
        column = self.by_field.get(field_name)
        return column.name if column is not None else str(FIELD_LABELS.get(field_name, ""))

    def fail(self, field_name: str | None, message: Any) -> None:
        value = self.raw(field_name) if field_name else None
        shown = "" if is_blank(value) else str(value)
        column = self.column(field_name) if field_name else ""
        self.errors.append(HistoryError(self.number, column, str(message), shown[:200]))


class _Reader:
    """Turns rows into history records: the column mapping, the words, the registries."""

    def __init__(self, options: HistoryOptions, layout: Layout, columns: list[ColumnMapping]):
        self.options = options
        self.profile = options.profile
        self.case_type = options.case_type
        self.year = layout.period_year
        self.columns = columns
        within = importer_regions(options.actor)
        self.places = PlaceResolver(within, self.profile.values.get(PLACE, {}))
        unit_picks = {
            **self.profile.values.get("lead_unit", {}),
            **self.profile.values.get("co_units", {}),
        }
        self.units = UnitResolver(unit_picks)
        self.categories = CategoryResolver(self.case_type, self.profile.values.get("category", {}))
        self.enterprises = self._enterprises()
        self.unknown: dict[str, dict[str, None]] = {}
        # Each distinct word is looked up once: a ledger repeats a few thousand times over.
        self._words: dict[tuple[str, str], tuple[str | None, bool]] = {}
        self._units: dict[str, Any] = {}
        self._categories: dict[str, Any] = {}
        self.ambiguous: dict[str, list[tuple[str, str]]] = {}
        self.kept = [c for c in columns if c.field is None]
        self.default_channel = options.default_channel or guess_channel(columns)

    def _enterprises(self) -> dict[str, Organisation]:
        if not any(c.field == "enterprise" for c in self.columns):
            return {}
        found: dict[str, Organisation] = {}
        enterprises = Organisation.objects.filter(kind=OrgKind.ENTERPRISE)
        for org in enterprises.select_related("chain", "region"):
            for key in (org.name, org.short_name):
                if key:
                    found.setdefault(normalise(key), org)
        return found

    # --- words -------------------------------------------------------------------------------

    def _ask(self, field_name: str, word: str) -> None:
        self.unknown.setdefault(field_name, {})[word] = None

    def word(self, row: _Row, field_name: str) -> tuple[str | None, bool]:
        """The value a value column's word stands for, and whether it also means 延期."""
        word = row.text(field_name)
        if not word:
            return None, False
        key = (field_name, word)
        if key not in self._words:
            self._words[key] = self._meaning(field_name, word)
        target, extension = self._words[key]
        if target is None:
            self._ask(field_name, word)
            row.fail(field_name, _("无法识别“%(word)s”，请在值映射中选择。") % {"word": word})
        return target, extension

    def _meaning(self, field_name: str, word: str) -> tuple[str | None, bool]:
        suggestion = suggest_value(field_name, word)
        normal = normalise(word)
        for known, target in self.profile.values.get(field_name, {}).items():
            if normalise(known) == normal:
                return target, suggestion.extension
        if suggestion.target is not None and suggestion.score >= SURE_SCORE:
            return suggestion.target, suggestion.extension
        return None, False

    def moment(self, row: _Row, field_name: str) -> datetime | None:
        value = row.raw(field_name)
        if is_blank(value):
            return None
        try:
            return parse_moment(value, period_year=self.year)
        except f.FieldError as exc:
            row.fail(field_name, exc)
            return None

    # --- a row -------------------------------------------------------------------------------

    def read(self, number: int, values: dict[str, Any]) -> tuple[HistoryRecord | None, _Row]:
        row = _Row(number, values, self.columns)
        description = row.text("description")
        title = row.text("title")
        if not description and not title:
            row.fail("description", _("诉求内容和标题都为空。"))
        reported_at = self.moment(row, "reported_at")
        if reported_at is None and not row.errors:
            if "reported_at" in row.by_field:
                row.fail("reported_at", _("受理时间为空。"))
            else:
                row.fail(None, _("台账没有受理时间列，请在列映射中指定。"))
        assigned_at = self.moment(row, "assigned_at")
        answered_at = self.moment(row, "answered_at")
        closed_at = self.moment(row, "closed_at")
        status, extended = self.word(row, "status")
        satisfaction, _ext = self.word(row, "satisfaction")
        mediation, _ext = self.word(row, "mediation_outcome")
        priority, _ext = self.word(row, "priority")
        risk, _ext = self.word(row, "risk_level")
        channel, _ext = self.word(row, "channel")
        enterprise = None
        enterprise_name = row.text("enterprise")
        if enterprise_name:
            enterprise = self.enterprises.get(normalise(enterprise_name))
        region = self.region(row, enterprise)
        lead_unit = self.unit(row, "lead_unit") or self._default_unit(status)
        co_units = self.co_units(row, lead_unit)
        category = self.category(row)
        deadline = self.deadline(row, assigned_at or reported_at)
        phone = ""
        if row.text("requester_phone"):
            try:
                phone = f.phone(row.raw("requester_phone"), max_length=20)
            except f.FieldError as exc:
                row.fail("requester_phone", exc)
        if row.errors:
            return None, row
        assert reported_at is not None and region is not None
        if status is None:
            status = self._status_from_dates(
                lead_unit, answered_at, closed_at, satisfaction, mediation
            )
        details = self.details(row, enterprise_name if enterprise is None else "")
        record = HistoryRecord(
            case_type=self.case_type,
            region=region,
            title=(title or _title_from(description))[:200],
            description=description or title,
            reported_at=reported_at,
            status=status,
            channel=channel or self.default_channel,
            category=category,
            priority=priority or "",
            risk_level=risk or "",
            requester_name=row.text("requester_name")[:50],
            requester_phone=phone,
            enterprise=enterprise,
            address=row.text("address")[:200],
            lead_unit=lead_unit,
            co_units=co_units,
            assigned_at=assigned_at,
            deadline=deadline,
            extended=extended,
            answered_at=answered_at,
            answer=row.text("answer")[:5000],
            satisfaction=satisfaction or "",
            mediation_outcome=(mediation or "") if self.case_type.has_mediation else "",
            closed_at=closed_at,
            details=details,
        )
        own_number = row.text("number")
        if own_number:
            record.ledger_number = ledger_number(own_number) or None
        try:
            engine.complete(record)
        except HistoryProblem as problem:
            row.fail(problem.field if problem.field in row.by_field else None, problem.message)
            return None, row
        return record, row

    def _default_unit(self, status: str | None) -> Organisation | None:
        """The office's default unit for a row the ledger says was handled (not solved on the
        spot at intake) but names no unit."""
        if self.options.default_unit is None or status in (None, Status.REPORTED, Status.REJECTED):
            return None
        return self.options.default_unit

    @staticmethod
    def _status_from_dates(
        lead_unit: Organisation | None,
        answered_at: datetime | None,
        closed_at: datetime | None,
        satisfaction: str | None,
        mediation: str | None,
    ) -> str:
        """A ledger without a state column: the furthest step its dates record. A recorded
        mediation outcome ends a 调解登记 (the form records finished cases), and so does a
        satisfied rating; an unsatisfied one waits for the dispatcher (reopen or close)."""
        if closed_at is not None or mediation:
            return Status.CLOSED
        if satisfaction:
            return Status.VERIFIED if satisfaction == Satisfaction.UNSATISFIED else Status.CLOSED
        if answered_at is not None:
            return Status.ANSWERED
        if lead_unit is not None:
            return Status.IN_PROGRESS
        return Status.REPORTED

    def region(self, row: _Row, enterprise: Organisation | None = None) -> Region | None:
        town, village, address = row.text("town"), row.text("village"), row.text("address")
        if not (town or village or address):
            if enterprise is not None and enterprise.region is not None:
                # An enterprise ledger names the firm, not the place: the firm's place.
                if self.places.covers(enterprise.region):
                    return enterprise.region
                row.fail("enterprise", _("该企业不在您的管辖范围内。"))
                return None
            if self.options.default_region is not None:
                return self.options.default_region
            row.fail(None, _("未填写地点（乡镇、村或地址），也未指定默认区域。"))
            return None
        found = self.places.resolve(town=town, village=village, address=address)
        if found.region is not None:
            return found.region
        field_name = "village" if village else ("town" if town else "address")
        if found.candidates:
            self.ambiguous[found.key] = [(r.code, self.places.label(r)) for r in found.candidates]
            row.fail(
                field_name,
                _("地点“%(place)s”对应多个区域，请在地点映射中选择。") % {"place": found.key},
            )
        elif self.options.default_region is not None and not (town or village):
            return self.options.default_region  # an address with no known place in it
        else:
            row.fail(field_name, found.error)
        return None

    def unit(self, row: _Row, field_name: str) -> Organisation | None:
        word = row.text(field_name)
        if not word:
            return None
        if word not in self._units:
            self._units[word] = self.units.resolve(word)
        found = self._units[word]
        if found.unit is None:
            self._ask(field_name, word)
            row.fail(field_name, found.error)
        return found.unit

    def co_units(self, row: _Row, lead: Organisation | None) -> list[Organisation]:
        text = row.text("co_units")
        if not text:
            return []
        units: list[Organisation] = []
        for found in self.units.resolve_many(text):
            if found.unit is None:
                self._ask("co_units", found.word)
                row.fail("co_units", found.error)
            elif found.unit not in units and (lead is None or found.unit.pk != lead.pk):
                units.append(found.unit)
        return units

    def category(self, row: _Row) -> Any:
        word = row.text("category")
        if not word:
            return None
        if word not in self._categories:
            self._categories[word] = self.categories.resolve(word)
        category, candidates, error = self._categories[word]
        if category is None:
            self._ask("category", word)
            if candidates:
                error = _("“%(word)s”对应多个分类（%(names)s），请在值映射中选择。") % {
                    "word": word,
                    "names": "、".join(c.name for c in candidates),
                }
            row.fail("category", error)
        return category

    def deadline(self, row: _Row, start: datetime | None) -> datetime | None:
        value = row.raw("deadline")
        if is_blank(value):
            return None
        try:
            return parse_limit(value, start=start, period_year=self.year).deadline
        except f.FieldError as exc:
            row.fail("deadline", exc)
            return None

    def details(self, row: _Row, enterprise_name: str) -> dict[str, Any]:
        """Columns no field takes, kept by their header; and words kept as the ledger wrote
        them where the field keeps less (the limit as text, a unit-less handler)."""
        kept: dict[str, Any] = {}
        for column in self.kept:
            value = row.values.get(column.name)
            if not is_blank(value):
                kept[column.name] = f.text(value)[:2000]
        for field_name in ("deadline", "other_party", "handler", "status"):
            text = row.text(field_name)
            if text:
                kept[row.column(field_name)] = text[:500]
        if enterprise_name:
            kept[row.column("enterprise")] = enterprise_name
        return kept


def guess_channel(columns: Iterable[ColumnMapping]) -> str:
    """The channel a ledger's rows came through, from its headers: a 12345 export has 来电 and
    工单 columns, a visit ledger 走访 ones; anything else was found by the grid."""
    headers = "".join(" ".join(c.raw) or c.name for c in columns)
    if "来电" in headers or "工单" in headers or "12345" in headers:
        return Channel.HOTLINE
    if "走访" in headers:
        return Channel.VISIT
    return Channel.GRID


def _title_from(description: str) -> str:
    first = re.split(r"[。！？!?\n]", description.strip(), maxsplit=1)[0]
    return first[:30] + ("…" if len(first) > 30 else "")


def _sample_row(record: HistoryRecord, row: int) -> dict[str, Any]:
    return {
        "row": row,
        "number": record.ledger_number or "",
        "reported_at": timezone.localtime(record.reported_at).strftime("%Y-%m-%d %H:%M"),
        "title": record.title,
        "region": record.region.name,
        "category": record.category.name if record.category else "",
        "lead_unit": str(record.lead_unit) if record.lead_unit else "",
        "co_units": "、".join(str(u) for u in record.co_units),
        "status": str(Status(record.status).label),
        "deadline": timezone.localtime(record.deadline).strftime("%Y-%m-%d")
        if record.deadline
        else "",
        "satisfaction": record.satisfaction,
        "details": ", ".join(record.details),
    }


def import_history(
    path: str | Path, options: HistoryOptions, progress: Progress | None = None
) -> HistoryResult:
    """Read, check and (unless a dry run, and unless a row is bad without ``skip_bad_rows``)
    enter a ledger's rows with their history. Raises ``LedgerFileError`` for a file that is
    not a ledger (the message says why, in Chinese)."""
    if options.duplicates not in DUPLICATE_CHOICES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_CHOICES}")
    layout = detect_layout(path, options.sheet)
    columns = map_columns(layout, options.profile)
    result = HistoryResult(layout=layout, columns=columns, dry_run=options.dry_run)
    reader = _Reader(options, layout, columns)
    estimated = max(getattr(layout, "estimated_rows", 0) or 0, 1)
    source = options.source_name or Path(path).name
    good: list[tuple[int, HistoryRecord]] = []
    first_row: dict[str, int] = {}
    for number, values in layout.rows():
        result.rows += 1
        record, row = reader.read(number, values)
        if record is not None and record.ledger_number:
            key = record.ledger_number
            if key in first_row:
                result.duplicates_in_file.setdefault(key, [first_row[key]]).append(number)
                row.fail(
                    "number",
                    _("编号“%(number)s”与第%(row)d行重复。")
                    % {"number": key, "row": first_row[key]},
                )
                record = None
            else:
                first_row[key] = number
        if record is None:
            result.errors.extend(row.errors)
            result.bad_rows.add(number)
        else:
            record.source = {"ledger": source[:100], "row": number}
            good.append((number, record))
            result.by_status[record.status] = result.by_status.get(record.status, 0) + 1
            if len(result.sample) < 20:
                result.sample.append(_sample_row(record, number))
        if progress is not None and result.rows % 500 == 0:
            progress(result.rows, 2 * max(estimated, result.rows))
    result.unknown_values = {k: list(v) for k, v in reader.unknown.items()}
    result.ambiguous_places = reader.ambiguous
    total = 2 * result.rows
    if progress is not None:
        progress(result.rows, total)
    existing = _existing(record.ledger_number for _n, record in good if record.ledger_number)
    good = _keep_within_reach(good, existing, options, result)
    if options.dry_run or (result.errors and not options.skip_bad_rows) or not good:
        result.skipped = sum(1 for _n, r in good if r.ledger_number in existing)
        return result
    with transaction.atomic():
        _write(good, existing, options, result, progress, total)
    result.imported = True
    return result


def _existing(numbers: Iterable[str]) -> dict[str, tuple[int, str, str]]:
    """Ledger numbers already in Lianxin → (case id, Lianxin number, region path)."""
    found: dict[str, tuple[int, str, str]] = {}
    for batch in chunks(sorted(set(numbers))):
        rows = Case.objects.filter(ledger_number__in=batch).values_list(
            "ledger_number", "pk", "number", "region__path"
        )
        for key, pk, number, path in rows:
            found[key or ""] = (pk, number or "", path)
    return found


def _keep_within_reach(
    good: list[tuple[int, HistoryRecord]],
    existing: dict[str, tuple[int, str, str]],
    options: HistoryOptions,
    result: HistoryResult,
) -> list[tuple[int, HistoryRecord]]:
    """A number already used by a case outside the importer's area is another office's: the
    row is bad (never skipped or updated silently, and the other case is not touched)."""
    regions = importer_regions(options.actor)
    if regions is None or not existing:
        return good
    paths = [r.path for r in regions]
    kept = []
    for number, record in good:
        found = existing.get(record.ledger_number or "")
        if found is not None and not any(found[2].startswith(p) for p in paths):
            result.errors.append(
                HistoryError(
                    number,
                    "",
                    _(
                        "编号“%(key)s”已被其他单位的事项（%(case)s）使用，不能跳过或更新；"
                        "请核对编号列。"
                    )
                    % {"key": record.ledger_number, "case": found[1]},
                    record.ledger_number or "",
                )
            )
            result.bad_rows.add(number)
            result.by_status[record.status] -= 1
            continue
        kept.append((number, record))
    return kept


def _write(
    good: list[tuple[int, HistoryRecord]],
    existing: dict[str, tuple[int, str, str]],
    options: HistoryOptions,
    result: HistoryResult,
    progress: Progress | None,
    total: int,
) -> None:
    limits = engine._Limits()
    imported_at = timezone.now()
    fresh = [r for _n, r in good if not r.ledger_number or r.ledger_number not in existing]
    again = [r for _n, r in good if r.ledger_number and r.ledger_number in existing]
    done = result.rows
    for batch in chunks(fresh, WRITE_BATCH):
        engine.record_histories(batch, actor=options.actor, imported_at=imported_at, limits=limits)
        result.created += len(batch)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    if options.duplicates == SKIP:
        result.skipped = len(again)
        return
    for batch in chunks(again, WRITE_BATCH):
        ids = [existing[r.ledger_number or ""][0] for r in batch]
        cases = {
            c.pk: c
            for c in Case.objects.select_for_update().select_related("case_type").filter(pk__in=ids)
        }
        pairs = [(cases[existing[r.ledger_number or ""][0]], r) for r in batch]
        moved = engine.advance_histories(
            pairs, actor=options.actor, imported_at=imported_at, limits=limits
        )
        result.updated += len(moved)
        result.skipped += len(batch) - len(moved)
        done += len(batch)
        if progress is not None:
            progress(done, total)
