"""The case list as an Excel ledger: the ledgers app's exporter, streamed to the browser.

``ledgers.exporters.write_case_ledger`` reads the cases through one cursor and writes rows in
openpyxl's write-only mode; here it writes into a temporary file that the response then streams
in chunks, so neither the queries nor the memory grow with the rows. Text goes out as text,
never as a formula, whatever it begins with (``ledgers.cells``).
"""

from __future__ import annotations

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from ledgers.exporters import write_case_ledger

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_response(cases: QuerySet[Case]) -> FileResponse:
    """An .xlsx attachment of ``cases`` in their order (personal data masked by the exporter)."""
    # Spooled in memory up to 8 MB (about 40,000 rows), on disk beyond; closed with the response.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_case_ledger(cases, buffer)  # type: ignore[arg-type]  # openpyxl writes any binary file
    buffer.seek(0)
    name = _("事项台账-%(stamp)s.xlsx") % {"stamp": f"{timezone.localtime():%Y%m%d-%H%M}"}
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)
