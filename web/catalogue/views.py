"""派单目录: the dispatch catalogue in force (category → lead unit, co-units, tier with its
clocks), its versions and what each changed, and the office's revision: a draft, its editor,
publishing and discarding it (each irreversible step behind a confirmation page).

Dispatchers and administrators read (``cases.catalogue.may_read``); administrators and the
county's dispatchers revise (``may_edit``); everyone else gets 403. A draft is shown to those
who revise only (a 404 for the others). Every change is a ``cases.catalogue`` service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import catalogue
from cases.models import CatalogueStatus, DispatchCatalogue, DispatchEntry, TimeLimit
from people.http import AuthenticatedHttpRequest
from web.catalogue.forms import (
    EntryFormSet,
    NoteForm,
    editor_categories,
    editor_units,
    initial_rows,
)
from web.time_left import limit_text

MAX_VERSION = 2**31 - 1


def _reader(request: AuthenticatedHttpRequest) -> None:
    if not catalogue.may_read(request.user):
        raise PermissionDenied(_("只有研判交办员和管理员可以查看派单目录。"))


def _editor(request: AuthenticatedHttpRequest) -> None:
    if not catalogue.may_edit(request.user):
        raise PermissionDenied(_("只有管理员和县级研判交办员可以修订和发布派单目录。"))


def _version(request: AuthenticatedHttpRequest, version: int) -> DispatchCatalogue:
    """A version the user may read: a draft only for those who revise."""
    if not 0 < version <= MAX_VERSION:
        raise Http404
    found = get_object_or_404(
        DispatchCatalogue.objects.select_related("created_by__person", "published_by__person"),
        version=version,
    )
    if found.status == CatalogueStatus.DRAFT and not catalogue.may_edit(request.user):
        raise Http404
    return found


def _draft(request: AuthenticatedHttpRequest, version: int) -> DispatchCatalogue | None:
    """The draft ``version`` for a reviser, or None (with a message) when it is no draft."""
    _editor(request)
    found = _version(request, version)
    if found.status != CatalogueStatus.DRAFT:
        messages.error(
            request,
            _("派单目录 v%(version)d 已%(status)s，只读，不能修改。")
            % {"version": found.version, "status": found.get_status_display()},
        )
        return None
    return found


@dataclass(frozen=True)
class Line:
    """A row of a version's table: the line and its tier's clocks."""

    entry: DispatchEntry
    limit: TimeLimit | None

    @property
    def finish(self) -> str:
        return limit_text(self.limit.amount, self.limit.unit) if self.limit else ""


def _lines(entries: list[DispatchEntry]) -> list[Line]:
    limits = catalogue.time_limits() if entries else {}
    return [
        Line(entry, limits.get((entry.category.case_type_id, entry.priority))) for entry in entries
    ]


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The version in force, every version with who drafted and published it, the history."""
    _reader(request)
    may_edit = catalogue.may_edit(request.user)
    versions = list(
        DispatchCatalogue.objects.select_related("created_by__person", "published_by__person")
    )
    current = next((v for v in versions if v.status == CatalogueStatus.PUBLISHED), None)
    draft = next((v for v in versions if v.status == CatalogueStatus.DRAFT), None)
    history = catalogue.history(versions)
    if not may_edit:
        versions = [v for v in versions if v.status != CatalogueStatus.DRAFT]
        history = [row for row in history if row.catalogue.status != CatalogueStatus.DRAFT]
    return render(
        request,
        "web/catalogue/index.html",
        {
            "current": current,
            "lines": _lines(catalogue.entries_of(current) if current else []),
            "versions": versions,
            "history": history,
            "draft": draft,
            "may_edit": may_edit,
            "note_form": NoteForm(),
        },
    )


