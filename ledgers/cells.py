"""Text cells of the workbooks the platform writes: text stays text, exactly as stored.

Spreadsheets run a cell that begins with ``=`` as a formula, and openpyxl writes a str that
begins with ``=`` as one (and "#N/A" as an error). A case title, a place name or a unit name is
typed by users and travels in ledgers by e-mail and WeChat: run as a formula it could fetch a
URL or start a program on the reader's machine (CSV/formula injection, OWASP). So every str goes
out as an explicit string cell, whatever it begins with (``= + - @``, a tab, a carriage return);
its text is not prefixed or otherwise changed, except for the control characters the file format
cannot hold, which become U+FFFD instead of failing the whole export.

Every writer of a workbook builds its rows with :func:`text_row` (or a single
:func:`text_cell`): ``ledgers.exporters``, ``web.department.duty_list``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

REPLACEMENT = "\ufffd"


def as_text(cell: Cell) -> Cell:
    """``cell`` written as a string cell if its value is text (never a formula or an error)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def text_cell(sheet: Any, value: str) -> Cell:
    """A string cell of ``sheet`` holding ``value`` as it is (write-only or ordinary sheets)."""
    return as_text(WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)))


def text_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append``: every str as a string cell; cells with text forced to
    strings; numbers, dates and None as they are."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            # An empty cell, as openpyxl writes "" (an empty string cell would count as data).
            row.append(text_cell(sheet, value) if value else None)
        elif isinstance(value, Cell):
            row.append(as_text(value))
        else:
            row.append(value)
    return row
