"""The ledger import wizard (台账导入): upload → the system reads the sheet → mapping and preview →
confirm → progress → result.

For dispatchers (over their region) and administrators. A job belongs to an office (a region):
only users whose import regions cover it see it or its report (another office's job is a 404).
The steps themselves are ``ledgers.tasks``' services; small ledgers run inside the request,
larger ones in the background while the job page polls its progress (htmx, every second).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Satisfaction
from ledgers.history import importer_regions, may_import
from ledgers.models import ImportJob, JobStatus, LedgerProfile
from ledgers.reader import LedgerFileError
from ledgers.tasks import (
    confirm_job,
    open_job,
    read_progress,
    start_analysis,
    update_job,
)
from ledgers.vocabulary import FIELD_LABELS
from people.http import AuthenticatedHttpRequest
from people.models import DISPATCHERS
from web.ledgers.forms import MappingForm, UploadForm, max_bytes
from web.moves import is_htmx, role_required

importers_only = role_required(*DISPATCHERS)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SATISFACTION = dict(Satisfaction.choices)
ERRORS_PER_PAGE = 100
LISTED_COUNTS = ("created", "updated", "skipped", "bad")
SHOWN_ON_MAPPING = 200
LEFT_OUT_KINDS = {
    "total": gettext_lazy("合计行"),
    "signature": gettext_lazy("签名/填报人"),
    "note": gettext_lazy("注释说明"),
    "header": gettext_lazy("重复的表头"),
}


def jobs_of(request: AuthenticatedHttpRequest) -> QuerySet[ImportJob]:
    return ImportJob.objects.in_subtrees(importer_regions(request.user))


def _job(request: AuthenticatedHttpRequest, pk: int, *, light: bool = False) -> ImportJob:
    jobs = jobs_of(request).select_related("office", "case_type", "profile", "uploaded_by")
    if light:  # polled every second: the last run's result is not needed
        jobs = jobs.defer("result", "mapping")
    return get_object_or_404(jobs, pk=pk)


def job_url(job: ImportJob) -> str:
    return reverse("ledgers:job-detail", args=[job.pk])


@importers_only
@require_http_methods(["GET", "POST"])
def job_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a ledger: its head is read at once (a wrong file is refused here), the rest in
    the analysis."""
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = open_job(
                upload=data["file"],
                office=data["office"],
                case_type=data["case_type"],
                sheet=data["sheet"].strip(),
                actor=request.user,
            )
        except LedgerFileError as error:
            form.add_error("file", str(error))
        else:
            start_analysis(job)
            return redirect(job_url(job))
    context = {
        "form": form,
        "max_mb": max_bytes() // (1024 * 1024),
        "jobs": jobs_of(request)
        .select_related("office", "case_type")
        .defer("result", "mapping")[:5],
        "has_office": form.fields["office"].queryset.exists(),  # type: ignore[attr-defined]
    }
    return render(request, "web/ledgers/upload.html", context)


@importers_only
@require_GET
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The job's page: its progress while it runs, then its result (or why it failed)."""
    job = _job(request, pk)
    if job.status == JobStatus.READY:
        return redirect("ledgers:job-mapping", pk=job.pk)
    done, total = read_progress(job)
    errors = Paginator(job.result.get("errors", []), ERRORS_PER_PAGE)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": min(100, done * 100 // total) if total else 0,
        "counts": job.result.get("counts", {}),
        "errors_page": errors.get_page(request.GET.get("page")),
        "errors_total": job.result.get("errors_total", 0),
        "duplicates": job.result.get("duplicates_in_file", {}),
    }
    return render(request, "web/ledgers/job.html", context)


