"""Every change of an assessment task: one transaction each, with its ``AssessmentEvent``.

Scores (stated on the task page too): for each row of the 任务分解表,

- higher is better: score = min(actual ÷ target, 1) × weight;
- lower is better:  score = min(target ÷ actual, 1) × weight (an actual of 0 earns the weight);
- no actual value yet (not reported, or an engine rate whose base is 0): no score (—).

A unit's total is the sum of its rows' scores out of the sum of their weights; units are ranked
by total, highest first.

Engine-fed indicators take their actual value from ``stats.metrics`` over the cases the unit
leads (``lead_unit``) in the task's period and region, as a percentage; nobody types them.

Errors leave as data: ``ValidationError`` keyed by field with a code and lazy Chinese text,
``PermissionDenied`` for a caller outside ``assessment.scope``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment import scope
from assessment.models import (
    ENGINE_METRICS,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentTask,
    Breakdown,
    Direction,
    Indicator,
    IndicatorKind,
    Notice,
    ProgressReport,
    Rectification,
    RectificationStatus,
    RowStatus,
)
from cases.attachments import check_file
from cases.models import Case, Via
from orgs.models import HANDLING_KINDS, Organisation
from people.models import User
from regions.models import Region
from stats import metrics

K = AssessmentEventKind
CENT = Decimal("0.01")
# The largest value a row holds (max_digits=14, decimal_places=2).
MAX_VALUE = Decimal("999999999999.99")
MAX_WEIGHT = Decimal("1000")
MAX_MONTHS = 24
MAX_REPORT_BYTES = 20 * 1024 * 1024


def _error(field: str | None, message: Any, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _log(
    kind: str,
    task: AssessmentTask,
    *,
    actor: User | None,
    via: str,
    row: Breakdown | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AssessmentEvent:
    event = AssessmentEvent(
        kind=kind,
        task=task,
        row=row,
        actor=actor,
        via=via,
        reason=reason,
        data=data or {},
        created_at=timezone.now(),
    )
    event.save(force_insert=True)
    return event


def _text(value: str | None, field: str, limit: int, message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise _error(field, message, "required")
    if len(text) > limit:
        raise _error(field, _("最多 %(limit)s 个字。"), "too_long", limit=limit)
    return text


def _optional(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise _error(field, _("最多 %(limit)s 个字。"), "too_long", limit=limit)
    return text


def number(
    value: Any, field: str, *, maximum: Decimal = MAX_VALUE, positive: bool = False
) -> Decimal:
    """A finite decimal in [0, maximum] (above 0 when ``positive``), rounded to cents."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _error(field, _("请填写数值。"), "required")
    if isinstance(value, bool):
        raise _error(field, _("请填写数字。"), "invalid")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _error(field, _("请填写数字。"), "invalid") from None
    if not amount.is_finite():
        raise _error(field, _("请填写数字。"), "invalid")
    if amount < 0 or (positive and amount == 0):
        message = _("须大于 0。") if positive else _("不能为负数。")
        raise _error(field, message, "min_value")
    if amount > maximum:
        raise _error(field, _("不能超过 %(max)s。"), "max_value", max=str(maximum))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _month(value: Any, field: str) -> int:
    try:
        month = int(value)
    except (TypeError, ValueError):
        raise _error(field, _("月份须为 YYYYMM，如 202601。"), "invalid") from None
    if not (2000 <= month // 100 <= 2099 and 1 <= month % 100 <= 12):
        raise _error(field, _("月份须为 YYYYMM，如 202601。"), "invalid")
    return month


def compute_score(
    actual: Decimal | None, target: Decimal, weight: Decimal, direction: str
) -> Decimal | None:
    """min(actual/target, 1) × weight when higher is better; min(target/actual, 1) × weight when
    lower is better (an actual of 0 earns the weight); None without an actual value."""
    if actual is None or target <= 0:
        return None
    if direction == Direction.LOWER:
        share = Decimal(1) if actual == 0 else min(target / actual, Decimal(1))
    else:
        share = min(actual / target, Decimal(1))
    return (share * weight).quantize(CENT, rounding=ROUND_HALF_UP)


def _rescore(row: Breakdown) -> None:
    row.score = compute_score(row.actual, row.target, row.weight, row.indicator.direction)


def _lock_row(row: Breakdown) -> Breakdown:
    return (
        Breakdown.objects.select_for_update(of=("self",))
        .select_related("indicator__task__region", "unit")
        .get(pk=row.pk)
    )


def _manager(actor: User, task: AssessmentTask) -> None:
    if not scope.manages(actor, task):
        raise PermissionDenied(_("只有下达考核任务的单位可以执行该操作。"))


# --- Task lists, indicators, breakdown --------------------------------------------------------


def create_task(
    *,
    actor: User,
    title: str,
    year: int,
    start_month: int,
    end_month: int,
    issuer: Organisation,
    region: Region,
    note: str = "",
    via: str = Via.SYSTEM,
) -> AssessmentTask:
    """A task list (考核任务) over ``region``, issued by ``issuer``; by the office over it."""
    if not scope.may_create(actor, region):
        raise PermissionDenied(_("您无权在该区域下达考核任务。"))
    title = _text(title, "title", 150, _("请填写任务名称。"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise _error("year", _("请填写年度。"), "invalid") from None
    if not 2000 <= year <= 2099:
        raise _error("year", _("年度须在 2000 至 2099 之间。"), "invalid")
    start, end = _month(start_month, "start_month"), _month(end_month, "end_month")
    if end < start:
        raise _error("end_month", _("考核期止不能早于考核期起。"), "period")
    if (end // 100 - start // 100) * 12 + end % 100 - start % 100 + 1 > MAX_MONTHS:
        raise _error("end_month", _("考核期最长 %(n)s 个月。"), "period", n=MAX_MONTHS)
    note = _optional(note, "note", 4000)
    with transaction.atomic():
        task = AssessmentTask.objects.create(
            title=title,
            year=year,
            start_month=start,
            end_month=end,
            issuer=issuer,
            region=region,
            note=note,
            created_by=actor,
            created_at=timezone.now(),
        )
        _log(K.TASK_CREATED, task, actor=actor, via=via, data={"title": title})
    return task


def add_indicator(
    task: AssessmentTask,
    *,
    actor: User,
    name: str,
    measure: str,
    kind: str = IndicatorKind.MANUAL,
    metric: str = "",
    direction: str = Direction.HIGHER,
    description: str = "",
    via: str = Via.SYSTEM,
) -> Indicator:
    """An indicator of ``task``: typed by the units (manual) or fed by an engine rate."""
    with transaction.atomic():
        task = AssessmentTask.objects.select_for_update().select_related("region").get(pk=task.pk)
        _manager(actor, task)
        name = _text(name, "name", 100, _("请填写指标名称。"))
        if kind not in IndicatorKind.values:
            raise _error("kind", _("请选择取数方式。"), "invalid_choice")
        if direction not in Direction.values:
            raise _error("direction", _("请选择指标方向。"), "invalid_choice")
        if kind == IndicatorKind.ENGINE:
            if metric not in ENGINE_METRICS:
                raise _error("metric", _("请选择系统指标。"), "invalid_choice")
            measure = measure or "%"
        else:
            metric = ""
        measure = _text(measure, "measure", 20, _("请填写计量单位。"))
        if task.indicators.filter(name=name).exists():
            raise _error("name", _("该任务已有同名指标。"), "duplicate")
        indicator = Indicator.objects.create(
            task=task,
            name=name,
            kind=kind,
            metric=metric,
            measure=measure,
            direction=direction,
            description=_optional(description, "description", 2000),
            position=task.indicators.count() + 1,
        )
        _log(
            K.INDICATOR_ADDED,
            task,
            actor=actor,
            via=via,
            data={"indicator": indicator.pk, "name": name, "kind": kind, "metric": metric},
        )
    return indicator


def break_down(
    indicator: Indicator,
    *,
    actor: User,
    units: Iterable[Organisation],
    target: Any,
    weight: Any,
    via: str = Via.SYSTEM,
) -> list[Breakdown]:
    """Break ``indicator`` down to ``units`` (任务分解), each with ``target`` and ``weight``."""
    target_value = number(target, "target", positive=True)
    weight_value = number(weight, "weight", maximum=MAX_WEIGHT, positive=True)
    units = list(dict.fromkeys(units))
    if not units:
        raise _error("units", _("请选择责任单位。"), "required")
    for unit in units:
        if unit.kind not in HANDLING_KINDS:
            raise _error("units", _("“%(name)s”不是承办单位。"), "not_unit", name=str(unit))
    with transaction.atomic():
        indicator = (
            Indicator.objects.select_for_update(of=("self",))
            .select_related("task__region")
            .get(pk=indicator.pk)
        )
        task = indicator.task
        _manager(actor, task)
        taken = set(indicator.rows.filter(unit__in=units).values_list("unit__name", flat=True))
        if taken:
            raise _error(
                "units", _("已分解过此指标：%(names)s"), "duplicate", names="、".join(sorted(taken))
            )
        now = timezone.now()
        status = RowStatus.AUTO if indicator.is_engine else RowStatus.PENDING
        rows = [
            Breakdown.objects.create(
                indicator=indicator,
                unit=unit,
                target=target_value,
                weight=weight_value,
                status=status,
                updated_at=now,
            )
            for unit in units
        ]
        _log(
            K.BROKEN_DOWN,
            task,
            actor=actor,
            via=via,
            data={
                "indicator": indicator.pk,
                "units": [u.pk for u in units],
                "target": str(target_value),
                "weight": str(weight_value),
            },
        )
    if indicator.is_engine:
        refresh_engine_indicators(task)
    return rows


# --- The unit's moves ---------------------------------------------------------------------------


def report_progress(
    row: Breakdown,
    *,
    actor: User,
    value: Any,
    note: str = "",
    file: Any = None,
    file_name: str = "",
    via: str = Via.SYSTEM,
) -> ProgressReport:
    """The unit's staff report a manual indicator's progress (值 + 说明 + 附件 optional); the
    row's actual value and score follow. An engine-fed indicator is never typed."""
    amount = number(value, "value")
    note = _optional(note, "note", 2000)
    kind = None
    if file is not None:
        file_name = (file_name or getattr(file, "name", "") or "").strip()[:200] or "附件"
        try:
            kind = check_file(file, name=file_name, limit=MAX_REPORT_BYTES)
        except ValidationError as error:
            raise ValidationError({"file": error}) from None
    with transaction.atomic():
        row = _lock_row(row)
        if not scope.reports_for(actor, row):
            raise PermissionDenied(_("只有责任单位的工作人员可以报送进展。"))
        if row.indicator.is_engine:
            raise _error("value", _("系统取数的指标无需报送，完成值由系统计算。"), "engine")
        now = timezone.now()
        report = ProgressReport(
            row=row, value=amount, note=note, reported_by=actor, reported_at=now
        )
        if file is not None and kind is not None:
            report.file_name = file_name
            report.file.save(f"upload.{kind.extension}", File(file), save=False)
        report.save(force_insert=True)
        row.actual, row.note, row.reported_at, row.updated_at = amount, note, now, now
        if row.status == RowStatus.PENDING:
            row.status = RowStatus.REPORTED
        _rescore(row)
        row.save(update_fields=["actual", "note", "reported_at", "updated_at", "status", "score"])
        _log(
            K.PROGRESS_REPORTED,
            row.indicator.task,
            row=row,
            actor=actor,
            via=via,
            reason=note,
            data={"report": report.pk, "value": str(amount), "score": _str(row.score)},
        )
    return report


def answer_rectification(
    rectification: Rectification, *, actor: User, answer: str, via: str = Via.SYSTEM
) -> Rectification:
    """The unit's rectification report (整改报告) on an open order; late answers stay marked."""
    answer = _text(answer, "answer", 4000, _("请填写整改情况。"))
    with transaction.atomic():
        rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
        row = _lock_row(rectification.row)
        if not scope.reports_for(actor, row):
            raise PermissionDenied(_("只有责任单位的工作人员可以反馈整改情况。"))
        if rectification.status != RectificationStatus.OPEN:
            raise _error(None, _("该整改已反馈，不能重复反馈。"), "answered")
        now = timezone.now()
        rectification.status = RectificationStatus.ANSWERED
        rectification.answer, rectification.answered_by, rectification.answered_at = (
            answer,
            actor,
            now,
        )
        rectification.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        if not row.rectifications.filter(status=RectificationStatus.OPEN).exists():
            row.status = RowStatus.RECTIFIED
            row.updated_at = now
            row.save(update_fields=["status", "updated_at"])
        _log(
            K.RECTIFICATION_ANSWERED,
            row.indicator.task,
            row=row,
            actor=actor,
            via=via,
            reason=answer,
            data={
                "rectification": rectification.pk,
                "late": timezone.localdate(now) > rectification.deadline,
            },
        )
    return rectification


# --- The issuing office's moves -----------------------------------------------------------------


def issue_notice(row: Breakdown, *, actor: User, text: str, via: str = Via.SYSTEM) -> Notice:
    """A notice (通报) on a unit's indicator, by the issuing office."""
    text = _text(text, "text", 4000, _("请填写通报内容。"))
    with transaction.atomic():
        row = _lock_row(row)
        _manager(actor, row.indicator.task)
        notice = Notice(row=row, text=text, issued_by=actor, issued_at=timezone.now())
        notice.save(force_insert=True)
        _log(
            K.NOTICE_ISSUED,
            row.indicator.task,
            row=row,
            actor=actor,
            via=via,
            reason=text,
            data={"notice": notice.pk},
        )
    return notice


def order_rectification(
    row: Breakdown,
    *,
    actor: User,
    requirement: str,
    deadline: date | None,
    via: str = Via.SYSTEM,
) -> Rectification:
    """A rectification order (限期整改) with a deadline after today; one open order at a time."""
    requirement = _text(requirement, "requirement", 4000, _("请填写整改要求。"))
    if deadline is None:
        raise _error("deadline", _("请填写整改期限。"), "required")
    today = timezone.localdate()
    if deadline <= today:
        raise _error("deadline", _("整改期限须晚于今天。"), "past")
    if deadline.year > today.year + 5:
        raise _error("deadline", _("整改期限过远，请核对。"), "too_far")
    with transaction.atomic():
        row = _lock_row(row)
        _manager(actor, row.indicator.task)
        if row.rectifications.filter(status=RectificationStatus.OPEN).exists():
            raise _error(None, _("该单位此指标尚有未反馈的整改，请待其反馈后再下达。"), "open")
        now = timezone.now()
        rectification = Rectification.objects.create(
            row=row, requirement=requirement, deadline=deadline, issued_by=actor, issued_at=now
        )
        row.status, row.updated_at = RowStatus.RECTIFYING, now
        row.save(update_fields=["status", "updated_at"])
        _log(
            K.RECTIFICATION_ORDERED,
            row.indicator.task,
            row=row,
            actor=actor,
            via=via,
            reason=requirement,
            data={"rectification": rectification.pk, "deadline": deadline.isoformat()},
        )
    return rectification


def score_task(task: AssessmentTask, *, actor: User | None, via: str = Via.SYSTEM) -> int:
    """Recompute every row's score by the formula above; returns how many changed."""
    with transaction.atomic():
        task = AssessmentTask.objects.select_for_update().select_related("region").get(pk=task.pk)
        if actor is not None:
            _manager(actor, task)
        changed = 0
        rows = Breakdown.objects.select_for_update(of=("self",)).select_related("indicator")
        for row in rows.filter(indicator__task=task):
            before = row.score
            _rescore(row)
            if row.score != before:
                row.save(update_fields=["score"])
                changed += 1
        _log(K.SCORED, task, actor=actor, via=via, data={"changed": changed})
    return changed


# --- Engine-fed indicators -------------------------------------------------------------------------


def engine_cases(task: AssessmentTask) -> Any:
    """The cases engine-fed indicators read: every case of the task's region and period (by
    lead unit when grouped). Not the viewer's scope: a unit's figure is the same for all."""
    return metrics.filter_cases(
        Case.objects.all(), region=task.region, months=(task.start_month, task.end_month)
    )


def engine_value(rate: float | None) -> Decimal | None:
    """A rate in [0, 1] as the percentage a row holds (None when its base is 0)."""
    if rate is None:
        return None
    return (Decimal(str(rate)) * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def refresh_engine_indicators(
    task: AssessmentTask, *, now: datetime | None = None, via: str = Via.SYSTEM
) -> int:
    """Take the engine's rates into the task's engine-fed rows: one GROUP BY by lead unit over
    ``engine_cases`` (the same numbers as ``metrics.totals`` over each unit's cases), then the
    changed rows and one event in a transaction. Returns how many rows changed."""
    rows = list(
        Breakdown.objects.filter(indicator__task=task, indicator__kind=IndicatorKind.ENGINE)
        .select_related("indicator")
        .order_by("pk")
    )
    if not rows:
        return 0
    units = {row.unit_id for row in rows}
    if "region" not in task._state.fields_cache:
        task = AssessmentTask.objects.select_related("region").get(pk=task.pk)
    cases = engine_cases(task).filter(lead_unit_id__in=units)
    by_unit = {r.group["lead_unit"]: r for r in metrics.rates(cases, ("lead_unit",), now=now)}
    changes: list[tuple[int, Decimal | None]] = []
    for row in rows:
        found = by_unit.get(row.unit_id)
        rate = getattr(found, row.indicator.metric) if found is not None else None
        value = engine_value(rate)
        if value != row.actual:
            changes.append((row.pk, value))
    if not changes:
        return 0
    with transaction.atomic():
        locked = {
            row.pk: row
            for row in Breakdown.objects.select_for_update(of=("self",))
            .select_related("indicator")
            .filter(pk__in=[pk for pk, _ in changes])
        }
        stamp = timezone.now()
        data = {}
        for pk, value in changes:
            current = locked.get(pk)
            if current is None or current.actual == value:  # gone, or a concurrent view took it
                continue
            current.actual, current.updated_at = value, stamp
            _rescore(current)
            current.save(update_fields=["actual", "score", "updated_at"])
            data[str(pk)] = _str(value)
        if data:
            _log(K.ENGINE_REFRESHED, task, actor=None, via=via, data={"rows": data})
    return len(data)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
