"""Every change of the households app: one transaction each, with its ``HouseholdEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code (a demand's error as
``demands.<row>.<field>``), ``PermissionDenied`` for a caller outside ``households.scope``.
"""

from __future__ import annotations

import calendar
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services as cases
from cases.models import CaseType, Category, Channel, Via
from households import scope
from households.models import (
    AssistancePlan,
    HouseholdEvent,
    HouseholdEventKind,
    HouseholdMember,
    HouseholdVisit,
    MeasureStatus,
    PlanMeasure,
    PlanReview,
    PlanStatus,
    TagPeriod,
)
from people.models import Household, HouseholdTag, Person, User

TITLE_LENGTH = 20


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _log(
    kind: str, household: Household, actor: User | None, via: str = Via.WEB, **data: Any
) -> HouseholdEvent:
    return HouseholdEvent.objects.create(
        kind=kind, household=household, actor=actor, via=via, data=data
    )


def _require_work(actor: User, household: Household) -> None:
    if not scope.may_work(actor, household):
        raise PermissionDenied(_("您不负责该户，无权操作。"))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Members ----------------------------------------------------------------------------------


_MEMBER_LIMITS = {"name": 50, "relation": 20, "id_number": 18, "phone": 20, "note": 200}


def _member_fields(
    *, name: str, relation: str, id_number: str, birth_year: int | None, phone: str, note: str
) -> dict[str, Any]:
    """The member's fields, stripped and checked (the same rules for a new and a changed one)."""
    fields: dict[str, Any] = {
        "name": name.strip(),
        "relation": relation.strip(),
        "id_number": id_number.strip().upper(),
        "phone": phone.strip(),
        "note": note.strip(),
    }
    if not fields["name"]:
        raise _error("name", _("请填写姓名。"), "required")
    if not fields["relation"]:
        raise _error("relation", _("请填写与户主关系。"), "required")
    for field, limit in _MEMBER_LIMITS.items():
        if len(fields[field]) > limit:
            raise _error(field, _("不能超过%(limit)d个字符。") % {"limit": limit}, "max_length")
    if fields["id_number"] and not re.fullmatch(r"\d{17}[\dX]|\d{15}", fields["id_number"]):
        raise _error("id_number", _("身份证号格式不正确。"), "invalid")
    if fields["phone"] and not re.fullmatch(r"[\d\-+ ]{5,20}", fields["phone"]):
        raise _error("phone", _("联系电话格式不正确。"), "invalid")
    this_year = timezone.localdate().year
    if birth_year is not None and not (1900 <= birth_year <= this_year):
        raise _error("birth_year", _("出生年份无效。"), "invalid")
    fields["birth_year"] = birth_year
    return fields


def add_member(
    household: Household,
    *,
    name: str,
    relation: str,
    id_number: str = "",
    birth_year: int | None = None,
    phone: str = "",
    note: str = "",
    actor: User,
    via: str = Via.WEB,
) -> HouseholdMember:
    """Register a member of the household."""
    _require_work(actor, household)
    fields = _member_fields(
        name=name,
        relation=relation,
        id_number=id_number,
        birth_year=birth_year,
        phone=phone,
        note=note,
    )
    with transaction.atomic():
        member = HouseholdMember.objects.create(household=household, **fields)
        # The log keeps no personal data: the member row carries it, masked on display.
        _log(HouseholdEventKind.MEMBER_ADDED, household, actor, via, member=member.pk)
    return member


def _lock_member(member: HouseholdMember, actor: User) -> HouseholdMember:
    locked = (
        HouseholdMember.objects.select_for_update(of=("self",))
        .select_related("household__region")
        .filter(pk=member.pk)
        .first()
    )
    if locked is None:
        raise _error("member", _("该家庭成员已被移除。"), "gone")
    _require_work(actor, locked.household)
    return locked


