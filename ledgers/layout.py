"""The layout of an office's own Excel ledger (台账): its title, header, data rows and footer.

Offices keep ledgers in their own shapes: 12345 work-order exports with one plain header row;
矛盾纠纷/隐患 ledgers with a title, a "填报单位：… 填报时间：…" line, a two-row header whose parent
cell spans its children, merged 镇/村 cells and a signature block at the bottom; per-record forms
(交办单, 调解登记表) with "label | value" pairs; and statistics cross-tabs that are no ledger at all.
:func:`detect_layout` finds where each part is, without knowing any field names: the header is
the topmost block of rows scoring as header-like (dense, distinct, short texts with data-like rows
below), so the separate vocabulary can map the names it yields to fields.

Streaming: a ledger at a path is read in openpyxl's read-only mode, never whole. The merged
ranges come from the sheet's XML (read-only sheets do not expose them), found in one cheap
decompressing pass that also keeps the sheet's last rows (the footer: its 填报时间 may give the
year, its 合计 row marks a statistics table). The layout is detected on the first
:data:`HEAD_ROWS` rows; :meth:`Layout.rows` then goes on streaming the rest row by row, filling
merged cells down and leaving out total, signature and note rows as it meets them. So for a
long sheet :attr:`Layout.left_out` and :attr:`Layout.last_data_row` are final only once
:meth:`Layout.rows` has been read to the end (:attr:`Layout.fully_read`); until then the last
data row is the one the footer pass saw, and :attr:`Layout.estimated_rows` gives a count for a
progress bar. The workbook is closed when the rows have been read to the end or
:meth:`Layout.close` is called (a layout is also a context manager); reading the rows again
opens the file again. A sheet shorter than the head, a per-record form, and a workbook loaded
in normal mode and passed in are read whole, as before.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from calendar import monthrange
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, cast

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import (
    FORMULA_TAG,
    INLINE_STRING,
    VALUE_TAG,
    WorkSheetParser,
)
from openpyxl.xml.constants import SHEET_MAIN_NS

from ledgers.reader import LedgerFileError, is_blank

# The header is looked for among the first rows; titles and filler lines rarely take more.
HEAD_SCAN_ROWS = 30
MAX_HEADER_DEPTH = 3
# Rows scoring within this share of the best are ties; the topmost wins (data rows sit below).
HEADER_TIE = 0.85
MIN_HEADER_SCORE = 0.3
# A header cell is short; a longer text is a title line or a data value.
MAX_LABEL_LENGTH = 30
# Rows sampled to judge columns (serial numbers, numeric counts).
SAMPLE_ROWS = 500
MAX_SERIAL = 1_000_000
# Rows of a streamed sheet read before its layout is decided: the title and header search, and
# the data rows sampled to judge the columns. A sheet this short is read whole.
HEAD_ROWS = 600  # > HEAD_SCAN_ROWS + MAX_HEADER_DEPTH + SAMPLE_ROWS
# The end of the sheet's XML kept by the footer pass (a few hundred rows).
TAIL_BYTES = 256 * 1024
XML_CHUNK = 1024 * 1024

MergedRange = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based, as Excel)

TABLE = "table"
FORM = "form"


class LayoutError(LedgerFileError):
    """The sheet is readable but not as a ledger of records; the message is for the user."""


class AggregateSheet(LayoutError):
    """The sheet holds counts cross-tabulated by category, not one record per row."""


class MalformedForm(LayoutError):
    """The sheet looks like a per-record form but its blocks cannot be read as label → value."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class LayoutColumn:
    """A data column: its sheet index (1-based), its normalised name and header texts as typed."""

    index: int
    name: str
    raw: tuple[str, ...] = ()
    serial: bool = False

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass(frozen=True)
class LeftOutRow:
    """A row below the header that is not a record: "total", "signature", "note" or "header"."""

    number: int
    kind: str
    text: str


