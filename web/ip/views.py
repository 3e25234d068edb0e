"""The IP pages (知识产权) of the copyright office and market regulator: the overview with its
counts, the registrations, the GI-mark licences and the enforcement actions (list, detail,
form), and the POST that records a case's infringement facts from the case page.

Records come through ``ip.scope`` (404 outside it); every change is one service of
``ip/services.py``; each list costs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case, Via
from cases.scope import visible_cases
from ip import scope, selectors, services
from ip.models import (
    EnforcementAction,
    GiLicence,
    IpRegistration,
    LicenceStatus,
    RegistrationKind,
    licence_state_q,
)
from people.http import AuthenticatedHttpRequest
from web.ip.forms import ActionForm, FactsForm, LicenceForm, LicenceStatusForm, RegistrationForm
from web.moves import show_engine_error

PAGE_SIZE = 50


def _opened(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_open(request.user):
        raise Http404


def _writer(request: AuthenticatedHttpRequest) -> None:
    _opened(request)
    if not scope.may_write(request.user):
        raise PermissionDenied


def _page(request: AuthenticatedHttpRequest, rows: QuerySet) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _save(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
) -> Any:
    """Call the service for a valid form; its refusal goes beside the field it names."""
    if not form.is_valid():
        return None
    try:
        saved = call(form.cleaned_data)
    except ValidationError as error:
        show_engine_error(form, error)
        return None
    messages.success(request, done(saved))
    return saved


def _form_page(
    request: AuthenticatedHttpRequest, form: forms.Form, title: str, back: str
) -> HttpResponse:
    return render(
        request,
        "web/ip/form.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.is_bound else 200,
    )


# --- The overview -------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    _opened(request)
    today = timezone.localdate()
    context = {
        "overview": selectors.overview(request.user, today),
        "year": today.year,
        "expiring_days": selectors.EXPIRING_DAYS,
        "writable": scope.may_write(request.user),
        "cases_url": reverse("caseviews:case-list"),
    }
    return render(request, "web/ip/overview.html", context)


# --- Registrations ------------------------------------------------------------------------------


@login_required
@require_GET
def registration_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registrations filtered by ``kind`` and ``year`` (the overview's links)."""
    _opened(request)
    rows = scope.visible_registrations(request.user).select_related("enterprise")
    kind = request.GET.get("kind", "")
    kind = kind if kind in RegistrationKind.values else ""
    year = request.GET.get("year", "")
    year = year if year.isdigit() and len(year) == 4 else ""
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(registered_on__year=int(year))
    page = _page(request, rows.order_by("-registered_on", "-pk"))
    context = {
        "page": page,
        "rows": list(page.object_list),
        "kinds": RegistrationKind.choices,
        "kind": kind,
        "year": year,
        "writable": scope.may_write(request.user),
    }
    return render(request, "web/ip/registration_list.html", context)


def _registration(request: AuthenticatedHttpRequest, pk: int) -> IpRegistration:
    _opened(request)
    return get_object_or_404(
        scope.visible_registrations(request.user).select_related("enterprise", "created_by"),
        pk=pk,
    )


@login_required
@require_GET
def registration_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = _registration(request, pk)
    context = {
        "registration": registration,
        "events": list(registration.events.select_related("actor").order_by("-created_at", "-pk")),
        "writable": scope.may_write(request.user),
    }
    return render(request, "web/ip/registration_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def registration_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _writer(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.create_registration(actor=request.user, via=Via.WEB, **data),
            lambda r: _("已登记“%(title)s”。") % {"title": r.title},
        )
        if saved is not None:
            return redirect("ip:registration-detail", pk=saved.pk)
    return _form_page(request, form, _("登记知识产权"), reverse("ip:registration-list"))


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = _registration(request, pk)
    _writer(request)
    initial = {
        name: getattr(registration, name)
        for name in ("enterprise", "kind", "title", "number", "registered_on", "note")
    }
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.update_registration(
                registration, actor=request.user, via=Via.WEB, **data
            ),
            lambda r: _("已修改“%(title)s”。") % {"title": r.title},
        )
        if saved is not None:
            return redirect("ip:registration-detail", pk=saved.pk)
    back = reverse("ip:registration-detail", args=[pk])
    return _form_page(request, form, _("修改知识产权登记"), back)


# --- Licences -----------------------------------------------------------------------------------


