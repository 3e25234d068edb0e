"""Bulk moves (批量操作): one catalogue move on many cases, each case moved by its own service in
its own transaction, so one refusal never undoes the others.

The doors (the case list's bulk bar in ``web/caseviews/bulk.py``, ``POST /api/v1/cases/bulk/``)
bind the arguments to the move's own form twice: once without a case, to refuse at once what is
wrong for every case (a missing 督办意见), then per case with the case's current version. A bulk
move acts on each case as it is now (no stale check: the user chose the cases, not their
versions), while each move still checks its state, the actor's role and scope, and its input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import moves, services
from cases.forms import MoveForm
from cases.models import Case, EventKind
from cases.moves import MoveSpec
from cases.scope import visible_cases
from people.models import User

K = EventKind

# One bulk move acts on at most this many cases (the case list says so beyond it).
MAX_BULK = 500
# The moves offered in bulk, in the order of the bulk bar: 交办, 督办, 催办, 同意延期, 销号.
BULK_KINDS = (K.ASSIGNED, K.SUPERVISED, K.URGED, K.EXTENSION_APPROVED, K.CLOSED)
# What a bulk move says of a case the caller may not see, or that does not exist: the same
# words for both, so an id reveals nothing.
NOT_FOUND = gettext_lazy("不存在或无权查看")


@dataclass
class Outcome:
    """One case's result: moved, refused (``error``), or not found for this caller (``case`` is
    None)."""

    pk: int
    case: Case | None
    error: services.CaseError | ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.case is not None and self.error is None

    @property
    def message(self) -> str:
        """成功, or why not, in the active language."""
        if self.case is None:
            return str(NOT_FOUND)
        if self.error is None:
            return _("成功")
        if isinstance(self.error, ValidationError):
            return "；".join(self.error.messages)
        return str(self.error)


def bulk_moves(user: User) -> list[MoveSpec]:
    """The bulk moves the user's roles may make somewhere (each case is still checked)."""
    specs = [moves.CATALOGUE[kind] for kind in BULK_KINDS]
    return [
        spec
        for spec in specs
        if user.is_authenticated and (user.is_admin or user.has_role(*spec.rule.roles))
    ]


# The bulk bar's words where they say more than the move's button.
LABELS: dict[str, Any] = {K.CLOSED: gettext_lazy("回访后销号")}


def bulk_choices(user: User) -> list[tuple[str, str]]:
    """(kind, label) of the bulk moves this user may make, for the bulk bar."""
    return [(spec.kind, str(LABELS.get(spec.kind, spec.label))) for spec in bulk_moves(user)]


def bulk_move(kind: str, user: User) -> MoveSpec | None:
    """The bulk move ``kind`` if this user may make it in bulk."""
    return next((spec for spec in bulk_moves(user) if spec.kind == kind), None)


def arguments_form(spec: MoveSpec, data: Any, user: User) -> MoveForm:
    """The move's form without a case and without a version: the bulk page draws it, and both
    doors check with it what is wrong whatever the case."""
    form = spec.bind(data, case=Case(version=1), user=user)
    del form.fields["version"]
    return form


def unique_ids(ids: Iterable[int]) -> list[int]:
    """The ids once each, in the order given."""
    return list(dict.fromkeys(ids))


def _with_version(data: Any, case: Case) -> Any:
    if isinstance(data, QueryDict):
        bound = data.copy()
        bound["version"] = str(case.version)
        return bound
    return {**(data or {}), "version": case.version}


def _precondition(case: Case, kind: str) -> None:
    """What a bulk move asks beyond the move itself: 销号 in bulk only after a passed return
    visit (closing after a failed one needs its own written reason, case by case)."""
    if kind == K.CLOSED and not case.visit_passed:
        raise services.InvalidTransition(
            _("回访未通过的事项不能批量销号，请逐件说明理由后销号。"), code="visit_not_passed"
        )


def refusal(case: Case, spec: MoveSpec, user: User) -> str | None:
    """Why the move cannot be made on ``case`` now (None: it can), before any input is read; the
    confirmation page shows it beside each case. ``case.region`` must be loaded."""
    try:
        services.check_move(case, spec.kind, user)
        _precondition(case, spec.kind)
    except services.CaseError as error:
        return str(error)
    return None


def perform_bulk(
    spec: MoveSpec, user: User, ids: Iterable[int], data: Any, *, via: str
) -> list[Outcome]:
    """Move each case of ``ids`` the user may see with ``data`` (the move form's input, without
    a version), one transaction per case; one outcome per id, in the order given."""
    ids = unique_ids(ids)
    visible = set(visible_cases(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [_one(spec, user, pk, data, via) if pk in visible else Outcome(pk, None) for pk in ids]


def _one(spec: MoveSpec, user: User, pk: int, data: Any, via: str) -> Outcome:
    seen: Case | None = None
    try:
        with services.locked_for_move(user, pk) as case:
            if case is None:
                return Outcome(pk, None)
            seen = case
            services.check_move(case, spec.kind, user)
            _precondition(case, spec.kind)
            form = spec.bind(_with_version(data, case), case=case, user=user)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            return Outcome(pk, spec.perform(case, user, form.arguments(), via=via))
    except (services.CaseError, ValidationError) as error:
        return Outcome(pk, seen, error)
