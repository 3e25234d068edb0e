from django.http import HttpRequest

from web.nav import nav_for


def navigation(request: HttpRequest) -> dict:
    user = request.user
    return {"nav_items": nav_for(user) if user.is_authenticated else []}
