"""Every change to an enterprise's file: one transaction each, with its ``EnterpriseEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code (the doors render them),
``PermissionDenied`` for a caller outside ``enterprises.scope.may_write_file``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import (
    EnterpriseEvent,
    EnterpriseEventKind,
    Honour,
    HonourAward,
    YearFigures,
)
from enterprises.scope import may_write_file
from orgs.models import Organisation, OrgKind
from people.models import User

FIRST_YEAR = 1978
MAX_AMOUNT = Decimal("999999999999.99")  # the columns' 14 digits, 2 after the point


def _error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check(enterprise: Organisation, actor: User) -> None:
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("只能登记企业的档案。"), "not_enterprise")
    if not may_write_file(actor, enterprise):
        raise PermissionDenied(_("您无权维护该企业的档案。"))


def check_year(year: int, field: str = "year") -> None:
    """A year of record: from 1978 to this year (local time); figures of the future are typos."""
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            {
                field: ValidationError(
                    _("年度须在 %(first)s 至 %(last)s 之间。"),
                    code="year_out_of_range",
                    params={"first": FIRST_YEAR, "last": last},
                )
            }
        )


def _log(enterprise: Organisation, kind: str, actor: User, data: dict[str, Any]) -> None:
    EnterpriseEvent.objects.create(enterprise=enterprise, kind=kind, actor=actor, data=data)


def award_honour(
    enterprise: Organisation, honour: Honour, year: int, *, actor: User, note: str = ""
) -> HonourAward:
    """Record that ``enterprise`` was awarded ``honour`` in ``year`` (once per year)."""
    _check(enterprise, actor)
    check_year(year)
    if not honour.is_active:
        raise _error("honour", _("该荣誉资质已停用。"), "honour_inactive")
    with transaction.atomic():
        try:
            # The unique constraint decides, so two offices entering it at once get one row.
            with transaction.atomic():
                award = HonourAward.objects.create(
                    enterprise=enterprise, honour=honour, year=year, note=note.strip()
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "year": ValidationError(
                        _("该企业 %(year)s 年的“%(honour)s”已登记。"),
                        code="duplicate_award",
                        params={"year": year, "honour": honour.name},
                    )
                }
            ) from None
        _log(
            enterprise,
            EnterpriseEventKind.HONOUR_AWARDED,
            actor,
            {"award": award.pk, "honour": honour.code, "year": year, "note": award.note},
        )
    return award


def revoke_honour(award: HonourAward, *, actor: User) -> None:
    """Remove an honour entered by mistake or withdrawn; the event keeps what it was."""
    enterprise = award.enterprise
    _check(enterprise, actor)
    with transaction.atomic():
        deleted, _rows = HonourAward.objects.filter(pk=award.pk).delete()
        if not deleted:
            raise _error("award", _("该荣誉记录已不存在。"), "award_missing")
        _log(
            enterprise,
            EnterpriseEventKind.HONOUR_REVOKED,
            actor,
            {"award": award.pk, "honour": award.honour.code, "year": award.year},
        )


def _amount(value: Decimal | int | str, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        amount = Decimal("NaN")
    if not amount.is_finite() or not Decimal(0) <= amount <= MAX_AMOUNT:
        raise ValidationError(
            {field: ValidationError(_("金额须为不小于 0 的数（万元）。"), code="invalid_amount")}
        )
    return amount.quantize(Decimal("0.01"))


def record_year_figures(
    enterprise: Organisation,
    year: int,
    *,
    output_value: Decimal | int | str,
    tax: Decimal | int | str,
    employees: int | None = None,
    actor: User,
) -> YearFigures:
    """Enter or correct an enterprise's output value and tax (万元) for one year."""
    _check(enterprise, actor)
    check_year(year)
    values = {"output_value": _amount(output_value, "output_value"), "tax": _amount(tax, "tax")}
    if employees is not None and employees < 0:
        raise _error("employees", _("从业人数不能为负数。"), "invalid_employees")
    with transaction.atomic():
        figures, created = YearFigures.objects.select_for_update().update_or_create(
            enterprise=enterprise, year=year, defaults={**values, "employees": employees}
        )
        _log(
            enterprise,
            EnterpriseEventKind.FIGURES_RECORDED,
            actor,
            {
                "year": year,
                "created": created,
                "output_value": str(values["output_value"]),
                "tax": str(values["tax"]),
                "employees": employees,
            },
        )
    return figures
