"""The case page's dispute POSTs (the parties, a mediation agreement) and the agreement's
download. The case comes through ``cases.scope.visible_cases`` (404 outside it); each change is
one service of ``disputes/services.py``; a refusal comes back as a message on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.attachments import download_name, sniff
from cases.models import Case, Via
from cases.scope import visible_cases
from disputes import scope, services
from disputes.models import MediationAgreement
from people.http import AuthenticatedHttpRequest
from web.disputes.forms import AgreementForm, party_rows

# Whatever a stored file is, it runs nothing on this origin (as a case's attachments).
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _case(request: AuthenticatedHttpRequest, pk: int, *, write: bool = False) -> Case:
    case = get_object_or_404(
        visible_cases(request.user).select_related("region", "case_type"), pk=pk
    )
    if not scope.is_dispute_case(case):
        raise Http404
    if write and not scope.may_write(request.user, case):
        raise PermissionDenied
    return case


def _refused(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("caseviews:case-detail", args=[case.pk]) + "#dispute-parties")


@login_required
@require_POST
def case_parties(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """Replace the parties with the posted rows (``role_N``, ``name_N``, …)."""
    case = _case(request, case_pk, write=True)
    try:
        services.set_parties(
            case, actor=request.user, parties=party_rows(request.POST), via=Via.WEB
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已保存当事人。"))
    return _back(case)


@login_required
@require_POST
def case_agreement(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case = _case(request, case_pk, write=True)
    form = AgreementForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(case)
    try:
        services.attach_agreement(case, actor=request.user, via=Via.WEB, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已上传调解协议。"))
    return _back(case)


@login_required
@require_GET
def agreement_file(request: AuthenticatedHttpRequest, case_pk: int, pk: int) -> FileResponse:
    """The agreement's bytes, always as a download, with the type its first bytes show."""
    case = _case(request, case_pk)
    agreement = get_object_or_404(MediationAgreement, pk=pk, case=case)
    return agreement_response(agreement)


def agreement_response(agreement: MediationAgreement) -> FileResponse:
    try:
        file = agreement.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    kind = sniff(file)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=download_name(agreement.name, kind),
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-cache"
    return response
