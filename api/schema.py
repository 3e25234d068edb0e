"""The OpenAPI schema's shared parts: every operation documents its error responses, all in the
one error shape of ``api.errors``."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a field, parameter or header (`errors[].field`) is wrong.",
    "401": "No credentials, or an invalid or revoked API key.",
    "403": "Signed in, but the role or scope does not allow this.",
    "404": "No such object, or not in the caller's scope.",
    "409": "Conflict: the case changed since it was read (`stale`), the move is not allowed "
    "now (`invalid_transition`), an Idempotency-Key was reused with another body, or a "
    "simultaneous request made the same unique row (`conflict`).",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "409", "415"]
        elif self._is_list_view() or any(
            getattr(p, "location", "query") == "query" for p in self.get_override_parameters()
        ):
            codes.append("400")
        return sorted(codes)

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


def any_of_move_results(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A move answers the whole case or, to ``Prefer: return=minimal``, its minimal form; the
    whole case has every field of the minimal one, so the two are ``anyOf``, not ``oneOf``
    (which a validator would refuse as matching both)."""
    move_result = result.get("components", {}).get("schemas", {}).get("MoveResult")
    if move_result is not None and "oneOf" in move_result:
        move_result["anyOf"] = move_result.pop("oneOf")
    return result
