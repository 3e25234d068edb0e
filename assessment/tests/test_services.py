"""The assessment services: each change in one transaction with its event, the score formula,
who may do what, and bad input refused in Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment import services
from assessment.models import (
    AssessmentEvent,
    AssessmentEventKind,
    Breakdown,
    Direction,
    IndicatorKind,
    Notice,
    ProgressReport,
    Rectification,
    RectificationStatus,
    RowStatus,
)
from assessment.tests.helpers import make_task, setup

pytestmark = pytest.mark.django_db
K = AssessmentEventKind
D = Decimal


@pytest.mark.parametrize(
    ("actual", "target", "weight", "direction", "expected"),
    [
        (D("100"), D("200"), D("20"), Direction.HIGHER, D("10.00")),
        (D("250"), D("200"), D("20"), Direction.HIGHER, D("20.00")),  # capped at the weight
        (D("0"), D("200"), D("20"), Direction.HIGHER, D("0.00")),
        (D("85.5"), D("95"), D("30"), Direction.HIGHER, D("27.00")),
        (D("10"), D("5"), D("10"), Direction.LOWER, D("5.00")),  # twice the allowed: half
        (D("4"), D("5"), D("10"), Direction.LOWER, D("10.00")),
        (D("0"), D("5"), D("10"), Direction.LOWER, D("10.00")),
        (None, D("5"), D("10"), Direction.HIGHER, None),
    ],
)
def test_score_formula(actual, target, weight, direction, expected):
    assert services.compute_score(actual, target, weight, direction) == expected


def test_create_task_indicators_and_breakdown_write_their_events(world):
    s = setup(world)
    kinds = list(AssessmentEvent.objects.filter(task=s.task).values_list("kind", flat=True))
    assert kinds[:5] == [
        K.TASK_CREATED,
        K.INDICATOR_ADDED,
        K.INDICATOR_ADDED,
        K.BROKEN_DOWN,
        K.BROKEN_DOWN,
    ]
    assert Breakdown.objects.filter(indicator__task=s.task).count() == 4
    assert s.engine_row.status == RowStatus.AUTO
    assert s.row.status == RowStatus.PENDING
    assert s.row.target == D("200.00") and s.row.weight == D("20.00")


def test_report_progress_sets_actual_score_and_event(world):
    s = setup(world)
    report = services.report_progress(
        s.row, actor=world.handler, value="150", note="已完成 150 户改造。"
    )
    row = Breakdown.objects.get(pk=s.row.pk)
    assert (row.actual, row.score, row.status) == (D("150.00"), D("15.00"), RowStatus.REPORTED)
    assert report.value == D("150.00") and report.reported_by == world.handler
    event = AssessmentEvent.objects.filter(kind=K.PROGRESS_REPORTED).get()
    assert event.row_id == row.pk and event.data["value"] == "150.00"
    assert event.data["score"] == "15.00"


def test_report_with_attachment_keeps_real_type(world):
    s = setup(world)
    pdf = SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    report = services.report_progress(s.row, actor=world.handler, value=1, file=pdf)
    assert report.file.name.endswith(".pdf") and report.file_name == "台账.pdf"


def test_report_refuses_html_disguised_as_pdf(world):
    s = setup(world)
    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.report_progress(s.row, actor=world.handler, value=1, file=html)
    assert "file" in caught.value.error_dict
    assert not ProgressReport.objects.exists()


def test_only_the_units_own_staff_report(world):
    s = setup(world)
    for actor in (world.other_handler, world.dispatcher, world.admin, world.outsider):
        with pytest.raises(PermissionDenied):
            services.report_progress(s.row, actor=actor, value=1)
    assert not ProgressReport.objects.exists()
    assert Breakdown.objects.get(pk=s.row.pk).actual is None


def test_engine_rows_are_never_typed(world):
    s = setup(world)
    with pytest.raises(ValidationError) as caught:
        services.report_progress(s.engine_row, actor=world.handler, value=99)
    assert caught.value.error_dict["value"][0].code == "engine"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("abc", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("-1", "min_value"),
        ("1e30", "max_value"),
        (True, "invalid"),
    ],
)
def test_bad_numbers_refused_in_chinese(world, value, code):
    s = setup(world)
    with pytest.raises(ValidationError) as caught:
        services.report_progress(s.row, actor=world.handler, value=value)
    error = caught.value.error_dict["value"][0]
    assert error.code == code
    message = error.message % (error.params or {})
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(message))


def test_notice_by_the_office_only(world):
    s = setup(world)
    notice = services.issue_notice(s.row, actor=world.dispatcher, text="进度滞后，予以通报。")
    assert Notice.objects.get().pk == notice.pk
    assert AssessmentEvent.objects.filter(kind=K.NOTICE_ISSUED, row=s.row).count() == 1
    with pytest.raises(PermissionDenied):
        services.issue_notice(s.row, actor=world.handler, text="自己通报自己")
    with pytest.raises(ValidationError):
        services.issue_notice(s.row, actor=world.dispatcher, text="   ")


def test_rectification_order_answer_and_overdue(world):
    s = setup(world)
    today = timezone.localdate()
    order = services.order_rectification(
        s.row,
        actor=world.dispatcher,
        requirement="两周内补齐改厕台账。",
        deadline=today + timedelta(days=3),
    )
    assert Breakdown.objects.get(pk=s.row.pk).status == RowStatus.RECTIFYING
    with pytest.raises(ValidationError) as caught:  # one open order at a time
        services.order_rectification(
            s.row, actor=world.dispatcher, requirement="再来一次", deadline=today + timedelta(5)
        )
    assert caught.value.error_list[0].code == "open"
    assert not order.is_overdue(today)
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        order.refresh_from_db()
        assert order.is_overdue()
        with pytest.raises(PermissionDenied):
            services.answer_rectification(order, actor=world.other_handler, answer="不是我的")
        answered = services.answer_rectification(order, actor=world.handler, answer="已补齐台账。")
    assert answered.status == RectificationStatus.ANSWERED
    assert answered.is_overdue()  # answered after its deadline: stays marked late
    assert Breakdown.objects.get(pk=s.row.pk).status == RowStatus.RECTIFIED
    event = AssessmentEvent.objects.get(kind=K.RECTIFICATION_ANSWERED)
    assert event.data["late"] is True
    with pytest.raises(ValidationError):
        services.answer_rectification(order, actor=world.handler, answer="再答一次")


def test_rectification_deadline_must_be_after_today(world):
    s = setup(world)
    for deadline in (timezone.localdate(), timezone.localdate() - timedelta(days=1), None):
        with pytest.raises(ValidationError):
            services.order_rectification(
                s.row, actor=world.dispatcher, requirement="整改", deadline=deadline
            )
    with pytest.raises(PermissionDenied):
        services.order_rectification(
            s.row,
            actor=world.handler,
            requirement="整改",
            deadline=timezone.localdate() + timedelta(days=3),
        )
    assert not Rectification.objects.exists()


def test_score_task_recomputes_and_logs(world):
    s = setup(world)
    services.report_progress(s.row, actor=world.handler, value=100)
    Breakdown.objects.filter(pk=s.row.pk).update(score=None)
    assert services.score_task(s.task, actor=world.dispatcher) == 1
    assert Breakdown.objects.get(pk=s.row.pk).score == D("10.00")
    assert AssessmentEvent.objects.filter(kind=K.SCORED).count() == 1
    with pytest.raises(PermissionDenied):
        services.score_task(s.task, actor=world.handler)


def test_task_and_indicator_input_checked(world):
    with pytest.raises(ValidationError):
        make_task(world, start_month=202613)
    with pytest.raises(ValidationError):
        make_task(world, start_month=202612, end_month=202601)
    with pytest.raises(ValidationError):
        make_task(world, start_month=202001, end_month=202612)  # longer than 24 months
    with pytest.raises(PermissionDenied):
        make_task(world, actor=world.handler)
    task = make_task(world)
    with pytest.raises(ValidationError) as caught:
        services.add_indicator(
            task,
            actor=world.dispatcher,
            name="x",
            kind=IndicatorKind.ENGINE,
            metric="bogus",
            measure="%",
        )
    assert "metric" in caught.value.error_dict
    services.add_indicator(task, actor=world.dispatcher, name="改厕", measure="户")
    with pytest.raises(ValidationError):
        services.add_indicator(task, actor=world.dispatcher, name="改厕", measure="户")


def test_break_down_refuses_duplicates_and_bad_weights(world):
    s = setup(world)
    with pytest.raises(ValidationError):
        services.break_down(
            s.toilets, actor=world.dispatcher, units=[world.dept], target=1, weight=1
        )
    with pytest.raises(ValidationError):
        services.break_down(s.toilets, actor=world.dispatcher, units=[], target=1, weight=1)
    for target, weight in ((0, 1), (1, 0), (1, 5000), ("x", 1)):
        with pytest.raises(ValidationError):
            services.break_down(
                s.toilets, actor=world.dispatcher, units=[world.dept], target=target, weight=weight
            )
    with pytest.raises(ValidationError):  # an enterprise is not a unit
        services.break_down(
            s.toilets, actor=world.dispatcher, units=[world.enterprise], target=1, weight=1
        )


def test_events_are_append_only(world):
    s = setup(world)
    event = AssessmentEvent.objects.filter(task=s.task).first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
