"""Reading an Excel ledger (台账): find its header row, map columns, yield rows with sheet numbers.

Ledgers come from many hands (Excel, WPS, other systems' exports): a title row above the
headers, full-width brackets, a "*" marking a required column and a note such as
"规模（大型/中型/小型/微型）" after the header are all accepted. Every problem with the file itself
becomes a :class:`LedgerFileError` with a Chinese message, never a traceback.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

# A ledger's header row is looked for among its first rows (a title row often sits above it).
HEADER_SEARCH_ROWS = 10


class LedgerFileError(Exception):
    """The file cannot be read as a ledger at all; the message is for the user."""


@dataclass(frozen=True)
class Column:
    """One column of a ledger: its Chinese header, the key importers use and its rules."""

    header: str
    key: str
    required: bool = False
    help: str | Promise = ""
    choices: Sequence[str] = ()
    example: str = ""
    # Long digit strings (credit codes, ID numbers) must be typed as text or Excel mangles them.
    text: bool = False
    aliases: Sequence[str] = ()


@dataclass
class Row:
    """One data row: its number on the sheet (as Excel shows it) and its raw values by key."""

    number: int
    values: dict[str, Any]
    raw: tuple[Any, ...] = ()


@dataclass
class Ledger:
    """A read ledger: the rows under its header, and a digest of their content.

    The digest covers the known columns' values and row numbers, not the file's bytes, so the
    same ledger saved again (new timestamps, another column order, notes added) keeps it.
    """

    sheet_name: str
    header_row: int
    headers: list[str]
    rows: list[Row]
    digest: str
    ignored_headers: list[str] = field(default_factory=list)


def normalise_header(value: Any) -> str:
    """The comparable form of a header: half-width, no spaces, no "*", no note in brackets."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = re.sub(r"\s+", "", text).replace("*", "")
    return re.split(r"[(\[【]", text, maxsplit=1)[0]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_ledger(path: str | Path, columns: Sequence[Column], sheet: str | None = None) -> Ledger:
    """Read the ledger at ``path`` (its first sheet unless ``sheet`` names another)."""
    path = Path(path)
    if not path.exists():
        raise LedgerFileError(_("文件不存在：%(path)s") % {"path": path})
    if path.is_dir():
        raise LedgerFileError(_("%(path)s 是目录，不是 Excel 文件。") % {"path": path})
    if path.suffix.lower() in (".xls", ".et", ".csv"):
        raise LedgerFileError(
            _("不支持 %(suffix)s 格式，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。")
            % {"suffix": path.suffix}
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile) as exc:
        raise LedgerFileError(
            _("无法读取 %(path)s：不是有效的 .xlsx 文件（加密的文件请先取消密码）。")
            % {"path": path}
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file, not a bug
        raise LedgerFileError(
            _("无法读取 %(path)s：不是有效的 .xlsx 文件（%(error)s）。")
            % {"path": path, "error": exc}
        ) from exc
    try:
        return _read_sheet(workbook, columns, sheet)
    except LedgerFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are parsed lazily, row by row
        raise LedgerFileError(
            _("读取 %(path)s 时出错，文件可能已损坏（%(error)s）。") % {"path": path, "error": exc}
        ) from exc
    finally:
        workbook.close()


def _read_sheet(workbook: Any, columns: Sequence[Column], sheet: str | None) -> Ledger:
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise LedgerFileError(
                _("工作表“%(sheet)s”不存在，可用的工作表：%(names)s。")
                % {"sheet": sheet, "names": "、".join(workbook.sheetnames)}
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    # Files written by other tools often declare a wrong size; read what is really there.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)

    by_header: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_header[normalise_header(name)] = column

    head: list[tuple[Any, ...]] = []
    for values in rows:
        head.append(tuple(values))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_index, mapping, ignored = _find_header(head, by_header, columns)
    headers = [str(v).strip() if v is not None else "" for v in head[header_index]]

    digest = hashlib.sha256()
    data: list[Row] = []

    def take(number: int, values: Sequence[Any]) -> None:
        if all(is_blank(v) for v in values):
            return
        raw = tuple(values)
        by_key = {key: (raw[i] if i < len(raw) else None) for i, key in mapping.items()}
        # Only the known columns count: a note typed in an extra column is not a new ledger.
        digest.update(
            repr((number, sorted((k, _digestible(v)) for k, v in by_key.items()))).encode()
        )
        data.append(Row(number=number, raw=raw, values=by_key))

    for offset, values in enumerate(head[header_index + 1 :], start=header_index + 2):
        take(offset, values)
    for number, values in enumerate(rows, start=len(head) + 1):
        take(number, values)
    if not data:
        raise LedgerFileError(
            _("工作表“%(sheet)s”在表头（第%(row)d行）之下没有数据行。")
            % {"sheet": worksheet.title, "row": header_index + 1}
        )
    return Ledger(
        sheet_name=worksheet.title,
        header_row=header_index + 1,
        headers=headers,
        rows=data,
        digest=digest.hexdigest(),
        ignored_headers=ignored,
    )


def _find_header(
    head: list[tuple[Any, ...]], by_header: dict[str, Column], columns: Sequence[Column]
) -> tuple[int, dict[int, str], list[str]]:
    """The header row (the one naming most known columns) and its column index → key map."""
    best, best_hits = -1, 0
    for index, values in enumerate(head):
        hits = sum(1 for v in values if normalise_header(v) in by_header)
        if hits > best_hits:
            best, best_hits = index, hits
    expected = "、".join(c.header for c in columns if c.required)
    if best < 0:
        raise LedgerFileError(
            _(
                "在前%(n)d行中没有找到表头。表头应包含：%(headers)s（可用 ledger_template 命令生成模板）。"
            )
            % {"n": HEADER_SEARCH_ROWS, "headers": expected}
        )
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for index, value in enumerate(head[best]):
        if is_blank(value):
            continue
        column = by_header.get(normalise_header(value))
        if column is None:
            ignored.append(str(value).strip())
            continue
        if column.key in seen:
            raise LedgerFileError(
                _("第%(row)d行表头中“%(header)s”出现了两次（“%(first)s”和“%(second)s”）。")
                % {
                    "row": best + 1,
                    "header": column.header,
                    "first": seen[column.key],
                    "second": str(value).strip(),
                }
            )
        seen[column.key] = str(value).strip()
        mapping[index] = column.key
    missing = [c.header for c in columns if c.required and c.key not in seen]
    if missing:
        raise LedgerFileError(
            _("第%(row)d行表头缺少必填列：%(missing)s。")
            % {"row": best + 1, "missing": "、".join(missing)}
        )
    return best, mapping, ignored


def _digestible(value: Any) -> Any:
    """A stable form of a cell value, so re-saving the same content gives the same digest."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value
