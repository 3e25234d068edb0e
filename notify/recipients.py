"""Who a rule's recipient kind means for one case: the people, with the address each channel
needs (an account for the inbox, a phone for SMS and robots' mentions, an e-mail address) and
the unit whose group robot speaks for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from cases.models import Case, CaseAssignment, CaseEvent
from notify.models import Recipient
from people.models import Role, RoleAssignment, User
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR


@dataclass(frozen=True)
class Target:
    user: User | None  # None: a requester known only by a phone number
    phone: str
    email: str
    unit_id: int | None  # the organisation of the role that made them a recipient

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


def _from_user(user: User, unit_id: int | None) -> Target:
    person = user.person
    return Target(user, person.phone if person else "", user.email, unit_id)


def _holders(q: Q) -> list[Target]:
    """The active users of active role assignments matching ``q``, each once."""
    found: dict[int, Target] = {}
    assignments = (
        RoleAssignment.objects.filter(q, is_active=True, user__is_active=True)
        .select_related("user__person")
        .order_by("user_id", "pk")
    )
    for a in assignments:
        found.setdefault(a.user_id, _from_user(a.user, a.organisation_id))
    return list(found.values())


def _unit_staff(role: str, unit_ids: Iterable[int | None]) -> list[Target]:
    units = [unit for unit in unit_ids if unit]
    return _holders(Q(role=role, organisation_id__in=units)) if units else []


def unit_heads(unit_id: int | None) -> list[Target]:
    """The department heads (部门负责人) of a unit."""
    return _unit_staff(Role.DEPT_HEAD, [unit_id])


def _ancestor_paths(path: str) -> list[str]:
    segment = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)
    return [path[: i + segment] for i in range(0, len(path), segment)]


def dispatchers(case: Case) -> list[Target]:
    """The dispatchers over the case's place (any region above it) or its dispatching committee."""
    q = Q(role=Role.DISPATCHER, region__path__in=_ancestor_paths(case.region.path))
    if case.committee_id:
        q |= Q(role=Role.DISPATCHER, organisation_id=case.committee_id)
    return _holders(q)


def requester(case: Case) -> list[Target]:
    """The requester: their account if they have one, and this case's phone number for SMS."""
    user = None
    if case.requester_id:
        user = (
            User.objects.filter(person_id=case.requester_id, is_active=True)
            .select_related("person")
            .first()
        )
    if user is None and not case.requester_phone:
        return []
    return [Target(user, case.requester_phone, user.email if user else "", None)]


def leaders(case: Case) -> list[Target]:
    """The leaders over the case's place (any region above it) or over everywhere."""
    paths = _ancestor_paths(case.region.path)
    return _holders(Q(role=Role.LEADER) & (Q(region__path__in=paths) | Q(region__isnull=True)))


# Who each rung of the escalation ladder tells (cases.models.EscalationTarget).
_ESCALATION_RECIPIENTS = {
    "handler": Recipient.LEAD_HANDLERS,
    "unit_head": Recipient.LEAD_HEADS,
    "board": Recipient.DISPATCHERS,
    "leader": Recipient.LEADERS,
}


def resolve(recipient: str, case: Case, event: CaseEvent | None = None) -> list[Target]:
    if recipient == Recipient.ESCALATION_TARGET:
        target = (event.data or {}).get("target") if event is not None else None
        if target not in _ESCALATION_RECIPIENTS:
            return []
        return resolve(_ESCALATION_RECIPIENTS[target], case)
    if recipient == Recipient.LEADERS:
        return leaders(case)
    if recipient == Recipient.LEAD_HANDLERS:
        return _unit_staff(Role.DEPT_HANDLER, [case.lead_unit_id])
    if recipient == Recipient.LEAD_HEADS:
        return _unit_staff(Role.DEPT_HEAD, [case.lead_unit_id])
    if recipient == Recipient.CO_UNIT_HANDLERS:
        units = CaseAssignment.objects.filter(case=case, is_active=True, is_lead=False)
        return _unit_staff(Role.DEPT_HANDLER, units.values_list("unit_id", flat=True))
    if recipient == Recipient.DISPATCHERS:
        return dispatchers(case)
    if recipient == Recipient.REQUESTER:
        return requester(case)
    if recipient == Recipient.REPORTER:
        reporter = case.reported_by
        return [_from_user(reporter, None)] if reporter and reporter.is_active else []
    raise ValueError(f"unknown recipient kind {recipient!r}")


# Who reads a case's requester unmasked (``cases.scope.can_see_requester``): the desk, the
# requester and the reporter; the lead unit too, unless the requester asked to stay unknown to
# the units (对承办单位保密). Everyone else (co-units, leaders) reads them masked.
_SEE_REQUESTER = frozenset({Recipient.DISPATCHERS, Recipient.REQUESTER, Recipient.REPORTER})
_LEAD_UNIT = frozenset({Recipient.LEAD_HANDLERS, Recipient.LEAD_HEADS})


def hides_requester(recipient: str, case: Case) -> bool:
    """Whether a message to ``recipient`` must not name the requester."""
    if recipient in _SEE_REQUESTER:
        return False
    if recipient in _LEAD_UNIT:
        return case.anonymous_to_unit
    return True