@dataclass
class Layout:
    sheet_name: str
    kind: str
    title_lines: list[str]
    header_rows: list[int]
    columns: list[LayoutColumn]
    first_data_row: int | None
    # For a streamed sheet: provisional (the footer pass's) until the rows have been read.
    last_data_row: int | None
    # For a streamed sheet: complete once the rows have been read to the end.
    left_out: list[LeftOutRow] = field(default_factory=list)
    period: Period | None = None
    # The date the ledger was filled in (填报时间), not the period it covers.
    filled_on: date | None = None
    # How many records the rows will yield, for a progress bar: exact for a sheet read whole,
    # for a streamed one estimated from its last rows (or its declared size); None if unknown.
    estimated_rows: int | None = None
    _grid: _Grid | None = field(default=None, repr=False)
    _skip: frozenset[int] = field(default=frozenset(), repr=False)
    _records: list[tuple[int, dict[str, Any]]] | None = field(default=None, repr=False)
    _stream: _Stream | None = field(default=None, repr=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def period_year(self) -> int | None:
        """The year that year-less dates in the rows belong to."""
        if self.period is not None:
            return self.period.start.year
        return self.filled_on.year if self.filled_on else None

    @property
    def fully_read(self) -> bool:
        """Are :attr:`left_out` and :attr:`last_data_row` final? (Streamed: after one full
        pass of :meth:`rows`.)"""
        return self._stream is None or self._stream.done

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(sheet row number, {column name: value}) per record, merged cells filled down."""
        if self._records is not None:
            yield from self._records
            return
        if self._grid is None or self.first_data_row is None or self.last_data_row is None:
            return
        grid = self._grid
        last = grid.row_count if self._stream is not None else self.last_data_row
        for number in range(self.first_data_row, last + 1):
            if number in self._skip or grid.blank(number):
                continue
            yield number, {c.name: grid.value(number, c.index) for c in self.columns}
        if self._stream is not None:
            yield from self._stream.rows(self)

    def close(self) -> None:
        """Close the workbook a streamed sheet keeps open (reading the rows again reopens it)."""
        if self._stream is not None:
            self._stream.source.close()

    def __enter__(self) -> Layout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- reading the sheet -------------------------------------------------------------------------


class _Grid:
    """Cell values by (row, column), 1-based; a cell inside a merged range reads its anchor's."""

    def __init__(self, rows: Sequence[Sequence[Any]], merged: Sequence[MergedRange] = ()):
        self.rows = [tuple(r) for r in rows]
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        self.span: dict[tuple[int, int], MergedRange] = {}
        for min_row, min_col, max_row, max_col in merged:
            self.span[(min_row, min_col)] = (min_row, min_col, max_row, max_col)
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    if (r, c) != (min_row, min_col):
                        self.anchor[(r, c)] = (min_row, min_col)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def own(self, r: int, c: int) -> Any:
        """The value stored in the cell itself (None inside a merged range but its anchor)."""
        if 1 <= r <= len(self.rows) and 1 <= c <= len(self.rows[r - 1]):
            return self.rows[r - 1][c - 1]
        return None

    def value(self, r: int, c: int) -> Any:
        return self.own(*self.anchor.get((r, c), (r, c)))

    def covered(self, r: int, c: int) -> bool:
        return (r, c) in self.anchor

    def last_col(self, r: int) -> int:
        cells = self.rows[r - 1] if 1 <= r <= len(self.rows) else ()
        last = 0
        for c, v in enumerate(cells, start=1):
            if not is_blank(v):
                last = max(last, self.span.get((r, c), (0, 0, 0, c))[3])
        return last

    def anchors(self, r: int) -> list[tuple[int, Any]]:
        """The non-blank cells a row holds itself, as (column, value)."""
        cells = self.rows[r - 1] if 1 <= r <= len(self.rows) else ()
        return [(c, v) for c, v in enumerate(cells, start=1) if not is_blank(v)]

    def blank(self, r: int) -> bool:
        return not self.anchors(r)

    def text(self, r: int) -> str:
        """The row's distinct texts joined, as a person would read the line."""
        return _cells_text(self.anchors(r))


def detect_layout(source: str | Path | IO[bytes] | Workbook, sheet: str | None = None) -> Layout:
    """The layout of ``sheet`` (the first unless named) of a workbook or an .xlsx at a path or
    in a binary file object (an upload: it must stay open, and be read by nothing else, until
    the layout is closed or its rows read).

    A file is streamed (see the module's notes): close the layout, or read its rows to the end,
    to release it. A workbook loaded in normal mode is read whole, as it is in memory.
    """
    if isinstance(source, Workbook) and not source.read_only:
        worksheet = _worksheet(source, sheet)
        rows = list(worksheet.iter_rows(values_only=True))
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in worksheet.merged_cells]
        return detect_grid_layout(rows, merged, sheet_name=worksheet.title)
    if isinstance(source, Workbook):
        sheet_source = _SheetSource(None, sheet, workbook=source)
    elif isinstance(source, str | Path):
        sheet_source = _SheetSource(Path(source), sheet)
    else:
        sheet_source = _SheetSource(source, sheet)
    try:
        return _detect_streamed(sheet_source)
    except BaseException:
        sheet_source.close()
        raise


def _worksheet(workbook: Workbook, sheet: str | None) -> Any:
    if sheet is not None and sheet not in workbook.sheetnames:
        raise LedgerFileError(
            _("工作表“%(sheet)s”不存在，可用的工作表：%(names)s。")
            % {"sheet": sheet, "names": "、".join(workbook.sheetnames)}
        )
    return workbook[sheet] if sheet is not None else workbook.worksheets[0]


