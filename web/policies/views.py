"""The policy library (惠企政策库): the list with filters and search, a policy's page (conditions
in words, attachments, the firms that qualify, grants, the 免申即享 list and its export), and
the writers' forms (create, edit with a conditions formset, publish, withdraw, attach, grant).

Who reads and writes: ``enterprises.scope``; a policy outside the reader's scope is a 404, and
the firms listed are only those whose file the reader may open (none for requesters).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from cases.models import Case
from cases.scope import visible_cases
from enterprises import policies as services
from enterprises.matching import Snapshot, Words, exempt_list, match
from enterprises.models import Policy, PolicyAttachment, PolicyGrant, PolicyQuerySet, PolicyStatus
from enterprises.scope import (
    may_read_policies,
    may_see_matches,
    may_write_policies,
    readable_ids,
    readable_policies,
)
from ledgers.cells import text_row
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from web.policies.forms import (
    AttachmentForm,
    ConditionForm,
    GrantForm,
    PolicyFilterForm,
    PolicyForm,
    WithdrawForm,
    blank_condition,
    condition_forms,
    condition_initial,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The sandbox user content is served with: whatever a file is, it runs nothing on this origin.
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _readable(request: AuthenticatedHttpRequest) -> PolicyQuerySet:
    if not may_read_policies(request.user):
        raise Http404
    return readable_policies(request.user)


def _policy_for(request: AuthenticatedHttpRequest, pk: int) -> Policy:
    return get_object_or_404(
        _readable(request)
        .select_related("owner", "created_by")
        .prefetch_related("conditions", "attachments"),
        pk=pk,
    )


def _writer(request: AuthenticatedHttpRequest) -> None:
    if not may_write_policies(request.user):
        raise PermissionDenied


def _form_errors(form: Any, error: ValidationError) -> None:
    """A service's errors beside the form's fields, the others at the top."""
    fields = getattr(form, "fields", {})
    for field, errors in error.error_dict.items() if hasattr(error, "error_dict") else []:
        form.add_error(field if field in fields else None, errors)
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)


# --- List -------------------------------------------------------------------------------------


@login_required
@require_GET
def policy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policies = _readable(request)
    form = PolicyFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows = services.filtered(
        policies,
        category=data.get("category", ""),
        status=data.get("status", ""),
        exempt=True if data.get("exempt") else None,
        valid_on=timezone.localdate() if data.get("valid_now") else None,
        query=data.get("q", ""),
    ).annotate(grant_count=Count("grants"))
    return render(
        request,
        "web/policies/policy_list.html",
        {
            "form": form,
            "policies": rows[:200],
            "writer": may_write_policies(request.user),
            "today": timezone.localdate(),
        },
    )


# --- Detail -----------------------------------------------------------------------------------


def _context(request: AuthenticatedHttpRequest, policy: Policy, **forms: Any) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries whatever the number of firms."""
    user = request.user
    writer = may_write_policies(user)
    conditions = list(policy.conditions.all())
    words = Words(conditions)
    firms: list[Organisation] = []
    grants: list[PolicyGrant] = []
    exempt = []
    today = timezone.localdate()
    sees = may_see_matches(user)
    if sees:
        snapshot = Snapshot.load()
        ids = match([policy], on=today, snapshot=snapshot)[policy.pk]
        found = list(
            Organisation.objects.filter(pk__in=ids).select_related("region").order_by("name", "pk")
        )
        visible = readable_ids(user, found)
        firms = [f for f in found if f.pk in visible]
        grant_rows = list(
            PolicyGrant.objects.filter(policy=policy).select_related("enterprise__region")
        )
        grant_visible = readable_ids(user, [g.enterprise for g in grant_rows])
        grants = [g for g in grant_rows if g.enterprise_id in grant_visible]
        if policy.exempt_application:
            exempt = exempt_list(
                policy,
                visible={f.pk for f in firms},
                on=today,
                snapshot=snapshot,
                words=words,
            )
    return {
        "policy": policy,
        "conditions": [(c, words.describe(c)) for c in conditions],
        "manual": [line.strip() for line in policy.manual_conditions.splitlines() if line.strip()],
        "attachments": list(policy.attachments.all()),
        "sees_matches": sees,
        "firms": firms,
        "grants": grants,
        "exempt": exempt,
        # The demands the viewer may see whose answer cited it: the count its list shows.
        "case_count": (
            visible_cases(user, Case.objects.filter(policy=policy)).count() if sees else None
        ),
        "writer": writer,
        "grant_form": forms.get("grant_form")
        or GrantForm(firms=firms, initial={"granted_on": timezone.localdate()}),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "error": forms.get("error"),
    }


