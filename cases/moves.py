"""The move catalogue: every move declared once, next to its service (``@move`` in services.py).

A declaration names the event kind the move writes, its rule (from which states, which roles,
in what scope), the form that validates its input, the label of its button, the action of its
API endpoint and the service that makes it. The doors only bind input: the case page, the
workbenches and the API find a move here, bind their input to its form and call ``perform``.

Adding a move: its ``EventKind``, its service with ``@move(...)`` in ``cases/services.py``, its
form in ``cases/forms.py`` if it needs a new one, and its tests (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from cases.models import Case, EventKind, Status, Via
from people.models import User

if TYPE_CHECKING:
    from cases.forms import MoveForm

S = Status


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str]
    # "region": the case's place or committee; "lead": the lead unit; "unit": lead or co-unit;
    # "unit_or_region": either; "system": only the overdue sweep (no actor).
    scope: str
    system_allowed: bool = False  # the sweep (actor None) may make it too


@dataclass(frozen=True)
class MoveSpec:
    kind: str
    rule: Rule
    label: Promise  # the button: 答复办结
    action: str  # the API endpoint: POST /api/v1/cases/{id}/{action}/
    form: type[MoveForm] | None  # None: a system move, no door offers it
    service: Callable[..., Case] = field(compare=False)
    fixed: dict[str, Any] = field(default_factory=dict)  # arguments the move always passes
    irreversible: bool = False  # pages show a confirmation page first (GET shows, POST acts)
    primary: bool = False  # the page's main button
    description: str = ""  # for the API documentation (English)

    @property
    def event_label(self) -> str:
        return str(EventKind(self.kind).label)

    @property
    def offered(self) -> bool:
        """Whether a door offers it (system moves are the sweep's alone)."""
        return self.form is not None

    def bind(self, data: Any = None, *, case: Case, user: User, **kwargs: Any) -> MoveForm:
        assert self.form is not None, f"{self.kind} is a system move"
        return self.form(data, case=case, user=user, **kwargs)

    def perform(
        self, case: Case, user: User | None, arguments: dict[str, Any], *, via: str
    ) -> Case:
        """Make the move with a valid form's ``arguments()``."""
        return self.service(case, actor=user, via=via, **self.fixed, **arguments)


CATALOGUE: dict[str, MoveSpec] = {}


def move(
    kind: EventKind,
    rule: Rule,
    *,
    label: Promise,
    action: str,
    form: type[MoveForm] | None,
    fixed: dict[str, Any] | None = None,
    irreversible: bool = False,
    primary: bool = False,
    description: str = "",
) -> Callable[[Callable[..., Case]], Callable[..., Case]]:
    """Declare the service below as the move ``kind`` (a service may make two: 回访 reached or
    not reached)."""

    def declare(service: Callable[..., Case]) -> Callable[..., Case]:
        if kind in CATALOGUE:
            raise RuntimeError(f"Move {kind} is declared twice.")
        CATALOGUE[str(kind)] = MoveSpec(
            kind=str(kind),
            rule=rule,
            label=label,
            action=action,
            form=form,
            service=service,
            fixed=fixed or {},
            irreversible=irreversible,
            primary=primary,
            description=description,
        )
        return service

    return declare


def rule(kind: str) -> Rule:
    return CATALOGUE[kind].rule


def get(kind: str) -> MoveSpec | None:
    return CATALOGUE.get(kind)


def offered() -> Iterator[MoveSpec]:
    """The moves a user can make through a door, in catalogue order."""
    return (spec for spec in CATALOGUE.values() if spec.offered)


def by_action(action: str) -> MoveSpec | None:
    return next((spec for spec in offered() if spec.action == action), None)


__all__ = ["CATALOGUE", "MoveSpec", "Rule", "Via", "by_action", "get", "move", "offered", "rule"]
