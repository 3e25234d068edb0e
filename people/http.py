"""The request type of the pages behind ``@login_required``: their user is signed in.

``HttpRequest.user`` is ``User | AnonymousUser``; a view that only runs for a signed-in user
annotates its request with ``AuthenticatedHttpRequest`` (django-stubs' recommendation) instead
of narrowing the user in every view.
"""

from django.http import HttpRequest

from people.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