def change_member(
    member: HouseholdMember,
    *,
    name: str,
    relation: str,
    id_number: str = "",
    birth_year: int | None = None,
    phone: str = "",
    note: str = "",
    actor: User,
    via: str = Via.WEB,
) -> HouseholdMember:
    """Correct a member's record; the event names the fields changed, not their values."""
    fields = _member_fields(
        name=name,
        relation=relation,
        id_number=id_number,
        birth_year=birth_year,
        phone=phone,
        note=note,
    )
    with transaction.atomic():
        locked = _lock_member(member, actor)
        changed = sorted(f for f, v in fields.items() if getattr(locked, f) != v)
        if not changed:
            return locked
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.save(update_fields=changed)
        _log(
            HouseholdEventKind.MEMBER_CHANGED,
            locked.household,
            actor,
            via,
            member=locked.pk,
            fields=changed,
        )
    return locked


def remove_member(
    member: HouseholdMember, *, reason: str, actor: User, via: str = Via.WEB
) -> Household:
    """Take a member off the household's file (迁出, 去世, 登记有误) with the reason; the row
    goes, the event keeps the reason and the relation, no personal data."""
    reason = reason.strip()
    if not reason:
        raise _error("reason", _("请填写移除原因。"), "required")
    if len(reason) > 200:
        raise _error("reason", _("移除原因不能超过200字。"), "max_length")
    with transaction.atomic():
        locked = _lock_member(member, actor)
        household = locked.household
        _log(
            HouseholdEventKind.MEMBER_REMOVED,
            household,
            actor,
            via,
            member=locked.pk,
            relation=locked.relation,
            reason=reason,
        )
        locked.delete()
    return household


# --- Tags -------------------------------------------------------------------------------------


def tag_household(
    household: Household, tag: HouseholdTag, *, reason: str, actor: User, via: str = Via.WEB
) -> TagPeriod:
    """Put ``tag`` on the household (纳入), opening a period of its history with the reason."""
    _require_work(actor, household)
    if not reason.strip():
        raise _error("reason", _("请填写纳入原因。"), "required")
    try:
        with transaction.atomic():
            Household.objects.select_for_update().get(pk=household.pk)
            if TagPeriod.objects.filter(
                household=household, tag=tag, ended_at__isnull=True
            ).exists():
                raise _error("tag", _("该户已有此标签。"), "already_tagged")
            period = TagPeriod.objects.create(
                household=household,
                tag=tag,
                started_at=timezone.now(),
                started_by=actor,
                start_reason=reason.strip(),
            )
            household.tags.add(tag)
            _log(
                HouseholdEventKind.TAGGED,
                household,
                actor,
                via,
                tag=tag.pk,
                tag_name=tag.name,
                reason=period.start_reason,
            )
    except IntegrityError as exc:
        # A parallel tagging opened the period first.
        raise _error("tag", _("该户已有此标签。"), "already_tagged") from exc
    return period


def untag_household(
    household: Household, tag: HouseholdTag, *, reason: str, actor: User, via: str = Via.WEB
) -> TagPeriod:
    """Take ``tag`` off the household (退出/销号), closing its open period with the reason."""
    _require_work(actor, household)
    if not reason.strip():
        raise _error("reason", _("请填写退出原因。"), "required")
    with transaction.atomic():
        Household.objects.select_for_update().get(pk=household.pk)
        period = TagPeriod.objects.filter(
            household=household, tag=tag, ended_at__isnull=True
        ).first()
        if period is None:
            if not household.tags.filter(pk=tag.pk).exists():
                raise _error("tag", _("该户没有此标签。"), "not_tagged")
            # A tag from the registry before its history began: record its end all the same.
            period = TagPeriod(household=household, tag=tag, started_at=timezone.now())
        period.ended_at = timezone.now()
        period.ended_by = actor
        period.end_reason = reason.strip()
        period.save()
        household.tags.remove(tag)
        _log(
            HouseholdEventKind.UNTAGGED,
            household,
            actor,
            via,
            tag=tag.pk,
            tag_name=tag.name,
            reason=period.end_reason,
        )
    return period


