"""What pages elsewhere read of the projects: the overdue milestones a user may see (the
supervision board) and an enterprise's projects (its file). Each is one query."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from orgs.models import Organisation
from people.models import User
from projects.models import Milestone, MilestoneStatus, Project, overdue_milestones_q
from projects.scope import visible_projects

MILESTONE_ROW = (
    "project",
    "project__enterprise",
    "project__region",
    "project__commissioner",
)


def overdue_milestones(user: User, now: datetime | None = None) -> QuerySet[Milestone]:
    """Pending milestones past their deadline in the projects ``user`` may see, the longest
    overdue first, with project, firm, place and commissioner joined (one query)."""
    return (
        Milestone.objects.filter(overdue_milestones_q(now or timezone.now()))
        .filter(project__in=visible_projects(user))
        .select_related(*MILESTONE_ROW)
        .order_by("deadline", "pk")
    )


def with_progress(queryset: QuerySet[Project], now: datetime | None = None) -> QuerySet[Project]:
    """Projects with their milestone counts: ``milestones_total``, ``milestones_done``,
    ``milestones_blocked``, ``milestones_overdue``."""
    now = now or timezone.now()
    return queryset.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count(
            "milestones", filter=Q(milestones__status=MilestoneStatus.DONE), distinct=True
        ),
        milestones_blocked=Count(
            "milestones", filter=Q(milestones__status=MilestoneStatus.BLOCKED), distinct=True
        ),
        milestones_overdue=Count(
            "milestones", filter=overdue_milestones_q(now, "milestones__"), distinct=True
        ),
    )


def projects_for(enterprise: Organisation) -> QuerySet[Project]:
    """The enterprise's projects with their progress, newest signing first, for its file. Whoever
    may open the file may read them (``projects.scope``), so it takes no user."""
    return with_progress(
        Project.objects.filter(enterprise=enterprise).select_related(
            "region", "owner_unit", "commissioner"
        )
    ).order_by("-signed_on", "-pk")
