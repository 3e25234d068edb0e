"""Sign-in landing: the home page of each role, with the counts that start its day."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.models import HANDLING_STATUSES, Case, Status, due_for_visit_q, overdue_q
from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest
from people.models import OPERATORS, Role
from stats import metrics

# The states of every count but 我登记的, read through the status index (a million cases are
# mostly closed): a pending extension too, which the engine sets only in handling and clears
# when the case leaves it (answered, sent back, withdrawn or reassigned).
COUNTED_STATES = (
    Status.REPORTED,
    Status.TRIAGED,
    *HANDLING_STATUSES,
    Status.ANSWERED,
    Status.VERIFIED,
)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Two counting queries over the cases the user may see, whatever their role: one over the
    cases in the states the counts ask for, one over those the user reported."""
    user = request.user
    held = {a.role for a in user.role_assignments}
    if user.is_requester_only:
        return redirect("mine:list")  # residents and enterprise liaisons: 我的诉求
    if held and held <= OPERATORS and not user.is_admin:
        return redirect("desk:desk")  # the hotline / walk-in desk: straight to 登记诉求
    now = timezone.now()
    visible = visible_cases(user)
    counts = metrics.through_index(visible, Q(status__in=COUNTED_STATES)).aggregate(
        to_triage=Count("pk", filter=Q(status__in=[Status.REPORTED, Status.TRIAGED])),
        in_handling=Count("pk", filter=Q(status__in=HANDLING_STATUSES)),
        overdue=Count("pk", filter=overdue_q(now)),
        to_visit=Count("pk", filter=due_for_visit_q(now)),
        to_close=Count("pk", filter=Q(status=Status.VERIFIED)),
        extensions=Count("pk", filter=Q(pending_extension_until__isnull=False)),
    )
    # Whoever reported a case may see it (``visible_cases_q``): the reporter index alone.
    counts["mine"] = Case.objects.filter(reported_by=user).count()
    roles = list(user.role_assignments)
    return render(
        request,
        "web/home.html",
        {"counts": counts, "roles": roles, "Role": Role, "held": {a.role for a in roles}},
    )


def under_construction(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return render(request, "web/under_construction.html", status=200)