# --- Visits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """One demand raised during a household visit: it becomes one case about the household."""

    case_type: CaseType
    description: str
    category: Category | None = None
    # The case's idempotency key (the form row's token): a resubmission makes no case twice.
    source_key: str | None = None


def derive_title(text: str) -> str:
    """The case title from the demand's first sentence."""
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    return first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH] + "…"


def _channel(actor: User) -> str:
    """走访 when the actor's roles may claim it; a party member without a staff role reports
    through the open channel (the engine refuses them 走访)."""
    return Channel.VISIT if Channel.VISIT in cases.claimable_channels(actor) else Channel.WEB


def log_household_visit(
    household: Household,
    *,
    visited_on: date,
    visitor: Person,
    findings: str,
    demands: Sequence[Demand] = (),
    token: uuid.UUID | str | None = None,
    actor: User,
    via: str = Via.WEB,
) -> HouseholdVisit:
    """Record a visit to the household with the demands raised (each a case about it), all or
    nothing. A ``token`` names the submission: sent again, it returns the visit it made."""
    _require_work(actor, household)
    if token is not None:
        earlier = _earlier_visit(token, household)
        if earlier is not None:
            return earlier
    if visited_on > timezone.localdate():
        raise _error("visited_on", _("走访日期不能晚于今天。"), "future")
    if not findings.strip():
        raise _error("findings", _("请填写走访情况。"), "required")
    if visitor.pk != actor.person_id and not scope.may_work_as(visitor, household):
        raise _error("visitor", _("走访人只能是本人或该户的联户党员、帮扶责任人。"), "not_linked")
    try:
        with transaction.atomic():
            visit = HouseholdVisit.objects.create(
                household=household,
                visited_on=visited_on,
                visitor=visitor,
                findings=findings.strip(),
                token=token,
                created_by=actor,
            )
            case_ids = _report_demands(visit, demands, actor, via)
            _log(
                HouseholdEventKind.VISIT_LOGGED,
                household,
                actor,
                via,
                visit=visit.pk,
                visited_on=visited_on.isoformat(),
                visitor=visitor.pk,
                cases=case_ids,
            )
    except IntegrityError:
        if token is not None:
            earlier = _earlier_visit(token, household)
            if earlier is not None:
                return earlier
        raise
    return visit


def _earlier_visit(token: uuid.UUID | str, household: Household) -> HouseholdVisit | None:
    earlier = HouseholdVisit.objects.filter(token=token).first()
    if earlier is not None and earlier.household_id != household.pk:
        raise _error("token", _("该表单已用于其他户的走访，请刷新页面后重新填写。"), "token_reused")
    return earlier


def _report_demands(
    visit: HouseholdVisit, demands: Sequence[Demand], actor: User, via: str
) -> list[int]:
    household = visit.household
    errors: dict[str, list[ValidationError]] = {}
    made: list[int] = []
    channel = _channel(actor)
    for row, demand in enumerate(demands):
        description = demand.description.strip()
        if not description:
            errors[f"demands.{row}.description"] = [
                ValidationError(_("请填写诉求内容。"), code="required")
            ]
            continue
        try:
            case = cases.report_case(
                actor=actor,
                via=via,
                case_type=demand.case_type,
                category=demand.category,
                region=household.region,
                title=derive_title(description),
                description=description,
                requester_name=household.head_name,
                requester_phone=household.phone,
                household=household,
                channel=channel,
                source_key=demand.source_key,
            )
        except cases.NotPermitted as exc:
            errors.setdefault(f"demands.{row}", []).append(
                ValidationError(str(exc), code="not_permitted")
            )
            continue
        except ValidationError as exc:
            for field, messages in exc.update_error_dict({}).items():
                name = f"demands.{row}" if field in (None, "__all__") else f"demands.{row}.{field}"
                errors.setdefault(name, []).extend(messages)
            continue
        if case.household_id != household.pk:
            errors.setdefault(f"demands.{row}", []).append(
                ValidationError(_("该诉求已在其他走访中登记。"), code="token_reused")
            )
            continue
        made.append(case.pk)
    if errors:
        raise ValidationError(errors)
    visit.cases.set(made)
    return made