def _open(source: Path | IO[bytes]) -> Workbook:
    """The workbook at a path or in a file object, in read-only mode (the file stays open until
    the workbook is closed)."""
    if isinstance(source, Path):
        name: Any = source
        if not source.exists():
            raise LedgerFileError(_("文件不存在：%(path)s") % {"path": source})
        if source.suffix.lower() in (".xls", ".et", ".csv"):
            raise LedgerFileError(
                _("不支持 %(suffix)s 格式，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
                % {"suffix": source.suffix}
            )
    else:
        name = getattr(source, "name", "") or _("工作簿")
        source.seek(0)
    try:
        reader = _ReadOnlyReader(source, read_only=True, data_only=True)
        reader.read()
        return reader.wb
    except (InvalidFileException, zipfile.BadZipFile, OSError) as exc:
        raise LedgerFileError(
            _("无法读取 %(path)s：不是有效的 .xlsx 文件（加密的文件请先取消密码）。")
            % {"path": name}
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file, not a bug
        raise LedgerFileError(
            _("无法读取 %(path)s：不是有效的 .xlsx 文件（%(error)s）。")
            % {"path": name, "error": exc}
        ) from exc


class _ReadOnlyReader(ExcelReader):
    """openpyxl's reader, in read-only mode, with sheets that learn their declared size from the
    head of their XML: openpyxl's own parse a sheet without a <dimension> (as openpyxl's
    write-only mode and other tools' streaming exports write them) to its end to find none."""

    def read_worksheets(self) -> None:
        workbook: Any = self.wb  # the stubs know neither _sheets nor every sheet kind
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(cast(Any, sheet), rel)
                continue
            worksheet: Any = _ReadOnlySheet(workbook, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            workbook._sheets.append(worksheet)


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
_DATA_START = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")


class _ReadOnlySheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet, sized from the head of its XML and parsed by
    :class:`_CellParser`."""

    def _get_size(self) -> None:
        sheet: Any = self  # the stubs leave out the private members
        with sheet._get_source() as source:
            head = source.read(64 * 1024)  # <dimension> comes second, before the rows
        if start := _DATA_START.search(head):
            head = head[: start.start()]
        if match := _DIMENSION.search(head):
            try:
                bounds = range_boundaries(match.group(1).decode("ascii"))
            except (TypeError, ValueError, UnicodeDecodeError):
                return
            sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = bounds

    def _cells_by_row(
        self, min_col: int, min_row: int, max_col: int | None, max_row: int | None,
        values_only: bool = False,
    ) -> Iterator[Sequence[Any]]:  # fmt: skip
        # openpyxl 3.1's ReadOnlyWorksheet._cells_by_row, with the parser swapped.
        sheet: Any = self
        filler = None if values_only else EMPTY_CELL
        max_col = max_col or self.max_column
        max_row = max_row or self.max_row
        empty_row: Sequence[Any] = []
        if max_col is not None:
            empty_row = (filler,) * (max_col + 1 - min_col)
        counter = min_row
        idx = 1
        with sheet._get_source() as source:
            parser = _CellParser(
                source,
                sheet._shared_strings,
                data_only=sheet.parent.data_only,
                epoch=sheet.parent.epoch,
                date_formats=sheet.parent._date_formats,
                timedelta_formats=sheet.parent._timedelta_formats,
            )
            for idx, row in parser.parse():
                if max_row is not None and idx > max_row:
                    break
                for _ in range(counter, idx):  # rows the XML leaves out
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    counter += 1
                    yield sheet._get_row(row, min_col, max_col, values_only)
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty_row


_INLINE_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_INLINE_RUN = f"{{{SHEET_MAIN_NS}}}r"
_FAST_TYPES = frozenset({"n", "s", "str", "inlineStr"})
_COLUMNS: dict[str, int] = {}


class _CellParser(WorkSheetParser):
    """openpyxl's sheet parser, reading the common cells without its generic machinery: inline
    strings (streaming exports write every text so, and openpyxl builds a rich-text object for
    each), shared strings, numbers and dates, as openpyxl 3.1 reads them. Any other cell (a
    formula when formulas are kept, an error, a boolean, an ISO date, no reference) goes to
    openpyxl's own code."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        data_type = element.get("t", "n")
        coordinate = element.get("r")
        if (
            data_type not in _FAST_TYPES
            or not coordinate
            or (not self.data_only and element.find(FORMULA_TAG) is not None)
        ):
            return super().parse_cell(element)
        letters = coordinate.rstrip("0123456789")
        if not (letters.isascii() and letters.isupper()):
            return super().parse_cell(element)
        column = _COLUMNS.get(letters)
        if column is None:
            column = _COLUMNS.setdefault(letters, column_index_from_string(letters))
        self.col_counter = column
        style = element.get("s")
        style_id = int(style) if style else 0
        value: Any = None
        if data_type == "inlineStr":
            inline = element.find(INLINE_STRING)
            if inline is not None:
                data_type = "s"
                plain = inline.find(_INLINE_TEXT)
                parts = [plain.text or ""] if plain is not None else []
                for run in inline.iterfind(_INLINE_RUN):
                    text = run.find(_INLINE_TEXT)
                    if text is not None:
                        parts.append(text.text or "")
                value = "".join(parts)
        else:
            value = element.findtext(VALUE_TAG, None) or None
            if value is not None:
                if data_type == "n":
                    # As openpyxl casts them.
                    value = (
                        float(value) if "." in value or "E" in value or "e" in value else int(value)
                    )
                    if style_id in self.date_formats:
                        data_type = "d"
                        try:
                            value = from_excel(
                                value, self.epoch, timedelta=style_id in self.timedelta_formats
                            )
                        except (OverflowError, ValueError):
                            return super().parse_cell(element)  # openpyxl warns, "#VALUE!"
                elif data_type == "s":
                    value = self.shared_strings[int(value)]
                else:
                    data_type = "s"
        return {
            "row": self.row_counter,
            "column": column,
            "value": value,
            "data_type": data_type,
            "style_id": style_id,
        }


def _damaged(path: Path | IO[bytes] | None, exc: Exception) -> LedgerFileError:
    name = path if isinstance(path, Path) else getattr(path, "name", "") or _("工作簿")
    return LedgerFileError(
        _("读取 %(path)s 时出错，文件可能已损坏（%(error)s）。") % {"path": name, "error": exc}
    )


@dataclass
class _SheetScan:
    """What one pass over the sheet's XML finds: the merged ranges and the last rows."""

    merged: list[MergedRange] = field(default_factory=list)
    # (row number, cell values) of the sheet's last rows; None if they could not be read.
    tail: list[tuple[int, tuple[Any, ...]]] | None = None


class _SheetSource:
    """One sheet of an .xlsx read in openpyxl's read-only mode, row by row.

    Opening it reads the workbook's parts and, in one decompressing pass over the sheet's XML
    (no XML parsing but of its last rows), the merged ranges and the footer. The file stays open
    while rows are read: :meth:`close` releases it; :meth:`rows` opens it again if needed.
    """

    def __init__(
        self, path: Path | IO[bytes] | None, sheet: str | None, workbook: Workbook | None = None
    ):
        self.path = path
        self.sheet = sheet
        self.owned = workbook is None  # a workbook passed in is the caller's to close
        self.workbook: Workbook | None = None
        self.worksheet: Any
        # The iterator the layout's head was read from, and the row number it stands at.
        self.pending: Iterator[Sequence[Any]] | None = None
        self.pending_at = 0
        # The size the sheet declares (<dimension>): missing or wrong in files of some tools.
        self.declared_rows = self._load(workbook)
        self.title: str = self.worksheet.title
        try:
            self.scan = self._scan()
        except BaseException:
            self.close()
            raise

    def _load(self, workbook: Workbook | None = None) -> int | None:
        if workbook is None:
            assert self.path is not None
            workbook = _open(self.path)
        try:
            self.worksheet = _worksheet(workbook, self.sheet)
        except LedgerFileError:
            if self.owned:
                workbook.close()
            raise
        self.workbook = workbook
        declared: int | None = self.worksheet.max_row
        # Read every row there is, whatever the declared size says.
        self.worksheet.reset_dimensions()
        return declared

    def _scan(self) -> _SheetScan:
        member = getattr(self.worksheet, "_worksheet_path", None)
        archive = getattr(self.workbook, "_archive", None)
        if member is None or archive is None:
            return _SheetScan()
        try:
            with archive.open(member) as stream:
                return _scan_sheet(stream, self.workbook)
        except Exception as exc:  # noqa: BLE001 - a damaged sheet, not a bug
            raise _damaged(self.path, exc) from exc

    def rows(self, start: int = 1) -> Iterator[tuple[int, Sequence[Any]]]:
        """(row number, cell values) from row ``start`` on, every row (blank ones too)."""
        if self.pending is not None and self.pending_at == start:
            values, self.pending = self.pending, None
        else:
            if self.workbook is None:
                self._load()
            values = islice(self.worksheet.iter_rows(values_only=True), start - 1, None)
        number = start
        try:
            for row in values:
                yield number, row
                number += 1
        except LedgerFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - the XML is parsed as it is read
            raise _damaged(self.path, exc) from exc

    def head(self, count: int) -> tuple[list[Sequence[Any]], bool]:
        """The first ``count`` rows, and whether they are all the sheet has. The rows after them
        are kept for the first :meth:`rows` from ``count + 1``."""
        if self.workbook is None:
            self._load()
        values = self.worksheet.iter_rows(values_only=True)
        try:
            head = list(islice(values, count))
            more = next(values, None) if len(head) == count else None
        except Exception as exc:  # noqa: BLE001 - the XML is parsed as it is read
            raise _damaged(self.path, exc) from exc
        if more is None:
            return head, True
        self.pending, self.pending_at = chain([more], values), count + 1
        return head, False

    def rest(self) -> list[Sequence[Any]]:
        """Every row after the head (for a sheet that must be read whole after all)."""
        if self.pending is None:
            return []
        return [row for _number, row in self.rows(self.pending_at)]

    def close(self) -> None:
        self.pending = None
        if self.owned and self.workbook is not None:
            self.workbook.close()
            self.workbook = None


_ROOT_TAG = re.compile(rb"<((?:[\w.-]+:)?)worksheet\b[^>]*>")
_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\b[^>]*/>")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_MERGE_REF = re.compile(rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")


def _scan_sheet(stream: Any, workbook: Any) -> _SheetScan:
    """Decompress the sheet's XML once, keeping its last :data:`TAIL_BYTES` of rows and what
    follows them (the merged ranges come after the rows); parse only those."""
    root = b""
    window = b""
    after: bytes | None = None
    while chunk := stream.read(XML_CHUNK):
        if after is not None:
            after += chunk
            continue
        data = window + chunk
        if not root and (m := _ROOT_TAG.search(data)):
            root = m.group(0)
        end = _DATA_END.search(data, max(0, len(window) - 32))
        if end is None:
            window = data[-TAIL_BYTES:]
            continue
        window, after = data[: end.start()][-TAIL_BYTES:], data[end.end() :]
    scan = _SheetScan()
    for ref in _MERGE_REF.findall(after or b""):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        except (TypeError, ValueError, UnicodeDecodeError):
            continue
        if min_col and min_row and max_col and max_row and (min_row, min_col) != (max_row, max_col):
            scan.merged.append((min_row, min_col, max_row, max_col))
    if after is not None and root:
        scan.tail = _tail_rows(root, window, workbook)
    return scan


def _tail_rows(
    root: bytes, window: bytes, workbook: Any
) -> list[tuple[int, tuple[Any, ...]]] | None:
    """The complete rows in ``window`` (the end of the sheet's rows), parsed as openpyxl does;
    None when their numbers are not written (the rows' place is then unknown)."""
    first = _ROW_TAG.search(window)
    if first is None:
        return []
    rows = window[first.start() :]
    if not re.match(rb"<[^>]*?\sr\s*=", rows):
        return None
    prefix = _ROOT_TAG.match(root)
    ns = prefix.group(1) if prefix else b""
    xml = b"".join(
        [root, b"<", ns, b"sheetData>", rows, b"</", ns, b"sheetData></", ns, b"worksheet>"]
    )
    parser = _CellParser(
        io.BytesIO(xml),
        getattr(workbook, "shared_strings", []),
        data_only=True,
        epoch=workbook.epoch,
        date_formats=getattr(workbook, "_date_formats", set()),
        timedelta_formats=getattr(workbook, "_timedelta_formats", set()),
    )
    result = []
    try:
        for number, cells in parser.parse():
            width = max((c["column"] for c in cells), default=0)
            values: list[Any] = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            result.append((number, tuple(values)))
    except Exception:  # noqa: BLE001 - best effort: the footer is read as the rows stream too
        return None
    return result


def detect_grid_layout(
    rows: Sequence[Sequence[Any]], merged: Sequence[MergedRange] = (), sheet_name: str = ""
) -> Layout:
    """The layout of a sheet given as rows of cell values and its merged ranges."""
    grid = _Grid(rows, merged)
    if all(grid.blank(r) for r in range(1, grid.row_count + 1)):
        raise LayoutError(_("工作表“%(sheet)s”是空的。") % {"sheet": sheet_name})
    form = _read_form(grid, sheet_name)
    if form is not None:
        return form
    return _read_table(grid, sheet_name)


# --- cells -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?%?$")
_DATE = re.compile(r"^\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}日?)?(\s*\d{1,2}:\d{2}(:\d{2})?)?$")
_NOTE = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|【[^】]*】?|〔[^〕]*〕?")


def clean_header(value: Any) -> str:
    """A header's name: half-width, no spaces or line breaks, no "*", no bracketed note or unit."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _display(value))).replace("*", "")
    name = _NOTE.sub("", text).rstrip(":")
    # A header that is only a note ("（元）") keeps it: an empty name would name nothing.
    return name or text.strip("()[]【】〔〕")


def _display(value: Any) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMBER.match(value.strip().replace(",", "")))


def _is_date(value: Any) -> bool:
    if isinstance(value, datetime | date | time):
        return True
    return isinstance(value, str) and bool(_DATE.match(value.strip()))


def _label_like(value: Any) -> bool:
    """Could this cell name a column or a form field?"""
    if not isinstance(value, str) or _is_number(value) or _is_date(value):
        return False
    text = clean_header(value)
    # "填报单位：浔中镇" is a filled-in line, not a name; "案件编号：" (colon last) is a label.
    return 0 < len(text) <= MAX_LABEL_LENGTH and not re.search(r"[:：]\s*\S", value.strip())


def _is_count(value: Any) -> bool:
    """A number as a statistics table holds it (a long digit string is a phone or a code)."""
    return _is_number(value) and len(_display(value)) <= 9


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _data_like(grid: _Grid, r: int) -> bool:
    cells = grid.anchors(r)
    if not cells:
        return False
    if _as_int(cells[0][1]) is not None:
        return True
    return any(
        _is_number(v) or _is_date(v) or len(_display(v)) > MAX_LABEL_LENGTH for _c, v in cells
    )


# --- footers -----------------------------------------------------------------------------------

_TOTAL = re.compile(r"^(合计|总计|小计|共计)($|[:：(（\d])")
_SIGNATURE = re.compile(
    r"^(填报人|填表人|审核人|审核|负责人|单位负责人|分管领导|主要领导|统计人|制表人|制表|经办人"
    r"|联系人|联系电话|填报单位|报送单位|填表日期|填报日期|填报时间|制表日期|制表时间)([:：]|$)"
)
# "调解员签名：", "单位（盖章）": a line to sign, whoever signs it.
_SIGN_HERE = re.compile(r"^[^:：]{0,10}(签名|签字|盖章|签章)")
_NOTE_LINE = re.compile(r"^(注|备注|说明|附注|填表说明)($|[:：、.．\d])")


def _footer_kind(cells: Sequence[tuple[int, Any]]) -> str | None:
    """The kind of footer line a row is, from the cells it holds itself (see :meth:`_Grid.anchors`)."""
    if not cells or not isinstance(cells[0][1], str):
        return None
    first = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cells[0][1]))
    if _TOTAL.match(first):
        return "total"
    if _SIGNATURE.match(first) or _SIGN_HERE.match(first):
        return "signature"
    if _NOTE_LINE.match(first):
        return "note"
    return None


def _row_cells(row: Sequence[Any]) -> list[tuple[int, Any]]:
    """A row's non-blank cells as (column, value), as :meth:`_Grid.anchors` gives them."""
    return [(c, v) for c, v in enumerate(row, start=1) if not is_blank(v)]


def _cells_text(cells: Sequence[tuple[int, Any]]) -> str:
    """The row's distinct texts joined, as a person would read the line."""
    seen: list[str] = []
    for _c, v in cells:
        t = _display(v)
        if t not in seen:
            seen.append(t)
    return "  ".join(seen)


def _row_kind(
    cells: Sequence[tuple[int, Any]], names: set[str], trailing: str | None
) -> str | None:
    """None for a record below the header, else why the row is left out; ``trailing`` is the
    kind of the last note or signature line above (after one, the rest is footer too)."""
    kind = _footer_kind(cells) or trailing
    if kind is None and _repeats_header(cells, names):
        kind = "header"
    return kind


# --- title lines and period --------------------------------------------------------------------

_FILLED = re.compile(
    r"(?:填报|填表|制表|报送|统计)(?:时间|日期)[:：]?(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?"
)
_RANGE = re.compile(r"(\d{4})年(\d{1,2})月?(?:\d{1,2}日)?[-—–~至到](?:(\d{4})年)?(\d{1,2})月")
_QUARTER = re.compile(r"(\d{4})年度?第?([一二三四1-4])季度")
_HALF = re.compile(r"(\d{4})年度?([上下])半年")
_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d{0,2}日)")
_YEAR = re.compile(r"(\d{4})年")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def read_period(lines: Sequence[str]) -> tuple[Period | None, date | None]:
    """The period lines name ("2025年1-6月") and the date the ledger was filled in, if any."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", " ".join(lines)))
    filled_on = None
    for match in _FILLED.finditer(text):
        filled_on = _safe_date(*(int(g) for g in match.groups())) or filled_on
    text = _FILLED.sub("", text)
    if m := _RANGE.search(text):
        year, end_year = int(m[1]), int(m[3] or m[1])
        return _months(year, int(m[2]), end_year, int(m[4])), filled_on
    if m := _QUARTER.search(text):
        quarter = _QUARTERS[m[2]]
        return _months(int(m[1]), quarter * 3 - 2, int(m[1]), quarter * 3), filled_on
    if m := _HALF.search(text):
        first = 1 if m[2] == "上" else 7
        return _months(int(m[1]), first, int(m[1]), first + 5), filled_on
    if m := _MONTH.search(text):
        return _months(int(m[1]), int(m[2]), int(m[1]), int(m[2])), filled_on
    if m := _YEAR.search(text):
        return _months(int(m[1]), 1, int(m[1]), 12), filled_on
    return None, filled_on


def _months(year: int, month: int, end_year: int, end_month: int) -> Period | None:
    start = _safe_date(year, month, 1)
    end = _safe_date(end_year, end_month, 1)
    if start is None or end is None or end < start or not 1990 <= year <= 2100:
        return None
    return Period(start, end.replace(day=monthrange(end.year, end.month)[1]))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- tables ------------------------------------------------------------------------------------


def _read_table(grid: _Grid, sheet_name: str, source: _SheetSource | None = None) -> Layout:
    """A table's layout from ``grid``: the whole sheet, or with ``source`` its head only (the
    rest is streamed by :meth:`Layout.rows`)."""
    header = _find_header(grid, sheet_name)
    columns = _name_columns(grid, header)
    titles = [grid.text(r) for r in range(1, header[0]) if not grid.blank(r)]

    skip: set[int] = set()
    left_out: list[LeftOutRow] = []
    data: list[int] = []
    trailing: str | None = None  # after a note or signature line, the rest is footer too
    names = {c.name for c in columns}
    for r in range(header[-1] + 1, grid.row_count + 1):
        cells = grid.anchors(r)
        if not cells:
            continue
        kind = _row_kind(cells, names, trailing)
        if kind is None:
            data.append(r)
            continue
        if kind in ("note", "signature"):
            trailing = kind
        skip.add(r)
        left_out.append(LeftOutRow(r, kind, _cells_text(cells)))
    if not data:
        if source is not None:
            raise _WholeSheetNeeded
        raise LayoutError(
            _("工作表“%(sheet)s”在表头（第%(row)d行）之下没有数据行。")
            % {"sheet": sheet_name, "row": header[-1]}
        )

    columns = _mark_serials(grid, columns, data[:SAMPLE_ROWS])
    # A streamed sheet's footer is at its end: the footer pass read its last rows.
    footer, tail_last = left_out, None
    if source is not None and source.scan.tail:
        tail_left_out, tail_last = _classify_tail(
            source.scan.tail, grid.row_count, names, trailing, source.scan.merged
        )
        footer = left_out + tail_left_out
    _refuse_aggregate(grid, columns, data[:SAMPLE_ROWS], footer, header)
    footer_lines = [row.text for row in footer if row.kind != "total"]
    period, filled_on = read_period(titles + footer_lines)
    layout = Layout(
        sheet_name=sheet_name,
        kind=TABLE,
        title_lines=titles,
        header_rows=header,
        columns=columns,
        first_data_row=data[0],
        last_data_row=data[-1],
        left_out=left_out,
        period=period,
        filled_on=filled_on,
        estimated_rows=len(data),
        _grid=grid,
        _skip=frozenset(skip),
    )
    if source is None:
        return layout
    head_rows = grid.row_count
    if tail_last is not None:
        last: int | None = tail_last
    elif source.scan.tail:
        last = source.scan.tail[0][0] - 1  # the last rows are all footer
    else:
        last = source.declared_rows  # from the sheet's <dimension>: may be wrong or missing
    if last is not None and last > head_rows:
        layout.last_data_row = last
        layout.estimated_rows = len(data) + last - head_rows
    else:
        layout.estimated_rows = None
    merged_below = sorted(m for m in source.scan.merged if m[2] > head_rows)
    layout._stream = _Stream(source, head_rows, data[-1], trailing, names, merged_below)
    return layout


def _classify_tail(
    tail: list[tuple[int, tuple[Any, ...]]],
    after: int,
    names: set[str],
    trailing: str | None,
    merged: Sequence[MergedRange] = (),
) -> tuple[list[LeftOutRow], int | None]:
    """The left-out rows and the last record among a streamed sheet's last rows (those below
    row ``after``), classified as :meth:`Layout.rows` will when it gets there."""
    left_out: list[LeftOutRow] = []
    last = None
    first = tail[0][0] if tail else 0
    merged = [m for m in merged if m[2] >= first]
    for number, row in tail:
        if number <= after:
            continue
        rows: list[Sequence[Any]] = [row]
        _uncover(rows, [m for m in merged if m[0] <= number <= m[2]], first=number)
        cells = _row_cells(rows[0])
        if not cells:
            continue
        kind = _row_kind(cells, names, trailing)
        if kind is None:
            last = number
            continue
        if kind in ("note", "signature"):
            trailing = kind
        left_out.append(LeftOutRow(number, kind, _cells_text(cells)))
    return left_out, last


class _WholeSheetNeeded(Exception):
    """The head alone cannot tell the layout (a form, or no record below the header)."""


class _Stream:
    """The rest of a streamed sheet, below the rows its layout was detected on."""

    def __init__(
        self,
        source: _SheetSource,
        head_rows: int,
        head_last: int,
        trailing: str | None,
        names: set[str],
        merged: list[MergedRange],
    ):
        self.source = source
        self.head_rows = head_rows
        self.head_last = head_last
        self.trailing = trailing  # the state the rows below the head start in
        self.names = names
        self.merged = merged  # ranges reaching below the head, by first row
        self.seen = head_rows  # the rows whose left-out lines are in the layout's list
        self.done = False

    def rows(self, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
        """The records below the head, merged cells filled down; left-out lines are added to
        ``layout.left_out`` as they come (once, however often the rows are read)."""
        grid = layout._grid
        assert grid is not None
        columns = [(c.name, c.index) for c in layout.columns]
        trailing = self.trailing
        pending = iter(m for m in self.merged if m[0] > self.head_rows)
        upcoming = next(pending, None)
        # Ranges covering the current row, with their anchor's value.
        active = [(m, grid.own(m[0], m[1])) for m in self.merged if m[0] <= self.head_rows]
        last = self.head_last
        for number, row in self.source.rows(self.head_rows + 1):
            while upcoming is not None and upcoming[0] <= number:
                anchor = row[upcoming[1] - 1] if len(row) >= upcoming[1] else None
                active.append((upcoming, anchor if upcoming[0] == number else None))
                upcoming = next(pending, None)
            if active:
                active = [(m, v) for m, v in active if m[2] >= number]
                if any(len(row) >= m[1] for m, _v in active):
                    row = list(row)
                    for (top, left, _bottom, right), _value in active:
                        for c in range(left, min(right, len(row)) + 1):
                            if (number, c) != (top, left):
                                row[c - 1] = None
            cells = _row_cells(row)
            if not cells:
                continue
            kind = _row_kind(cells, self.names, trailing)
            new = number > self.seen
            self.seen = max(self.seen, number)
            if kind is not None:
                if kind in ("note", "signature"):
                    trailing = kind
                if new:
                    layout.left_out.append(LeftOutRow(number, kind, _cells_text(cells)))
                continue
            width = len(row)
            values = {name: row[index - 1] if index <= width else None for name, index in columns}
            for (top, left, _bottom, right), value in active:
                for name, index in columns:
                    if left <= index <= right and (number, index) != (top, left):
                        values[name] = value
            last = number
            yield number, values
        self.done = True
        layout.last_data_row = last
        self.source.close()


def _clip(merged: Sequence[MergedRange], rows: int) -> list[MergedRange]:
    """The merged ranges as far as they reach into the first ``rows`` rows."""
    return [(a, b, min(c, rows), d) for a, b, c, d in merged if a <= rows]


def _uncover(rows: list[Sequence[Any]], merged: Sequence[MergedRange], first: int = 1) -> None:
    """Blank the cells merged ranges cover (not their anchors) in ``rows`` (sheet rows from
    ``first`` on), as openpyxl's normal mode does: a file may keep values there, unseen."""
    last = first + len(rows) - 1
    for top, left, bottom, right in merged:
        for r in range(max(top, first), min(bottom, last) + 1):
            row = rows[r - first]
            if len(row) < left or all(is_blank(v) for v in row[left - 1 : right]):
                continue
            cells = list(row)
            for c in range(left, min(right, len(cells)) + 1):
                if (r, c) != (top, left):
                    cells[c - 1] = None
            rows[r - first] = cells