@importers_only
@require_GET
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by the job page; once the run is over, htmx is sent to the
    job's page (the preview or the result)."""
    job = _job(request, pk, light=True)
    done, total = read_progress(job)
    response = render(
        request,
        "web/ledgers/job.html#progress",
        {
            "job": job,
            "done": done,
            "total": total,
            "percent": min(100, done * 100 // total) if total else 0,
        },
    )
    if not job.is_running and is_htmx(request):
        response["HX-Redirect"] = job_url(job)
    return response


@importers_only
@require_http_methods(["GET", "POST"])
def job_mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The preview: the layout found, the columns' and words' mapping to correct, the first rows
    as they will be stored and the bad rows; 重新预览 reads again, 确认导入 imports."""
    job = _job(request, pk)
    if job.status != JobStatus.READY:
        return redirect(job_url(job))
    form = MappingForm(job, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        update_job(
            job,
            mapping=form.mapping(),
            case_type=data["case_type"],
            skip_bad_rows=data["skip_bad_rows"],
            duplicates=data["duplicates"],
        )
        if request.POST.get("action") == "confirm":
            if not confirm_job(job, actor=request.user, profile_name=data["profile_name"]):
                messages.info(request, _("该台账已确认导入。"))
        else:
            start_analysis(job)
        return redirect(job_url(job))
    return render(request, "web/ledgers/mapping.html", _mapping_context(job, form))


def _mapping_context(job: ImportJob, form: MappingForm) -> dict[str, object]:
    result = job.result
    letters = result.get("letters") or [""] * len(form.columns)
    samples = result.get("sample", [])
    fields = _sample_fields(samples)
    return {
        "job": job,
        "form": form,
        "result": result,
        "counts": result.get("counts", {}),
        "columns": [
            (column, bound, letter)
            for (column, bound), letter in zip(form.column_fields(), letters, strict=False)
        ],
        "left_out": [
            (row, LEFT_OUT_KINDS.get(row["kind"], row["kind"]))
            for row in result.get("left_out", [])
        ],
        "sample_fields": fields,
        "sample_rows": [
            [_shown(key, sample.get(key)) for key, _label in fields] for sample in samples
        ],
        "samples": samples,
        "errors": result.get("errors", [])[:SHOWN_ON_MAPPING],
        "errors_total": result.get("errors_total", 0),
        "duplicates": result.get("duplicates_in_file", {}),
        "refused": not result.get("dry_run", True) and not result.get("imported"),
    }


def _sample_fields(samples: list[dict[str, object]]) -> list[tuple[str, object]]:
    """The preview table's columns: the fields the sample rows carry, with their labels."""
    labels = {**FIELD_LABELS, "row": _("行号"), "region": _("区域"), "details": _("扩展信息")}
    keys: list[str] = []
    for sample in samples[:1]:
        keys = list(sample)
    return [(key, labels.get(key, key)) for key in keys]


def _shown(key: str, value: object) -> object:
    """A sample value as the preview shows it: a satisfaction by its label."""
    if key == "satisfaction" and value:
        return SATISFACTION.get(str(value), value)
    return "" if value is None else value


@login_required
@require_GET
def job_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The job's report (.xlsx), as a download, to the office's importers only."""
    if not may_import(request.user):
        raise PermissionDenied
    job = _job(request, pk)
    if not job.report:
        raise Http404
    try:
        file = job.report.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    name = _("导入报告-%(name)s.xlsx") % {"name": Path(job.name).stem}
    response = FileResponse(file, as_attachment=True, filename=name, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@importers_only
@require_GET
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The office's import jobs and its saved mappings."""
    # The counts only: a job's result holds up to MAX_STORED_ERRORS errors.
    jobs = (
        jobs_of(request)
        .select_related("office", "case_type", "uploaded_by__person")
        .defer("result", "mapping")
        .annotate(**{key: KT(f"result__counts__{key}") for key in LISTED_COUNTS})
    )
    profiles = LedgerProfile.objects.in_subtrees(importer_regions(request.user)).select_related(
        "office", "case_type"
    )
    context = {
        "jobs": Paginator(jobs, 50).get_page(request.GET.get("page")),
        "profiles": profiles,
    }
    return render(request, "web/ledgers/list.html", context)


@importers_only
@require_POST
def profile_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profiles = LedgerProfile.objects.in_subtrees(importer_regions(request.user))
    profile = get_object_or_404(profiles, pk=pk)
    profile.delete()
    messages.success(request, _("已删除对应方案“%(name)s”。") % {"name": profile.name})
    return redirect("ledgers:job-list")