# --- Plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One row of a plan's measures as entered."""

    measure: str
    target: str = ""
    responsible: str = ""


def _check_measures(measures: Sequence[Measure]) -> list[Measure]:
    rows = [m for m in measures if m.measure.strip()]
    if not rows:
        raise _error("measures", _("请至少填写一项帮扶措施。"), "required")
    return rows


def create_plan(
    household: Household,
    *,
    responsible: Person,
    measures: Sequence[Measure],
    summary: str = "",
    review_months: int = 1,
    started_on: date | None = None,
    actor: User,
    via: str = Via.WEB,
) -> AssistancePlan:
    """Make the household's assistance plan (一户一策); the first review falls one interval after
    its start. A household has one active plan: close it before making another."""
    _require_work(actor, household)
    rows = _check_measures(measures)
    if not 1 <= review_months <= 12:
        raise _error("review_months", _("复核间隔须为1至12个月。"), "invalid")
    started_on = started_on or timezone.localdate()
    try:
        with transaction.atomic():
            if AssistancePlan.objects.active().filter(household=household).exists():
                raise _error("household", _("该户已有在执行的帮扶计划。"), "plan_exists")
            plan = AssistancePlan.objects.create(
                household=household,
                responsible=responsible,
                summary=summary.strip(),
                review_months=review_months,
                started_on=started_on,
                next_review_on=add_months(started_on, review_months),
                created_by=actor,
            )
            PlanMeasure.objects.bulk_create(
                PlanMeasure(
                    plan=plan,
                    measure=m.measure.strip(),
                    target=m.target.strip(),
                    responsible=m.responsible.strip(),
                    position=i,
                )
                for i, m in enumerate(rows)
            )
            _log(
                HouseholdEventKind.PLAN_CREATED,
                household,
                actor,
                via,
                plan=plan.pk,
                responsible=responsible.pk,
                measures=len(rows),
                next_review_on=plan.next_review_on.isoformat(),
            )
    except IntegrityError as exc:
        raise _error("household", _("该户已有在执行的帮扶计划。"), "plan_exists") from exc
    return plan


def _lock_plan(plan: AssistancePlan, actor: User, expected_version: int | None) -> AssistancePlan:
    locked = (
        AssistancePlan.objects.select_for_update(of=("self",))
        .select_related("household__region")
        .get(pk=plan.pk)
    )
    _require_work(actor, locked.household)
    if locked.status != PlanStatus.ACTIVE:
        raise _error("plan", _("该帮扶计划已结束。"), "closed")
    if expected_version is not None and expected_version != locked.version:
        raise _error("version", _("该计划已被他人修改，请刷新后重试。"), "stale")
    return locked


def change_plan(
    plan: AssistancePlan,
    *,
    responsible: Person,
    summary: str,
    review_months: int,
    add_measures: Sequence[Measure] = (),
    expected_version: int | None = None,
    actor: User,
    via: str = Via.WEB,
) -> AssistancePlan:
    """Change a plan's 帮扶责任人, summary or rhythm and add measures; the next review moves
    only when the interval changes (from the last review, or the start)."""
    if not 1 <= review_months <= 12:
        raise _error("review_months", _("复核间隔须为1至12个月。"), "invalid")
    with transaction.atomic():
        locked = _lock_plan(plan, actor, expected_version)
        before = {"responsible": locked.responsible_id, "review_months": locked.review_months}
        if review_months != locked.review_months:
            last = locked.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True)
            base = last.first() or locked.started_on
            locked.next_review_on = add_months(base, review_months)
        locked.responsible = responsible
        locked.summary = summary.strip()
        locked.review_months = review_months
        locked.version += 1
        locked.save()
        start = locked.measures.count()
        rows = [m for m in add_measures if m.measure.strip()]
        PlanMeasure.objects.bulk_create(
            PlanMeasure(
                plan=locked,
                measure=m.measure.strip(),
                target=m.target.strip(),
                responsible=m.responsible.strip(),
                position=start + i,
            )
            for i, m in enumerate(rows)
        )
        _log(
            HouseholdEventKind.PLAN_CHANGED,
            locked.household,
            actor,
            via,
            plan=locked.pk,
            before=before,
            after={"responsible": responsible.pk, "review_months": review_months},
            measures_added=len(rows),
        )
    return locked


