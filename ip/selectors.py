"""What pages elsewhere read of the IP records: a case's infringement facts (the case page) and
an enterprise's registrations and licences (its file), and the overview's counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from cases.models import OPEN_STATUSES, Case, Status
from cases.scope import visible_cases
from ip.models import (
    IP_CASE_TYPE,
    GiLicence,
    InfringementFacts,
    IpRegistration,
    LicenceStatus,
    RegistrationKind,
    licence_state_q,
)
from ip.scope import visible_actions, visible_licences, visible_registrations
from orgs.models import Organisation
from people.models import User

# A licence ending within this many days shows as expiring on the overview.
EXPIRING_DAYS = 60


def facts_for(case: Case) -> InfringementFacts | None:
    """The case's infringement facts with both enterprises joined, or None (one query). Whoever
    may see the case reads them."""
    return (
        InfringementFacts.objects.select_related("holder_enterprise", "infringer_enterprise")
        .filter(case_id=case.pk)
        .first()
    )


@dataclass
class EnterpriseRecords:
    registrations: list[IpRegistration] = field(default_factory=list)
    licences: list[GiLicence] = field(default_factory=list)


def records_for(enterprise: Organisation) -> EnterpriseRecords:
    """The enterprise's registrations and GI-mark licences, newest first, for its file (two
    queries). Whoever may open the file may read them, so it takes no user."""
    return EnterpriseRecords(
        registrations=list(
            IpRegistration.objects.filter(enterprise=enterprise).order_by("-registered_on", "-pk")
        ),
        licences=list(GiLicence.objects.filter(licensee=enterprise).order_by("-valid_from", "-pk")),
    )


def expiring_q(today: date) -> Q:
    """Active licences ending within ``EXPIRING_DAYS`` of ``today``."""
    return licence_state_q(LicenceStatus.ACTIVE, today) & Q(
        valid_until__lte=today + timedelta(days=EXPIRING_DAYS)
    )


def ip_cases(user: User) -> QuerySet[Case]:
    """The infringement cases ``user`` may see (``cases.scope``)."""
    return visible_cases(user, Case.objects.filter(case_type__code=IP_CASE_TYPE))


@dataclass
class Overview:
    registrations: list[tuple[int, str, str, int]]  # year, kind, label, count
    registrations_total: int
    licences: list[tuple[str, str, int]]  # state, label, count
    licences_expiring: int
    actions_this_year: int
    cases_open: int
    cases_closed: int


def overview(user: User, today: date) -> Overview:
    """The counts of the IP overview, in the user's scope (a fixed number of queries)."""
    rows = (
        visible_registrations(user)
        .annotate(year=ExtractYear("registered_on"))
        .order_by()
        .values_list("year", "kind")
        .annotate(n=Count("pk"))
    )
    labels = dict(RegistrationKind.choices)
    registrations = sorted(
        ((year, kind, str(labels.get(kind, kind)), n) for year, kind, n in rows),
        key=lambda row: (-row[0], row[1]),
    )
    licences = visible_licences(user)
    counts = licences.aggregate(
        **{
            state: Count("pk", filter=licence_state_q(state, today))
            for state in LicenceStatus.values
        },
        expiring=Count("pk", filter=expiring_q(today)),
    )
    cases = (
        ip_cases(user)
        .order_by()
        .aggregate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
        )
    )
    return Overview(
        registrations=registrations,
        registrations_total=sum(row[3] for row in registrations),
        licences=[(value, str(label), counts[value]) for value, label in LicenceStatus.choices],
        licences_expiring=counts["expiring"],
        actions_this_year=visible_actions(user).filter(acted_on__year=today.year).count(),
        cases_open=cases["open"],
        cases_closed=cases["closed"],
    )
