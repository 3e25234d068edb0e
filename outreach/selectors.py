"""What other pages show of the outreach work: a firm's recent visits and its briefing tasks (for
the enterprise file), and a linked cadre's own firms (我联系的企业)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from cases.models import OPEN_STATUSES
from cases.scope import visible_cases
from orgs.models import Organisation
from outreach import scope
from outreach.coverage import add_months, rhythms
from outreach.models import (
    PERIOD_MONTHS,
    VISITING_KINDS,
    BriefingStatus,
    BriefingTask,
    EnterpriseVisit,
    Period,
)
from people.models import EnterpriseLink, User


def visits_for(enterprise: Organisation, limit: int = 10) -> list[EnterpriseVisit]:
    """The firm's latest visits, newest first, with their visitors and the number of demands
    raised (``case_count``); two queries. The caller decides who may see them (the file's
    readers, ``enterprises.scope.may_read_file``)."""
    return list(
        EnterpriseVisit.objects.filter(enterprise=enterprise)
        .select_related("created_by__person")
        .prefetch_related("visitors")
        .annotate(case_count=Count("meeting__cases"))
        .order_by("-visited_on", "-pk")[:limit]
    )


def briefings_for(enterprise: Organisation) -> list[BriefingTask]:
    """The firm's briefing tasks, pending ones first, with policy and cadre; one query."""
    return list(
        BriefingTask.objects.filter(enterprise=enterprise)
        .select_related("policy", "cadre")
        .order_by("status", "due_on", "pk")
    )


def pending_briefings(enterprise: Organisation, user: User) -> QuerySet[BriefingTask]:
    """The firm's pending tasks ``user`` may tick on a visit: their own, or all of them for
    a manager of the firm (``outreach.scope.manages``)."""
    tasks = BriefingTask.objects.filter(
        enterprise=enterprise, status=BriefingStatus.PENDING
    ).select_related("policy", "cadre")
    if scope.manages(user, enterprise):
        return tasks
    return tasks.filter(cadre_id=user.person_id or 0)


@dataclass
class MyFirm:
    """One of a cadre's firms on their workbench."""

    firm: Organisation
    kinds: list[str]
    period: str
    open_demands: int = 0
    last_visit: date | None = None
    next_due: date | None = None  # None: never visited by the cadre, due now
    briefings: list[BriefingTask] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.next_due is None or self.next_due < timezone.localdate()


def my_firms(user: User) -> list[MyFirm]:
    """The firms ``user`` visits as a linked cadre, each with its open demands (through the
    user's case scope), the cadre's last visit, the next one due by the rhythm of their link
    (the shortest of their links to it) and their pending briefings there; five queries."""
    if user.person_id is None:
        return []
    periods = rhythms()
    links = (
        EnterpriseLink.objects.filter(person_id=user.person_id, kind__in=VISITING_KINDS)
        .select_related("enterprise__region")
        .order_by("enterprise__name", "pk")
    )
    firms: dict[int, MyFirm] = {}
    for link in links:
        period = periods[link.kind]
        row = firms.get(link.enterprise_id)
        if row is None:
            row = firms[link.enterprise_id] = MyFirm(link.enterprise, [], period)
        row.kinds.append(link.get_kind_display())
        if PERIOD_MONTHS[Period(period)] < PERIOD_MONTHS[Period(row.period)]:
            row.period = period
    if not firms:
        return []
    open_counts = (
        visible_cases(user)
        .filter(enterprise_id__in=firms, status__in=OPEN_STATUSES)
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .values_list("enterprise_id", "n")
    )
    for firm_id, n in open_counts:
        firms[firm_id].open_demands = n
    last = (
        EnterpriseVisit.objects.filter(enterprise_id__in=firms, visitors=user.person_id)
        .values("enterprise_id")
        .annotate(last=Max("visited_on"))
        .values_list("enterprise_id", "last")
    )
    for firm_id, day in last:
        row = firms[firm_id]
        row.last_visit = day
        row.next_due = add_months(day, PERIOD_MONTHS[Period(row.period)])
    tasks: dict[int, list[BriefingTask]] = defaultdict(list)
    pending = BriefingTask.objects.filter(
        cadre_id=user.person_id, status=BriefingStatus.PENDING, enterprise_id__in=firms
    ).select_related("policy")
    for task in pending.order_by("due_on", "pk"):
        tasks[task.enterprise_id].append(task)
    for firm_id, found in tasks.items():
        firms[firm_id].briefings = found
    return list(firms.values())