def review_plan(
    plan: AssistancePlan,
    *,
    reviewed_on: date,
    reviewer: Person,
    progress: str,
    measure_statuses: Mapping[int, str] | None = None,
    next_review_on: date | None = None,
    token: uuid.UUID | str | None = None,
    actor: User,
    via: str = Via.WEB,
) -> PlanReview:
    """Record a review (帮扶复核): the progress, each measure's new status, the next review date
    (one interval after this review unless given). A resubmitted token returns its review."""
    if token is not None:
        earlier = PlanReview.objects.filter(token=token).first()
        if earlier is not None:
            if earlier.plan_id != plan.pk:
                raise _error(
                    "token", _("该表单已用于其他计划，请刷新页面后重新填写。"), "token_reused"
                )
            return earlier
    if not progress.strip():
        raise _error("progress", _("请填写帮扶进展。"), "required")
    if reviewed_on > timezone.localdate():
        raise _error("reviewed_on", _("复核日期不能晚于今天。"), "future")
    statuses = {int(k): v for k, v in (measure_statuses or {}).items()}
    if any(v not in MeasureStatus.values for v in statuses.values()):
        raise _error("measures", _("措施进展无效。"), "invalid_choice")
    try:
        with transaction.atomic():
            locked = _lock_plan(plan, actor, None)
            if reviewed_on < locked.started_on:
                raise _error("reviewed_on", _("复核日期不能早于计划开始日期。"), "before_start")
            nxt = next_review_on or add_months(reviewed_on, locked.review_months)
            if nxt <= reviewed_on:
                raise _error("next_review_on", _("下次复核日期须晚于本次复核日期。"), "not_after")
            measures = {m.pk: m for m in locked.measures.all()}
            if set(statuses) - set(measures):
                raise _error("measures", _("所选措施不属于该计划。"), "other_plan")
            changed: dict[str, dict[str, str]] = {}
            for pk, status in statuses.items():
                row = measures[pk]
                if row.status != status:
                    changed[str(pk)] = {"from": row.status, "to": status}
                    row.status = status
                    row.save(update_fields=["status"])
            review = PlanReview.objects.create(
                plan=locked,
                reviewed_on=reviewed_on,
                reviewer=reviewer,
                progress=progress.strip(),
                measures=changed,
                next_review_on=nxt,
                token=token,
                created_by=actor,
            )
            locked.next_review_on = nxt
            locked.version += 1
            locked.save(update_fields=["next_review_on", "version"])
            _log(
                HouseholdEventKind.PLAN_REVIEWED,
                locked.household,
                actor,
                via,
                plan=locked.pk,
                review=review.pk,
                reviewed_on=reviewed_on.isoformat(),
                next_review_on=nxt.isoformat(),
                measures=changed,
            )
    except IntegrityError:
        if token is not None:
            earlier = PlanReview.objects.filter(token=token, plan=plan).first()
            if earlier is not None:
                return earlier
        raise
    return review


def close_plan(
    plan: AssistancePlan, *, reason: str, actor: User, via: str = Via.WEB
) -> AssistancePlan:
    """End the plan (帮扶结束, e.g. 风险消除); the household may then get a new one."""
    if not reason.strip():
        raise _error("reason", _("请填写结束原因。"), "required")
    with transaction.atomic():
        locked = _lock_plan(plan, actor, None)
        locked.status = PlanStatus.CLOSED
        locked.closed_on = timezone.localdate()
        locked.close_reason = reason.strip()
        locked.version += 1
        locked.save()
        _log(
            HouseholdEventKind.PLAN_CLOSED,
            locked.household,
            actor,
            via,
            plan=locked.pk,
            reason=locked.close_reason,
        )
    return locked
