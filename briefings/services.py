"""The only writers of briefings: ask for one (checked, then made in the background), make it
(numbers frozen, .docx and PDF written), each step with its ``BriefingEvent``."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from briefings import figures as fig
from briefings import render
from briefings.models import (
    Briefing,
    BriefingEvent,
    BriefingEventKind,
    BriefingStatus,
    BriefingTemplate,
    PeriodKind,
)
from briefings.scope import may_request, regions_for
from config.routers import reading_reports
from people.models import User
from regions.models import Region

log = logging.getLogger("lianxin.briefings")

# The template used when the office has not written its own (the admin shows and edits it).
DEFAULT_TEXTS = {
    "summary": fig.DEFAULT_SUMMARY,
    "ranking_note": fig.DEFAULT_RANKING_NOTE,
    "typical_intro": fig.DEFAULT_TYPICAL_INTRO,
    "problems_intro": fig.DEFAULT_PROBLEMS_INTRO,
    "closing": fig.DEFAULT_CLOSING,
}
DEFAULT_TITLE = "{{ scope }}{{ period }}民情服务工作简报"


def _log(briefing: Briefing, kind: str, actor: User | None, **data: Any) -> None:
    BriefingEvent.objects.create(
        briefing=briefing, kind=kind, actor=actor, at=timezone.now(), data=data
    )


def default_template() -> BriefingTemplate | None:
    return BriefingTemplate.objects.filter(is_default=True).first()


def period_for(kind: str, month: int) -> fig.Period:
    """The month, or the quarter holding it."""
    if kind == PeriodKind.QUARTER:
        first, last = fig.quarter_of(month)
        return fig.Period(first, last, kind)
    return fig.Period(month, month, PeriodKind.MONTH)


def request_briefing(
    *,
    actor: User,
    kind: str,
    month: int,
    region: Region | None = None,
    template: BriefingTemplate | None = None,
) -> Briefing:
    """Ask for the briefing of ``month`` (or its quarter) over ``region``; it is made in the
    background once this transaction commits (``tasks.make_briefing``)."""
    from briefings.tasks import make_briefing

    if not may_request(actor):
        raise PermissionDenied(_("只有领导、研判交办员和单位负责人可以生成工作简报。"))
    if kind not in PeriodKind.values:
        raise ValidationError(
            {"kind": ValidationError(_("简报类型只能是月报或季报。"), code="kind")}
        )
    year, number = divmod(month, 100)
    if not (2000 <= year <= 2100 and 1 <= number <= 12):
        raise ValidationError(
            {"month": ValidationError(_("月份格式应为 YYYYMM，例如 202603。"), code="month")}
        )
    period = period_for(kind, month)
    this_month = int(timezone.localdate().strftime("%Y%m"))
    if period.first_month > this_month:
        raise ValidationError(
            {"month": ValidationError(_("不能生成尚未开始的期间的简报。"), code="future")}
        )
    allowed = regions_for(actor)
    if region is None and allowed is not None:
        raise ValidationError(
            {"region": ValidationError(_("请选择简报的范围。"), code="region_required")}
        )
    if (
        region is not None
        and allowed is not None
        and not any(region.path.startswith(r.path) for r in allowed)
    ):
        raise ValidationError(
            {"region": ValidationError(_("该范围不在您的职责范围内。"), code="region_scope")}
        )
    with transaction.atomic():
        briefing = Briefing.objects.create(
            kind=kind,
            first_month=period.first_month,
            last_month=period.last_month,
            region=region,
            requested_by=actor,
            requested_at=timezone.now(),
            template=template or default_template(),
        )
        _log(briefing, BriefingEventKind.REQUESTED, actor, months=period.months)
        transaction.on_commit(lambda: make_briefing.enqueue(briefing.pk))
    return briefing


def _texts(template: BriefingTemplate | None) -> tuple[str, str, dict[str, str]]:
    if template is None:
        return DEFAULT_TITLE, "", dict(DEFAULT_TEXTS)
    return (
        template.title,
        template.issuer,
        {
            "summary": template.summary,
            "ranking_note": template.ranking_note,
            "typical_intro": template.typical_intro,
            "problems_intro": template.problems_intro,
            "closing": template.closing,
        },
    )


def make_briefing(briefing: Briefing, *, now: datetime | None = None) -> Briefing:
    """Compute the numbers over the requester's cases and write both files. A failure is kept
    on the briefing (生成失败, with its reason) rather than lost."""
    if briefing.status == BriefingStatus.READY:
        return briefing
    now = now or timezone.now()
    period = fig.Period(briefing.first_month, briefing.last_month, briefing.kind)
    try:
        with reading_reports():  # the replica, when there is one
            numbers = fig.compute(briefing.requested_by, period, briefing.region, now=now)
        title_text, issuer, texts = _texts(briefing.template)
        parts = {name: fig.segments(text) for name, text in texts.items()}
        title = fig.plain(fig.segments(title_text), numbers["numbers"])[:200]
        numbers["texts"] = parts
        numbers["title"] = title
        numbers["issuer"] = issuer
        images = render.charts(numbers)
        docx = render.write_docx(title, issuer, numbers, parts, images)
        pdf = render.write_pdf(title, issuer, numbers, parts, images)
    except (render.RenderError, fig.TemplateError) as error:
        return _failed(briefing, str(error))
    except Exception as error:  # a bug must not leave the briefing pending for ever
        log.exception("briefing %s failed", briefing.pk)
        return _failed(briefing, _("生成时出错：%(e)s") % {"e": type(error).__name__})
    name = f"briefing-{briefing.first_month}-{briefing.last_month}-{briefing.pk}"
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        briefing.figures = numbers
        briefing.title = title
        briefing.status = BriefingStatus.READY
        briefing.generated_at = now
        briefing.error = ""
        briefing.docx.save(f"{name}.docx", ContentFile(docx), save=False)
        briefing.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
        briefing.save()
        _log(
            briefing,
            BriefingEventKind.GENERATED,
            None,
            received=numbers["numbers"]["received"]["value"],
        )
    return briefing


def _failed(briefing: Briefing, reason: str) -> Briefing:
    with transaction.atomic():
        briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
        briefing.status = BriefingStatus.FAILED
        briefing.error = reason
        briefing.save(update_fields=["status", "error"])
        _log(briefing, BriefingEventKind.FAILED, None, reason=reason)
    return briefing