def _detect_streamed(source: _SheetSource) -> Layout:
    head, whole = source.head(HEAD_ROWS)
    merged = source.scan.merged
    _uncover(head, merged)
    if whole:
        source.close()
        return detect_grid_layout(head, merged, sheet_name=source.title)
    grid = _Grid(head, _clip(merged, len(head)))
    content = [r for r in range(1, grid.row_count + 1) if not grid.blank(r)]
    if content and _block_starts(grid, content) is None:
        try:
            return _read_table(grid, source.title, source)
        except _WholeSheetNeeded:
            pass
    # A per-record form (or a head without records) is read whole: forms are short.
    rest = source.rest()
    source.close()
    _uncover(rest, merged, first=len(head) + 1)
    rows = head + rest
    return detect_grid_layout(rows, merged, sheet_name=source.title)


def _find_header(grid: _Grid, sheet_name: str) -> list[int]:
    """The header rows: the topmost block scoring within HEADER_TIE of the best."""
    last = min(grid.row_count, HEAD_SCAN_ROWS)
    width = max((grid.last_col(r) for r in range(1, last + 1)), default=0)
    scored = []
    for r in range(1, last + 1):
        block = _header_block(grid, r)
        scored.append((block, _header_score(grid, block, width)))
    best = max(score for _block, score in scored)
    if best < MIN_HEADER_SCORE:
        raise LayoutError(
            _("在工作表“%(sheet)s”的前%(n)d行中没有找到表头（一行列名，下面是逐条记录）。")
            % {"sheet": sheet_name, "n": last}
        )
    return next(block for block, score in scored if score >= best * HEADER_TIE)


