"""个人信息保护: a case's privacy flags (a POST from the case page), the access log (查阅记录)
for administrators, the person export (个人信息导出) for authorised officers, and a
requester's own view of who opened their details (谁查看了我的信息)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest
from people.masking import mask_phone
from people.models import REQUESTERS
from privacy import dossier, scope
from privacy.models import CasePrivacyChange, Door, ExportFormat, PersonExport, RequesterAccess
from privacy.services import set_case_flags
from web.mine.timeline import staff_name
from web.moves import role_required
from web.privacy.forms import FlagsForm, PersonExportForm

PAGE_SIZE = 50
MAX_ID = 2**63 - 1
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOG_TABS = {
    "access": _("查阅记录"),
    "exports": _("导出记录"),
    "flags": _("隐私设置记录"),
}


@login_required
@require_POST
def case_flags(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """隐私设置: set a case's 公开 and 对承办单位保密 (the desk over its place), then back."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    case = get_object_or_404(visible_cases(request.user).select_related("region"), pk=pk)
    if not scope.may_set_flags(request.user, case):
        raise PermissionDenied(_("只有该事项所在地的研判交办员、话务员和管理员可以修改隐私设置。"))
    form = FlagsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("隐私设置未保存：%(e)s") % {"e": _errors(form)})
        return redirect("caseviews:case-detail", pk=case.pk)
    data = form.cleaned_data
    try:
        changed = set_case_flags(
            case,
            actor=request.user,
            is_public=data["is_public"],
            anonymous_to_unit=data["anonymous_to_unit"],
            reason=data["reason"],
        )
    except ValidationError as error:
        messages.error(request, _("隐私设置未保存：%(e)s") % {"e": "；".join(error.messages)})
    else:
        if changed:
            messages.success(request, _("隐私设置已保存。"))
        else:
            messages.info(request, _("隐私设置没有变化。"))
    return redirect("caseviews:case-detail", pk=case.pk)


def _errors(form: FlagsForm | PersonExportForm) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_GET
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """查阅记录 (administrators): who opened whose details, the person exports and the flags
    set; filtered by a phone number (exact), newest first."""
    if not scope.may_read_access_log(request.user):
        raise PermissionDenied(_("只有管理员可以查看个人信息查阅记录。"))
    tab = request.GET.get("tab") or "access"
    if tab not in LOG_TABS:
        tab = "access"
    phone = request.GET.get("phone", "").strip()[:20]
    rows: QuerySet[RequesterAccess] | QuerySet[PersonExport] | QuerySet[CasePrivacyChange]
    if tab == "access":
        rows = RequesterAccess.objects.select_related("user__person", "case")
        if phone:
            rows = rows.filter(Q(phone=phone) | Q(person__phone=phone))
    elif tab == "exports":
        rows = PersonExport.objects.select_related("actor__person", "person")
        if phone:
            rows = rows.filter(Q(subject__contains=mask_phone(phone)) | Q(person__phone=phone))
    else:
        rows = CasePrivacyChange.objects.select_related("actor__person", "case").order_by(
            "-created_at", "-id"
        )
        if phone:
            rows = rows.filter(case__requester_phone=phone)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab,
        "tabs": LOG_TABS.items(),
        "phone": phone,
        "page": page,
        "may_export": scope.may_export_person(request.user),
    }
    return render(request, "web/privacy/access_log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """个人信息导出: everything held about one person, as JSON or .xlsx (logged)."""
    user = request.user
    if not scope.may_export_person(user):
        raise PermissionDenied(_("只有管理员和获得授权的研判交办员可以导出个人信息。"))
    form = PersonExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = dossier.export_person(
                user,
                phone=data["phone"],
                id_number=data["id_number"],
                reason=data["reason"],
                fmt=data["fmt"],
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            if data["fmt"] == ExportFormat.JSON:
                body, content_type, suffix = dossier.as_json(made), "application/json", "json"
            else:
                body, content_type, suffix = dossier.as_xlsx(made), XLSX, "xlsx"
            response = HttpResponse(body, content_type=content_type)
            response["Content-Disposition"] = _attachment(f"{made.filename_stem}.{suffix}")
            return response
    recent = PersonExport.objects.select_related("actor__person")
    if not user.is_admin:
        recent = recent.filter(actor=user)
    context = {"form": form, "recent": recent[:20]}
    return render(
        request,
        "web/privacy/person_export.html",
        context,
        status=400 if form.is_bound else 200,
    )


def _attachment(name: str) -> str:
    header = content_disposition_header(as_attachment=True, filename=name)
    assert header is not None
    return header


@role_required(*REQUESTERS)
@require_GET
def my_accesses(request: AuthenticatedHttpRequest) -> HttpResponse:
    """谁查看了我的信息: who opened my name and phone, when, through which door and why; the
    staff names masked as on the rest of the phone pages."""
    user = request.user
    person = user.person
    q = Q(pk__in=[])
    if person is not None:
        q |= Q(person_id=person.pk)
        if person.phone:
            q |= Q(phone=person.phone)
    rows = (
        RequesterAccess.objects.filter(q)
        .exclude(user=user)
        .select_related("user__person", "case")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    doors = dict(Door.choices)
    entries = [
        {
            "at": row.created_at,
            "who": staff_name(row.user, user) or _("工作人员"),
            "door": doors.get(row.door, row.door),
            "purpose": row.purpose,
            "case": row.case,
        }
        for row in page
    ]
    return render(request, "web/privacy/mine.html", {"page": page, "entries": entries})
