"""An import job's way through the wizard, and its background work (django-tasks).

upload (:func:`open_job`: the head of the sheet read, the office's profile recognised) →
analysis (:func:`start_analysis`: a dry run of ``ledgers.history.import_history``, status
``ready``) → the user's corrections (:func:`update_job`, then analysed again) → confirmation
(:func:`confirm_job`: the mapping saved as the office's profile, then the real run, ``done``).

Inline or in the background: a ledger of at most ``LEDGER_IMPORT_INLINE_ROWS`` rows (setting,
default 2,000, estimated from the sheet's stated size) is analysed and imported inside the
request, which takes a second or two, so the user goes straight from upload to preview.
Larger ones, or a sheet that states no size, run as tasks enqueued after the request's commit
and the wizard shows a progress bar until they finish.

Progress goes to a small file beside the uploads, not to the job's row: the import writes in
one transaction (all or nothing), and on SQLite a second connection could not write the row
while it holds the write lock, nor would the row's changes be visible before its commit. The
progress file is written at most every PROGRESS_ROWS rows or PROGRESS_SECONDS.

A failure is stored on the job with its Chinese message (``LedgerFileError``: the file is no
ledger); anything unexpected is logged with its traceback and the user reads a plain sentence.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cases.models import CaseType
from ledgers import history
from ledgers.models import ImportJob, JobStatus
from ledgers.profiles import guess_case_type, read_head, recognise, save_profile
from ledgers.reader import LedgerFileError
from ledgers.report import write_report
from ledgers.vocabulary import MappingProfile
from people.models import User
from regions.models import Region

logger = logging.getLogger("lianxin.ledgers")

INLINE_ROWS = 2000
PROGRESS_ROWS = 500
PROGRESS_SECONDS = 1.0
# Errors kept on the job for its pages (the report holds every one).
MAX_STORED_ERRORS = 5000


def inline_rows() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_INLINE_ROWS", INLINE_ROWS))


def runs_inline(job: ImportJob) -> bool:
    return 0 < job.estimated_rows <= inline_rows()


# --- progress ----------------------------------------------------------------------------------


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledgers" / "progress" / f"{job_id}.json"


class ProgressFile:
    """The progress callback of a run: (done, total) to the job's progress file, now and then."""

    def __init__(self, job_id: int, rows: int | None = None) -> None:
        self.path = progress_path(job_id)
        # A dry run only reads: its whole is the sheet's rows, not the import's read-and-write.
        self.rows = rows
        self.done = -1
        self.at = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.rows:
            total = max(self.rows, done)
        now = time.monotonic()
        if done < total and done - self.done < PROGRESS_ROWS and now - self.at < PROGRESS_SECONDS:
            return
        self.done, self.at = done, now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"done": done, "total": total}))
        os.replace(partial, self.path)  # a reader never sees half a file

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def read_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: from its progress file while it runs, else from its row."""
    if job.is_running:
        try:
            data = json.loads(progress_path(job.pk).read_text())
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.done, job.total


# --- the job's steps ---------------------------------------------------------------------------


def open_job(
    *,
    upload: UploadedFile,
    office: Region,
    case_type: CaseType | None,
    sheet: str,
    actor: User,
) -> ImportJob:
    """Store an uploaded ledger as a job: its head read (a statistics table or a sheet with no
    header is refused at once with a :class:`LedgerFileError`), the office's profile for its
    columns recognised, and the case type taken from the profile or the ledger's words unless
    the user chose one."""
    upload.seek(0)
    head = read_head(upload, sheet or None)  # openpyxl reads the upload's file object
    upload.seek(0)
    layout = head.layout
    profile = recognise(office.ancestors(), layout.column_names, case_type)
    if case_type is None:
        case_type = profile.case_type if profile is not None else _guessed_type(layout)
    job = ImportJob(
        name=(upload.name or "ledger.xlsx")[:200],
        uploaded_by=actor,
        office=office,
        case_type=case_type,
        sheet=sheet,
        profile=profile,
        estimated_rows=head.estimated_rows or 0,
        total=head.estimated_rows or 0,
    )
    mapping = profile.mapping if profile is not None else MappingProfile()
    mapping.name = profile.name if profile is not None else Path(job.name).stem[:100]
    job.set_mapping(mapping)
    job.file.save("ledger.xlsx", upload, save=False)
    job.save()
    return job


def _guessed_type(layout: Any) -> CaseType:
    code = guess_case_type([*layout.title_lines, *layout.column_names])
    found = CaseType.objects.filter(code=code).first() if code else None
    first = found or CaseType.objects.first()
    if first is None:
        raise LedgerFileError(_("系统中还没有事项类型，请先由管理员初始化基础数据。"))
    return first


def update_job(
    job: ImportJob,
    *,
    mapping: MappingProfile,
    case_type: CaseType,
    skip_bad_rows: bool,
    duplicates: str,
) -> ImportJob:
    """The user's corrections: the mapping the next run reads the ledger with, and its options."""
    job.set_mapping(mapping)
    job.case_type = case_type
    job.skip_bad_rows = skip_bad_rows
    job.duplicates = duplicates
    job.save(update_fields=["mapping", "case_type", "skip_bad_rows", "duplicates", "updated_at"])
    return job