@login_required
@require_GET
def version_detail(request: AuthenticatedHttpRequest, version: int) -> HttpResponse:
    """One version's table and what it changed from the version before it."""
    _reader(request)
    shown = _version(request, version)
    before = catalogue.previous(shown)
    entries = catalogue.entries_of(shown)
    return render(
        request,
        "web/catalogue/version.html",
        {
            "version": shown,
            "lines": _lines(entries),
            "before": before,
            "changes": catalogue.diff(before, shown, new_entries=entries),
            "may_edit": catalogue.may_edit(request.user),
        },
    )


@login_required
@require_POST
def draft_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """新建修订草稿: a copy of the version in force, then its editor."""
    _editor(request)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, str(problem))
        return redirect("catalogue:index")
    try:
        made = catalogue.new_draft(actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("catalogue:index")
    messages.success(request, _("已新建修订草稿 v%(version)d。") % {"version": made.version})
    return redirect("catalogue:edit", version=made.version)


def _show_service_errors(formset: Any, error: ValidationError) -> list[str]:
    """The service's errors beside the rows they are about; the others for the top."""
    rows = {catalogue.row_key(pk): form for pk, form in formset.by_category().items()}
    general: list[str] = []
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    for key, errors in error.error_dict.items():
        form = rows.get(key)
        if form is None:
            general.extend(ValidationError(errors).messages)
        else:
            form.add_error(None, errors)
    return general


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: AuthenticatedHttpRequest, version: int) -> HttpResponse:
    """The draft's editor: one row per category; saving replaces every row's line."""
    draft = _draft(request, version)
    if draft is None:
        return redirect("catalogue:version", version=version)
    units, categories = editor_units(draft), editor_categories(draft)
    kwargs = {"units": units, "categories": categories}
    problems: list[str] = []
    if request.method == "POST":
        formset = EntryFormSet(request.POST, form_kwargs=kwargs)
        if formset.is_valid():
            try:
                catalogue.save_entries(
                    draft, [form.row() for form in formset.forms], actor=request.user
                )
            except ValidationError as error:
                problems = _show_service_errors(formset, error)
            else:
                messages.success(
                    request, _("已保存修订草稿 v%(version)d。") % {"version": draft.version}
                )
                return redirect("catalogue:version", version=draft.version)
        problems += [str(p) for p in formset.non_form_errors()]
        status = 400
    else:
        entries = catalogue.entries_of(draft)
        formset = EntryFormSet(initial=initial_rows(categories, entries), form_kwargs=kwargs)
        status = 200
    return render(
        request,
        "web/catalogue/edit.html",
        {"draft": draft, "formset": formset, "problems": problems},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_publish(request: AuthenticatedHttpRequest, version: int) -> HttpResponse:
    """发布: GET shows what the draft changes from the version in force; POST publishes."""
    draft = _draft(request, version)
    if draft is None:
        return redirect("catalogue:version", version=version)
    problems: list[str] = []
    if request.method == "POST":
        try:
            catalogue.publish(draft, actor=request.user)
        except ValidationError as error:
            problems = list(error.messages)
        else:
            messages.success(
                request, _("派单目录 v%(version)d 已发布施行。") % {"version": draft.version}
            )
            return redirect("catalogue:index")
    current = catalogue.current()
    return render(
        request,
        "web/catalogue/publish.html",
        {
            "draft": draft,
            "current": current,
            "changes": catalogue.diff(current, draft),
            "problems": problems,
        },
        status=400 if problems else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_discard(request: AuthenticatedHttpRequest, version: int) -> HttpResponse:
    """放弃草稿: GET asks, POST deletes the draft (it was never in force)."""
    draft = _draft(request, version)
    if draft is None:
        return redirect("catalogue:version", version=version)
    if request.method == "POST":
        try:
            catalogue.discard(draft, actor=request.user)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
            return redirect("catalogue:index")
        messages.success(request, _("已放弃修订草稿 v%(version)d。") % {"version": draft.version})
        return redirect("catalogue:index")
    return render(request, "web/catalogue/discard.html", {"draft": draft})