@login_required
@require_GET
def licence_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Licences filtered by ``state`` (derived: an active licence past its end is expired) and
    ``expiring=1`` (active, ending within 60 days)."""
    _opened(request)
    today = timezone.localdate()
    rows = scope.visible_licences(request.user).select_related("licensee")
    state = request.GET.get("state", "")
    state = state if state in LicenceStatus.values else ""
    expiring = request.GET.get("expiring") == "1"
    if state:
        rows = rows.filter(licence_state_q(state, today))
    if expiring:
        rows = rows.filter(selectors.expiring_q(today))
    page = _page(request, rows.order_by("number", "pk"))
    context = {
        "page": page,
        "rows": list(page.object_list),
        "states": LicenceStatus.choices,
        "state": state,
        "expiring": expiring,
        "writable": scope.may_write(request.user),
    }
    return render(request, "web/ip/licence_list.html", context)


def _licence(request: AuthenticatedHttpRequest, pk: int) -> GiLicence:
    _opened(request)
    return get_object_or_404(
        scope.visible_licences(request.user).select_related("licensee", "created_by"), pk=pk
    )


def _licence_page(
    request: AuthenticatedHttpRequest, licence: GiLicence, form: LicenceStatusForm, status: int
) -> HttpResponse:
    context = {
        "licence": licence,
        "events": list(licence.events.select_related("actor").order_by("-created_at", "-pk")),
        "writable": scope.may_write(request.user),
        "status_form": form,
    }
    return render(request, "web/ip/licence_detail.html", context, status=status)


@login_required
@require_GET
def licence_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _licence_page(request, _licence(request, pk), LicenceStatusForm(), 200)


@login_required
@require_http_methods(["GET", "POST"])
def licence_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _writer(request)
    today = timezone.localdate()
    initial = {"valid_from": today, "valid_until": date(today.year + 3, 12, 31)}
    form = LicenceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.create_licence(actor=request.user, via=Via.WEB, **data),
            lambda licence: _("已登记使用许可 %(number)s。") % {"number": licence.number},
        )
        if saved is not None:
            return redirect("ip:licence-detail", pk=saved.pk)
    return _form_page(request, form, _("登记地理标志使用许可"), reverse("ip:licence-list"))


@login_required
@require_http_methods(["GET", "POST"])
def licence_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    _writer(request)
    initial = {
        name: getattr(licence, name)
        for name in ("licensee", "mark_name", "number", "valid_from", "valid_until")
    }
    form = LicenceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.update_licence(licence, actor=request.user, via=Via.WEB, **data),
            lambda licence: _("已修改使用许可 %(number)s。") % {"number": licence.number},
        )
        if saved is not None:
            return redirect("ip:licence-detail", pk=saved.pk)
    back = reverse("ip:licence-detail", args=[pk])
    return _form_page(request, form, _("修改地理标志使用许可"), back)


@login_required
@require_POST
def licence_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    licence = _licence(request, pk)
    _writer(request)
    form = LicenceStatusForm(request.POST)
    saved = _save(
        request,
        form,
        lambda data: services.change_licence_status(
            licence, actor=request.user, via=Via.WEB, **data
        ),
        lambda licence: (
            _("许可状态已变更为“%(status)s”。") % {"status": licence.get_state_display()}
        ),
    )
    if saved is not None:
        return redirect("ip:licence-detail", pk=pk)
    return _licence_page(request, licence, form, 400)


# --- Enforcement actions ------------------------------------------------------------------------


@login_required
@require_GET
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enforcement actions, filtered by ``year``."""
    _opened(request)
    rows = scope.visible_actions(request.user).select_related("region")
    year = request.GET.get("year", "")
    year = year if year.isdigit() and len(year) == 4 else ""
    if year:
        rows = rows.filter(acted_on__year=int(year))
    page = _page(request, rows.prefetch_related("units", "cases").order_by("-acted_on", "-pk"))
    context = {
        "page": page,
        "rows": list(page.object_list),
        "year": year,
        "writable": scope.may_write(request.user),
    }
    return render(request, "web/ip/action_list.html", context)


def _action(request: AuthenticatedHttpRequest, pk: int) -> EnforcementAction:
    _opened(request)
    return get_object_or_404(
        scope.visible_actions(request.user).select_related("region", "created_by"), pk=pk
    )


@login_required
@require_GET
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    cases = list(action.cases.select_related("case_type").order_by("number"))
    # A linked case is a link only for who may open it.
    shown = set(
        visible_cases(request.user, Case.objects.filter(pk__in=[c.pk for c in cases])).values_list(
            "pk", flat=True
        )
    )
    context = {
        "action": action,
        "units": list(action.units.order_by("name")),
        "cases": [(case, case.pk in shown) for case in cases],
        "events": list(action.events.select_related("actor").order_by("-created_at", "-pk")),
        "writable": scope.may_write(request.user),
    }
    return render(request, "web/ip/action_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _writer(request)
    form = ActionForm(request.POST or None)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.create_action(actor=request.user, via=Via.WEB, **data),
            lambda action: _("已登记执法行动。"),
        )
        if saved is not None:
            return redirect("ip:action-detail", pk=saved.pk)
    return _form_page(request, form, _("登记执法行动"), reverse("ip:action-list"))


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    _writer(request)
    initial = {
        "acted_on": action.acted_on,
        "place": action.place,
        "region": action.region,
        "units": list(action.units.all()),
        "result": action.result,
        "seized": action.seized,
        "cases": " ".join(c.number or "" for c in action.cases.order_by("number")),
    }
    form = ActionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.update_action(action, actor=request.user, via=Via.WEB, **data),
            lambda action: _("已修改执法行动。"),
        )
        if saved is not None:
            return redirect("ip:action-detail", pk=saved.pk)
    return _form_page(request, form, _("修改执法行动"), reverse("ip:action-detail", args=[pk]))


# --- A case's facts -----------------------------------------------------------------------------


@login_required
@require_POST
def case_facts(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """Record the facts from the case page's partial and go back to the case; a refusal or a
    bad value comes back as a message there (the partial shows the form again)."""
    case = get_object_or_404(
        visible_cases(request.user).select_related("region", "case_type"), pk=case_pk
    )
    if not scope.may_record_facts(request.user, case):
        raise PermissionDenied
    form = FactsForm(request.POST)
    back = reverse("caseviews:case-detail", args=[case.pk])
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else str(error))
        return redirect(back)
    try:
        services.record_infringement_facts(
            case, actor=request.user, via=Via.WEB, **form.cleaned_data
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已记录侵权事实。"))
    return redirect(back)
