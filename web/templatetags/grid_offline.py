"""``{% offline_banner %}``: the banner of the grid pages' outbox, with its scripts."""

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("web/grid/_offline.html", takes_context=True)
def offline_banner(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    return {
        "user_id": user.pk if user is not None and user.is_authenticated else "",
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "worker": reverse("web:service-worker"),
        "home": reverse("grid:home"),
    }
