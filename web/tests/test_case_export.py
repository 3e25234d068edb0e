"""The case list's Excel export: the ledgers exporter's columns, the list's filters, the user's scope."""

from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ledgers.exporters import CASE_LEDGER_COLUMNS

URL = reverse("caseviews:case-export")


def rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_export_holds_the_filtered_cases_with_the_ledger_columns_and_masked_phones(
    world, client
):
    dispute = world.report("dispute", title="土地纠纷")
    world.report(title="路灯不亮")
    client.force_login(world.dispatcher)
    header, *data = rows(client.get(f"{URL}?type=dispute"))
    assert list(header) == [title for title, _width in CASE_LEDGER_COLUMNS]
    assert [row[0] for row in data] == [dispute.number]
    row = dict(zip(header, data[0], strict=True))
    assert row["标题"] == "土地纠纷" and row["类型"] == "矛盾纠纷"
    assert row["电话"] == "139****5678" and row["诉求人"] == "张*"
    assert row["状态"] == dispute.case_type.label("reported")


def test_the_export_obeys_scope(world, client):
    mine = world.report()
    world.report(region=world.other_grid)
    client.force_login(world.grid_worker)
    assert [row[0] for row in rows(client.get(URL))[1:]] == [mine.number]
    client.force_login(world.outsider)
    assert rows(client.get(URL))[1:] == []


def test_the_export_keeps_the_lists_order(world, client):
    first, second = world.report(), world.report()
    client.force_login(world.dispatcher)
    numbers = [row[0] for row in rows(client.get(f"{URL}?sort=number"))[1:]]
    assert numbers == [first.number, second.number]
    numbers = [row[0] for row in rows(client.get(f"{URL}?sort=-number"))[1:]]
    assert numbers == [second.number, first.number]


def test_an_invalid_filter_goes_back_to_the_list_with_a_message(world, client):
    client.force_login(world.dispatcher)
    response = client.get(f"{URL}?month=2024-13", follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('caseviews:case-list')}?month=2024-13"
    body = response.content.decode()
    assert "筛选条件有误" in body and "格式错误" in body


def test_the_list_links_its_export_with_the_same_filters(world, client):
    client.force_login(world.dispatcher)
    body = client.get(f"{reverse('caseviews:case-list')}?type=dispute&overdue=1").content.decode()
    assert f"{URL}?type=dispute&amp;overdue=1" in body


def test_the_export_costs_the_same_queries_for_3_and_30_cases(world, client):
    for _ in range(3):
        world.report()
    client.force_login(world.dispatcher)
    with CaptureQueriesContext(connection) as few:
        rows(client.get(URL))
    for _ in range(27):
        world.report()
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(URL))) == 31
    assert len(few.captured_queries) == len(many.captured_queries)