def _header_block(grid: _Grid, r: int) -> list[int]:
    block = [r]
    while len(block) < MAX_HEADER_DEPTH and _is_subheader(grid, block[-1], block[-1] + 1):
        block.append(block[-1] + 1)
    return block


def _spans(grid: _Grid, r: int, below: int | None) -> dict[int, tuple[int, str]]:
    """Column → (anchor column, text) for row ``r``'s header cells, over their merged ranges;
    an unmerged parent also stretches over blanks to its right that have a child ``below``."""
    result: dict[int, tuple[int, str]] = {}
    cells = grid.anchors(r)
    for i, (c, value) in enumerate(cells):
        text = clean_header(value)
        end = grid.span.get((r, c), (r, c, r, c))[3]
        if end == c and below is not None:
            stop = cells[i + 1][0] if i + 1 < len(cells) else grid.last_col(below) + 1
            while end + 1 < stop and not grid.covered(r, end + 1):
                if is_blank(grid.own(below, end + 1)):
                    break
                end += 1
        for col in range(c, end + 1):
            result[col] = (c, text)
    return result


def _is_subheader(grid: _Grid, upper: int, r: int) -> bool:
    """Is row ``r`` a row of child names under wide parent cells of row ``upper``?"""
    cells = grid.anchors(r)
    # A title merged across the sheet is no parent: a parent row names at least two things.
    if len(grid.anchors(upper)) < 2 or not cells or not all(_label_like(v) for _c, v in cells):
        return False
    parents = _spans(grid, upper, below=r)
    width = Counter(anchor for anchor, _text in parents.values())
    for c, _v in cells:
        parent = parents.get(c)
        if parent is None or width[parent[0]] < 2:
            return False
    return True


