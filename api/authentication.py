"""How systems and pages sign in to the API.

Systems send an API key (``manage.py create_api_key NAME``) as ``Authorization: Token <key>``
or ``Authorization: Bearer <key>``; the key acts as its service account
(``people.apikeys.user_for_key``). The product's own pages use their session, with CSRF
enforced by DRF's ``SessionAuthentication``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from people.apikeys import user_for_key
from people.models import User

KEYWORDS = (b"token", b"bearer")


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` or ``Bearer <key>``; a wrong or revoked key is a 401."""

    def authenticate(self, request: Any) -> tuple[User, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization 头格式应为“Token <密钥>”或“Bearer <密钥>”。")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        user = user_for_key(raw) if raw.isprintable() else None
        if user is None:
            raise exceptions.AuthenticationFailed(_("接口密钥无效或已吊销。"))
        return user, raw

    def authenticate_header(self, request: Any) -> str:
        # Naming a scheme makes DRF answer 401 (not 403) to a request without credentials.
        return 'Token realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`; get a key with "
            "`manage.py create_api_key NAME`.",
        }
