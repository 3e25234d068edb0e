"""工作简报: ask for a month's or a quarter's briefing, watch it being made, read it with every
number opening its cases, download it as .docx or PDF."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefings import figures as fig
from briefings import render as writers
from briefings import scope, services
from briefings.models import BriefingStatus, PeriodKind
from people.http import AuthenticatedHttpRequest
from regions.models import Region
from stats import metrics

PAGE_SIZE = 30
CHOOSABLE_MONTHS = 36


class BriefingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=PeriodKind.choices)
    month = forms.TypedChoiceField(label=gettext_lazy("月份（季报取其所在季度）"), coerce=int)
    region = forms.ChoiceField(label=gettext_lazy("范围"), required=False)

    def __init__(self, *args: Any, regions: list[Region] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_month = int(timezone.localdate().strftime("%Y%m"))
        months = [fig.add_months(this_month, -i) for i in range(CHOOSABLE_MONTHS)]
        month = cast(forms.TypedChoiceField, self.fields["month"])
        month.choices = [(m, metrics.month_label(m)) for m in months]
        self.initial.setdefault("month", fig.add_months(this_month, -1))
        region = cast(forms.ChoiceField, self.fields["region"])
        if regions is None:
            choices = [("", _("全部（我可见的全部诉求）"))] + [
                (r.code, r.name) for r in Region.objects.filter(level__lte=2).order_by("path")
            ]
        else:
            choices = [(r.code, r.name) for r in regions]
            region.required = True
        region.choices = choices
        self.allowed = {r.code: r for r in regions} if regions is not None else None

    def clean_region(self) -> Region | None:
        code = self.cleaned_data.get("region") or ""
        if not code:
            return None
        if self.allowed is not None:
            return self.allowed.get(code)
        return Region.objects.filter(code=code).first()


def _require(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_request(request.user):
        raise PermissionDenied(_("只有领导、研判交办员和单位负责人可以查看工作简报。"))


@login_required
def briefing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    regions = scope.regions_for(request.user)
    form = BriefingForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            briefing = services.request_briefing(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                month=form.cleaned_data["month"],
                region=form.cleaned_data["region"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("已开始生成简报，稍候即可下载。"))
            return redirect("briefings:detail", briefing.pk)
    page = Paginator(scope.readable(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/briefings/list.html", {"form": form, "page": page})


def _number_url(number: dict[str, Any]) -> str | None:
    if not number.get("params"):
        return None
    return f"{reverse('caseviews:case-list')}?{urlencode(number['params'], safe=',')}"


def _html_parts(parts: list[dict[str, Any]], numbers: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for part in parts:
        if "text" in part:
            out.append({"text": part["text"]})
        else:
            number = numbers[part["key"]]
            out.append({"text": number["text"], "url": _number_url(number), "key": part["key"]})
    return out


@login_required
def briefing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    briefing = get_object_or_404(scope.readable(request.user), pk=pk)
    context: dict[str, Any] = {
        "briefing": briefing,
        "pending": briefing.status == BriefingStatus.PENDING,
    }
    data = briefing.figures
    if briefing.status == BriefingStatus.READY and data:
        numbers = data["numbers"]
        context["texts"] = {k: _html_parts(v, numbers) for k, v in data.get("texts", {}).items()}
        site = writers.site_url("")

        def local(rows: list[list[writers.Cell]]) -> list[list[tuple[str, str | None]]]:
            return [
                [(text, url.removeprefix(site) if url else None) for text, url in row]
                for row in rows
            ]

        head, rows = writers.comparison_table(data)
        context["comparison"] = {"head": head, "rows": local(rows)}
        head, rows = writers.ranking_table(data)
        context["ranking"] = {
            "head": head,
            "rows": local(rows),
            "method": writers.method_sentence(data),
        }
        context["typical"] = data["typical"]
        context["themes"] = writers.theme_lines(data)
        context["problems"] = [
            (writers.PROBLEM_LABELS[key], numbers[key]["text"], _number_url(numbers[key]), cases)
            for key, cases in data["problems"].items()
        ]
    return render(request, "web/briefings/detail.html", context)


@login_required
def briefing_file(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> FileResponse:
    _require(request)
    briefing = get_object_or_404(scope.readable(request.user), pk=pk)
    if fmt not in ("docx", "pdf") or briefing.status != BriefingStatus.READY:
        raise Http404
    stored = briefing.docx if fmt == "docx" else briefing.pdf
    if not stored:
        raise Http404
    content_type = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fmt == "docx"
        else "application/pdf"
    )
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{briefing.title or 'briefing'}.{fmt}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