def _header_score(grid: _Grid, block: list[int], width: int) -> float:
    labels = [(r, c, v) for r in block for c, v in grid.anchors(r) if _label_like(v)]
    others = sum(1 for r in block for c, v in grid.anchors(r) if not _label_like(v))
    if len(labels) < 2 or width == 0:
        return 0.0
    covered: set[int] = set()
    for r, c, _v in labels:
        covered.update(range(c, grid.span.get((r, c), (r, c, r, c))[3] + 1))
    top = [clean_header(v) for r, _c, v in labels if r == block[0]]
    if len(top) < 2:
        return 0.0
    distinct = len(set(top)) / len(top)
    purity = len(labels) / (len(labels) + others)
    below = next((r for r in range(block[-1] + 1, grid.row_count + 1) if not grid.blank(r)), None)
    follow = 0.5 if below is None else float(_data_like(grid, below))
    return len(covered) / width * purity * distinct * (0.8 + 0.2 * follow)


def _name_columns(grid: _Grid, header: list[int]) -> list[LayoutColumn]:
    width = max(grid.last_col(r) for r in header)
    spans = [
        _spans(grid, r, below=header[i + 1] if i + 1 < len(header) else None)
        for i, r in enumerate(header)
    ]
    parts_by_col: dict[int, tuple[list[str], list[str]]] = {}
    for c in range(1, width + 1):
        parts: list[str] = []
        raw: list[str] = []
        for r, row_spans in zip(header, spans, strict=True):
            anchor = row_spans.get(c)
            value = grid.own(r, anchor[0]) if anchor else grid.value(r, c)
            name = clean_header(value) if not is_blank(value) else ""
            if name and (not parts or parts[-1] != name):
                parts.append(name)
                raw.append(_display(value))
        if parts or _has_data(grid, header[-1], c):
            parts_by_col[c] = (parts, raw)

    leaves = Counter(parts[-1] for parts, _raw in parts_by_col.values() if parts)
    columns: list[LayoutColumn] = []
    used: Counter[str] = Counter()
    for c, (parts, raw) in parts_by_col.items():
        if not parts:
            name = _("列%(letter)s") % {"letter": get_column_letter(c)}
        elif len(parts) == 1:
            name = parts[0]
        elif leaves[parts[-1]] == 1 and len(parts[-1]) >= 3:
            # "办结时间" under "办理情况" says enough; "建设" under "参建单位" does not.
            name = parts[-1]
        else:
            name = "·".join(parts)
        used[name] += 1
        if used[name] > 1:
            name = f"{name}#{used[name]}"
        columns.append(LayoutColumn(index=c, name=name, raw=tuple(raw)))
    return columns