def start_analysis(job: ImportJob) -> None:
    """Read the ledger again with the job's mapping (a dry run): inline if small, else queued."""
    _start(job, JobStatus.ANALYSING, analyse_ledger)


def confirm_job(job: ImportJob, *, actor: User, profile_name: str) -> bool:
    """Save the job's mapping as the office's profile and start the import; False when the job
    is not waiting for confirmation (already confirmed: a double submit)."""
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, status=JobStatus.READY).update(
            status=JobStatus.IMPORTING, done=0, updated_at=timezone.now()
        )
        if not moved:
            return False
        columns = [c["name"] for c in job.result.get("columns", [])]
        job.profile = save_profile(
            office=job.office,
            name=profile_name,
            case_type=job.case_type,
            mapping=job.get_mapping(),
            column_names=columns,
            actor=actor,
            profile=job.profile,
        )
        job.status = JobStatus.IMPORTING
        job.save(update_fields=["profile", "updated_at"])
    _start(job, JobStatus.IMPORTING, import_ledger_job)
    return True


def _start(job: ImportJob, status: str, work: Any) -> None:
    job.status, job.done, job.error = status, 0, ""
    job.save(update_fields=["status", "done", "error", "updated_at"])
    if runs_inline(job):
        _run(job, dry_run=status == JobStatus.ANALYSING)
    else:
        pk = job.pk
        transaction.on_commit(lambda: work.enqueue(pk))


# --- the runs ----------------------------------------------------------------------------------


@task()
def analyse_ledger(job_id: int) -> str:
    """The dry run of an uploaded ledger: its preview and questions stored, status ready."""
    job = ImportJob.objects.select_related("case_type", "office", "uploaded_by").get(pk=job_id)
    return _run(job, dry_run=True)


@task()
def import_ledger_job(job_id: int) -> str:
    """The confirmed import: the cases written with their history, the report stored."""
    job = ImportJob.objects.select_related("case_type", "office", "uploaded_by").get(pk=job_id)
    return _run(job, dry_run=False)


def _run(job: ImportJob, *, dry_run: bool) -> str:
    options = history.HistoryOptions(
        case_type=job.case_type,
        profile=job.get_mapping(),
        actor=job.uploaded_by,
        sheet=job.sheet or None,
        skip_bad_rows=job.skip_bad_rows,
        duplicates=job.duplicates,
        dry_run=dry_run,
        default_region=job.office,
        source_name=job.name,
    )
    progress = ProgressFile(job.pk, rows=job.estimated_rows if dry_run else None)
    try:
        with _local_path(job.file) as path:
            result = history.import_history(path, options, progress=progress)
    except LedgerFileError as exc:
        return _fail(job, str(exc))
    except Exception:  # noqa: BLE001 - the user reads a sentence, the log keeps the traceback
        logger.exception("ledger import job %s failed", job.pk)
        return _fail(job, _("读取或导入台账时发生意外错误，已记录在系统日志中。请联系管理员。"))
    finally:
        progress.remove()

    data = result.as_dict(max_errors=len(result.errors))
    layout = result.layout
    period = layout.period if layout is not None else None
    data["period"] = [period.start.isoformat(), period.end.isoformat()] if period else None
    data["filled_on"] = layout.filled_on.isoformat() if layout and layout.filled_on else None
    data["letters"] = [c.letter for c in result.columns]
    _save_report(job, data)
    data["errors"] = data["errors"][:MAX_STORED_ERRORS]
    job.result = data
    job.done = job.total = result.rows
    job.status = JobStatus.DONE if result.imported else JobStatus.READY
    job.finished_at = timezone.now() if result.imported else None
    job.save()
    return str(job.status)


def _save_report(job: ImportJob, data: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    write_report(data, buffer, file_name=job.name, case_type=job.case_type.name)
    if job.report:
        job.report.delete(save=False)
    job.report.save("report.xlsx", ContentFile(buffer.getvalue()), save=False)


def _fail(job: ImportJob, message: str) -> str:
    job.status = JobStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return str(job.status)


@contextmanager
def _local_path(file: FieldFile) -> Iterator[str]:
    """A path on this machine to the stored file (a temporary copy from a remote storage)."""
    try:
        path: str | None = file.path
    except NotImplementedError:  # a storage without local paths
        path = None
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        with file.open("rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield copy.name
