from django.http import HttpRequest

from notify.services import unread_count
from web.nav import nav_for


def navigation(request: HttpRequest) -> dict:
    user = request.user
    return {"nav_items": nav_for(user) if user.is_authenticated else []}


def unread_notifications(request: HttpRequest) -> dict:
    """The unread in-site messages for the header's badge: one count, signed-in users only."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
