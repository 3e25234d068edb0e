"""Sign-in landing: the home page of each role, with the counts that start its day."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.models import HANDLING_STATUSES, Status, due_for_visit_q, overdue_q
from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest
from people.models import OPERATORS, Role


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One aggregate query over the cases the user may see, whatever their role."""
    user = request.user
    held = {a.role for a in user.role_assignments}
    if user.is_requester_only:
        return redirect("mine:list")  # residents and enterprise liaisons: 我的诉求
    if held and held <= OPERATORS and not user.is_admin:
        return redirect("desk:desk")  # the hotline / walk-in desk: straight to 登记诉求
    now = timezone.now()
    counts = visible_cases(user).aggregate(
        to_triage=Count("pk", filter=Q(status__in=[Status.REPORTED, Status.TRIAGED])),
        in_handling=Count("pk", filter=Q(status__in=HANDLING_STATUSES)),
        overdue=Count("pk", filter=overdue_q(now)),
        to_visit=Count("pk", filter=due_for_visit_q(now)),
        to_close=Count("pk", filter=Q(status=Status.VERIFIED)),
        extensions=Count("pk", filter=Q(pending_extension_until__isnull=False)),
        mine=Count("pk", filter=Q(reported_by=user)),
    )
    roles = list(user.role_assignments)
    return render(
        request,
        "web/home.html",
        {"counts": counts, "roles": roles, "Role": Role, "held": {a.role for a in roles}},
    )


def under_construction(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "web/under_construction.html", status=200)
