"""Clients of the API for the test world's users, each signed in with a real API key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from people.apikeys import create_api_key
from people.models import User


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture
def client_for(db) -> Callable[[User], APIClient]:
    """``client_for(user)``: an API client that sends ``Authorization: Token <key>`` for user."""
    made: dict[int, APIClient] = {}

    def make(user: User) -> APIClient:
        if user.pk not in made:
            _, raw = create_api_key(f"test-{user.username}", user=user)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
            made[user.pk] = client
        return made[user.pk]

    return make
