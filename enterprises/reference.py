"""The honours every county records, created once (by a data migration, and by tests)."""

from __future__ import annotations

from typing import Any

HONOURS: list[tuple[str, str]] = [
    ("above_scale_industry", "规上工业企业"),
    ("little_giant", "专精特新“小巨人”"),
    ("provincial_specialised", "省级专精特新"),
    ("high_tech", "高新技术企业"),
    ("tech_sme", "科技型中小企业"),
    ("provincial_leader", "省级龙头企业"),
]


def ensure_honours(honour_model: Any = None) -> None:
    """Create the missing honours; existing ones (renamed or not) are left as they are."""
    if honour_model is None:
        from enterprises.models import Honour

        honour_model = Honour
    for ordering, (code, name) in enumerate(HONOURS, start=1):
        honour_model.objects.get_or_create(code=code, defaults={"name": name, "ordering": ordering})
