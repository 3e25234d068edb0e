"""``{% ip_case_facts case as ip %}``: what the case page's IP partial
(``web/ip/_case_facts.html``) shows, so the lead's case view passes nothing but the case."""

from __future__ import annotations

from typing import Any

from django import template

from cases.models import Case
from ip.models import RightType
from ip.scope import is_ip_case, may_record_facts
from ip.selectors import facts_for
from orgs.models import Organisation

register = template.Library()


@register.simple_tag(takes_context=True)
def ip_case_facts(context: template.Context, case: Case) -> dict[str, Any]:
    """The case's facts, whether the user may write them and the form's choices (the firms only
    for a writer): nothing at all for a case of another type. Two queries at most."""
    if not is_ip_case(case):
        return {"shown": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    writable = user is not None and may_record_facts(user, case)
    return {
        "shown": True,
        "facts": facts_for(case),
        "writable": writable,
        "right_types": RightType.choices,
        "enterprises": (
            list(
                Organisation.objects.enterprises()
                .filter(is_active=True)
                .order_by("name")
                .values_list("pk", "name")
            )
            if writable
            else []
        ),
    }