def _has_data(grid: _Grid, header_end: int, c: int) -> bool:
    last = min(grid.row_count, header_end + SAMPLE_ROWS)
    return any(not is_blank(grid.own(r, c)) for r in range(header_end + 1, last + 1))


def _repeats_header(cells: Sequence[tuple[int, Any]], names: set[str]) -> bool:
    """A header row repeated below (printed ledgers repeat it on every page)."""
    return len(cells) >= 2 and all(clean_header(v) in names for _c, v in cells)


def _mark_serials(grid: _Grid, columns: list[LayoutColumn], rows: list[int]) -> list[LayoutColumn]:
    """Mark the columns counting 1, 2, 3… (序号): row numbers, not data."""
    marked = []
    for column in columns:
        numbers = [_as_int(grid.own(r, column.index)) for r in rows]
        # Counting rows stays small; consecutive phone numbers or codes are data.
        present = [n for n in numbers if n is not None and 0 <= n < MAX_SERIAL]
        steps = sum(1 for a, b in zip(present, present[1:], strict=False) if b == a + 1)
        serial = (
            len(present) >= 2
            and len(present) >= 0.8 * len(rows)
            and steps >= 0.8 * (len(present) - 1)
        )
        marked.append(
            LayoutColumn(column.index, column.name, column.raw, serial=serial) if serial else column
        )
    return marked


