"""Related fields that refuse what no database key can be before the lookup: an id outside
1…2**63-1 (PostgreSQL raises on a bigint out of range, a 500) or a code holding NUL (which
PostgreSQL cannot take in a query). Both come back as the field's own 400."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.filters import MAX_ID


class IdField(serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` over an integer id in the database's range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """``SlugRelatedField`` over a code without NUL characters."""

    default_error_messages = {"invalid_code": "Invalid code."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