@login_required
@require_GET
def policy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    return render(request, "web/policies/policy_detail.html", _context(request, policy))


def _rerender(request: AuthenticatedHttpRequest, policy: Policy, **forms: Any) -> HttpResponse:
    return render(
        request, "web/policies/policy_detail.html", _context(request, policy, **forms), status=400
    )


@login_required
@require_POST
def policy_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    _writer(request)
    try:
        services.publish_policy(policy, actor=request.user)
    except ValidationError as error:
        return _rerender(request, policy, error=error.messages)
    messages.success(request, _("政策已发布。"))
    return redirect("policies:policy-detail", pk=policy.pk)


@login_required
@require_POST
def policy_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    _writer(request)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_policy(policy, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("政策已废止。"))
            return redirect("policies:policy-detail", pk=policy.pk)
    return _rerender(request, policy, withdraw_form=form)


@login_required
@require_POST
def policy_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    _writer(request)
    firms = _context(request, policy)["firms"]
    form = GrantForm(request.POST, firms=firms)
    if form.is_valid():
        try:
            services.record_grant(policy, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已登记兑现。"))
            return redirect("policies:policy-detail", pk=policy.pk)
    return _rerender(request, policy, grant_form=form)


@login_required
@require_POST
def policy_attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    _writer(request)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            services.add_attachment(policy, file, actor=request.user, name=file.name)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已上传附件。"))
            return redirect("policies:policy-detail", pk=policy.pk)
    return _rerender(request, policy, attachment_form=form)


@login_required
@require_GET
def attachment_file(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """The document as a download with the type its bytes show, never shown inline."""
    policy = _policy_for(request, pk)
    attachment = get_object_or_404(PolicyAttachment, pk=attachment_pk, policy=policy)
    try:
        file = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    kind = services.attachment_kind(file)
    extension = kind or "bin"
    name = attachment.name
    if not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    response = FileResponse(
        file,
        as_attachment=True,
        filename=name,
        content_type=services.CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def exempt_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 免申即享 list as a workbook: every text cell a string, never a formula."""
    policy = _policy_for(request, pk)
    if not (policy.exempt_application and may_see_matches(request.user)):
        raise Http404
    context = _context(request, policy)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("免申即享名单"))
    sheet.append(text_row(sheet, [policy.title]))
    sheet.append(
        text_row(
            sheet, [_("企业名称"), _("统一社会信用代码"), _("符合条件"), _("拟兑现金额（万元）")]
        )
    )
    for row in context["exempt"]:
        amount = float(row.amount) if row.amount is not None else None
        sheet.append(text_row(sheet, [row.name, row.credit_code, "；".join(row.facts), amount]))
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"exempt-{policy.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Create and edit --------------------------------------------------------------------------


def _edit(request: AuthenticatedHttpRequest, policy: Policy | None) -> HttpResponse:
    _writer(request)
    if policy is not None and policy.status == PolicyStatus.WITHDRAWN:
        raise Http404
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=policy)
        rows = condition_forms(request.POST)
        valid = form.is_valid() and all([row.is_valid() for row in rows])
        if valid:
            fields = {name: form.cleaned_data[name] for name in PolicyForm.Meta.fields}
            conditions = [row.condition() for row in rows if not row.is_blank()]
            try:
                if policy is None:
                    policy = services.create_policy(
                        actor=request.user, conditions=conditions, **fields
                    )
                else:
                    services.update_policy(
                        policy, actor=request.user, conditions=conditions, **fields
                    )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("已保存政策。"))
                return redirect("policies:policy-detail", pk=policy.pk)
        status = 400
    else:
        form = PolicyForm(instance=policy)
        initial = condition_initial(list(policy.conditions.all())) if policy else []
        rows = condition_forms(initial=initial)
        status = 200
    return render(
        request,
        "web/policies/policy_form.html",
        {"form": form, "rows": rows, "policy": policy, "next_index": _next_index(rows)},
        status=status,
    )


def _next_index(rows: list[ConditionForm]) -> int:
    return max((int(str(row.prefix)[1:]) for row in rows), default=-1) + 1


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _policy_for(request, pk))


@login_required
@require_GET
def condition_row(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One blank condition row for the form (htmx), with the button that adds the next."""
    _writer(request)
    try:
        index = min(max(int(request.GET.get("index", "0")), 0), 999)
    except ValueError:
        index = 0
    return render(
        request,
        "web/policies/_condition_row.html",
        {"row": blank_condition(index), "next_index": index + 1, "with_button": True},
    )