def _refuse_aggregate(
    grid: _Grid,
    columns: list[LayoutColumn],
    rows: list[int],
    left_out: list[LeftOutRow],
    header: list[int],
) -> None:
    """Refuse a statistics cross-tab: labels down the side, counts everywhere else."""
    labels, counts = [], []
    for column in columns:
        if column.serial:
            continue
        values = [grid.value(r, column.index) for r in rows]
        values = [v for v in values if not is_blank(v)]
        if not values:
            continue
        if sum(1 for v in values if _is_count(v)) >= 0.9 * len(values):
            counts.append(column)
        else:
            labels.append(column)
    if len(counts) < 2 or len(labels) > 2 or len(counts) <= len(labels) or not labels:
        return
    if any(_is_date(grid.value(r, c.index)) for r in rows for c in labels):
        return
    has_total = any(row.kind == "total" for row in left_out) or any(
        re.search(r"合计|总计|小计|总数", c.name) for c in counts
    )
    # A diagonal header cell ("类别\乡镇") names both axes of a cross-tab.
    diagonal = bool(re.search(r"[\\/]", labels[0].name))
    if not (has_total or diagonal):
        return
    side = re.sub(r"[\\/／＼]", "×", labels[-1].name)
    shown = [c for c in counts if not re.search(r"合计|总计|小计|总数", c.name)] or counts
    parents = {c.raw[0] for c in shown if len(c.raw) > 1}
    if len(header) > 1 and len(parents) == 1:
        across = clean_header(parents.pop())
    else:
        across = "、".join(c.name.split("·")[-1] for c in shown[:3]) + (
            "等" if len(shown) > 3 else ""
        )
    raise AggregateSheet(
        _(
            "该工作表是统计汇总表（按%(side)s×%(across)s交叉统计的数字），不是逐条记录的台账，"
            "无法导入。请导入明细台账。"
        )
        % {"side": side, "across": across}
    )


# --- per-record forms --------------------------------------------------------------------------


def _read_form(grid: _Grid, sheet_name: str) -> Layout | None:
    """Read a sheet of per-record blocks ("案件编号 | X | 登记日期 | Y" rows), or None if it is not
    one. A block starts at each repetition of the first label; its label cells repeat from block
    to block while its value cells differ, which tells a form from a repeated table header."""
    content = [r for r in range(1, grid.row_count + 1) if not grid.blank(r)]
    starts = _block_starts(grid, content)
    if starts is None:
        return None
    first, label_cols = starts[0], _label_columns(grid, starts)
    if not label_cols:
        return None
    titles = [grid.text(r) for r in content if r < first]

    records: list[tuple[int, dict[str, Any]]] = []
    left_out: list[LeftOutRow] = []
    names: list[str] = []
    trailing: str | None = None
    bounds = [*starts, grid.row_count + 1]
    for start, end in zip(bounds, bounds[1:], strict=False):
        record: dict[str, Any] = {}
        for r in range(start, end):
            if grid.blank(r) or grid.text(r) in titles:
                continue
            kind = _footer_kind(grid.anchors(r)) or trailing
            if kind is not None:
                trailing = kind if kind != "total" else trailing
                left_out.append(LeftOutRow(r, kind, grid.text(r)))
                continue
            for label, value in _pairs(grid, r):
                if label in record:
                    raise MalformedForm(
                        _(
                            "第%(row)d行：栏目“%(label)s”在同一条记录中出现了两次，"
                            "无法按“每条记录一块”的表单读取。请整理为每行一条记录的台账后再导入。"
                        )
                        % {"row": r, "label": label}
                    )
                record[label] = value
                if label not in names:
                    names.append(label)
        if record:
            records.append((start, record))
    _check_blocks(records)
    period, filled_on = read_period(titles)
    columns = [LayoutColumn(index=i, name=n, raw=(n,)) for i, n in enumerate(names, start=1)]
    return Layout(
        sheet_name=sheet_name,
        kind=FORM,
        title_lines=titles,
        header_rows=[],
        columns=columns,
        first_data_row=records[0][0],
        last_data_row=max(r for r in content if r not in {x.number for x in left_out}),
        left_out=left_out,
        period=period,
        filled_on=filled_on,
        estimated_rows=len(records),
        _records=records,
    )


def _block_starts(grid: _Grid, content: list[int]) -> list[int] | None:
    """Rows where the first label repeats, or None when no label repeats down the sheet."""
    for r in content[:HEAD_SCAN_ROWS]:
        cells = grid.anchors(r)
        if len(cells) < 2 or not _label_like(cells[0][1]):
            continue
        column, label = cells[0][0], clean_header(cells[0][1])
        starts = [
            x
            for x in content
            if x >= r
            and grid.anchors(x)[0][0] == column
            and clean_header(grid.anchors(x)[0][1]) == label
        ]
        # One row per block is a table whose first column repeats, not a form.
        if len(starts) >= 2 and all(b - a >= 2 for a, b in zip(starts, starts[1:], strict=False)):
            return starts
        return None
    return None


def _label_columns(grid: _Grid, starts: list[int]) -> set[int]:
    """Columns of the first block row that repeat in every block (labels), if the others differ."""
    rows = [dict(grid.anchors(r)) for r in starts]
    same = {c for c in rows[0] if all(row.get(c) == rows[0][c] for row in rows[1:])}
    differ = set().union(*rows) - same
    if not differ:
        return set()  # every block row equal: a repeated header, not a form
    return same


def _pairs(grid: _Grid, r: int) -> list[tuple[str, Any]]:
    """A form row's (label, value) pairs: each label cell, then the cell after its merged span."""
    pairs = []
    cells = grid.anchors(r)
    last = grid.last_col(r)
    c = cells[0][0]
    while c <= last:
        label = grid.own(r, c)
        if not _label_like(label):
            raise MalformedForm(
                _(
                    "第%(row)d行%(col)s列的“%(cell)s”处应为栏目名称（如“案件编号”），"
                    "无法按“每条记录一块”的表单读取。请整理为每行一条记录的台账后再导入。"
                )
                % {"row": r, "col": get_column_letter(c), "cell": _display(label)}
            )
        value_col = grid.span.get((r, c), (r, c, r, c))[3] + 1
        pairs.append((clean_header(label), grid.own(r, value_col)))
        after = grid.span.get((r, value_col), (r, value_col, r, value_col))[3] + 1
        c = next((col for col, _v in cells if col >= after), last + 1)
    return pairs


def _check_blocks(records: list[tuple[int, dict[str, Any]]]) -> None:
    """Every block should name mostly the same labels as the first; otherwise it is not a form."""
    if not records:
        return
    first = set(records[0][1])
    for number, record in records[1:]:
        if len(first & set(record)) < 0.5 * len(first):
            raise MalformedForm(
                _(
                    "第%(row)d行起的一块与第一块的栏目不同（%(labels)s），"
                    "无法按“每条记录一块”的表单读取。请整理为每行一条记录的台账后再导入。"
                )
                % {"row": number, "labels": "、".join(list(record)[:4])}
            )
