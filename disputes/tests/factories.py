"""Builders for the dispute tests: a dispute case reported in the world's grid, valid parties,
and small files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from cases.tests.world import World
from disputes.models import PartyRole
from people.validators import id_check_digit

PDF_BYTES = b"%PDF-1.7\n" + b"0" * 64
HTML_BYTES = b"<html><script>alert(1)</script></html>"


def valid_id(first17: str = "35052619800101123") -> str:
    return first17 + id_check_digit(first17)


def dispute_case(world: World, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "title": "邻里宅基地纠纷",
        "description": "两户因宅基地边界发生争执，请求调解。",
    }
    fields.update(overrides)
    return world.report("dispute", **fields)


def parties(**overrides: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "role": PartyRole.APPLICANT,
            "name": "张三",
            "phone": "13912345678",
            "id_number": valid_id(),
            "address": "德化县浔中镇浔中村12号",
        },
        {"role": PartyRole.RESPONDENT, "name": "李四", "phone": "13800001111"},
    ]
    rows[0].update(overrides)
    return rows


def pdf(name: str = "调解协议.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def html(name: str = "调解协议.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, HTML_BYTES, content_type="application/pdf")
