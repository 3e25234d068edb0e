"""``{% dispute_parties case as d %}``: what the case page's dispute partial
(``web/disputes/_case_parties.html``) shows, so the lead's case view passes nothing but the
case."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Case
from disputes.models import PartyRole
from disputes.scope import is_dispute_case, may_write
from disputes.selectors import agreements_for, parties_for

register = template.Library()

# Empty rows the writer's form offers beyond the parties already recorded.
EXTRA_ROWS = 2


@register.simple_tag(takes_context=True)
def dispute_parties(context: template.Context, case: Case) -> dict[str, Any]:
    """The parties (masked as requesters are), the agreements, whether the user may write and
    the form's rows; nothing at all for a case whose type needs no mediation."""
    if not is_dispute_case(case):
        return {"shown": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shown": False}
    writable = may_write(user, case)
    parties = parties_for(user, case)
    rows: list[dict[str, Any]] = []
    if writable:
        # Every writer sees the requester (disputes.scope), so these contacts are unmasked.
        rows = [
            {
                "role": p.role,
                "name": p.name,
                "phone": p.phone,
                "id_number": p.id_number,
                "address": p.address,
            }
            for p in parties
        ]
        if not rows:
            rows = [{"role": PartyRole.APPLICANT}, {"role": PartyRole.RESPONDENT}]
        rows += [{"role": ""} for _ in range(EXTRA_ROWS)]
    return {
        "shown": True,
        "parties": parties,
        "agreements": agreements_for(case),
        "writable": writable,
        "roles": PartyRole.choices,
        "rows": rows,
    }
