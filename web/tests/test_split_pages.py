"""拆分 and 撤销合并 on the case page: the parts' rows, errors beside them, the links between the
cases of a split (as far as the viewer may see them), and the timeline's facts."""

from __future__ import annotations

from django.urls import reverse

from cases import services
from cases.models import Case, Status


def page(case: Case) -> str:
    return reverse("caseviews:case-detail", args=[case.pk])


def move(case: Case, kind: str) -> str:
    return reverse("caseviews:case-move", args=[case.pk, kind])


def test_the_case_page_offers_the_split_with_the_first_part_filled_in(world, client):
    case = world.report(title="来电反映两件事", description="路灯不亮，另外垃圾未清运。")
    client.force_login(world.dispatcher)
    response = client.get(page(case))
    assert "split" in [a["kind"] for a in response.context["actions"]]
    body = response.content.decode()
    assert 'name="parts-0-title"' in body and 'value="来电反映两件事"' in body
    assert 'name="parts-1-title"' in body and 'name="parts-9-title"' in body
    assert "增加一项" in body and "（留在本事项）" in body
    assert f'<option value="{world.category().pk}"' in body


def test_an_incomplete_part_is_an_error_and_the_rows_come_back(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.post(
        move(case, "split"),
        {
            "version": case.version,
            "parts-0-title": "路灯不亮",
            "parts-0-description": "主路路灯不亮。",
            "parts-1-title": "",
            "parts-1-description": "",
            "parts-2-title": "垃圾未清运",
            "parts-2-description": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parts"] == ["第 3 项：请填写诉求内容。"]
    body = response.content.decode()
    assert 'value="垃圾未清运"' in body
    assert '<details class="split-more" open>' in body  # the third row is shown, not folded
    assert not Case.objects.filter(split_from=case).exists()


def test_after_a_split_each_case_links_to_the_others(world, client):
    case = world.report(title="两件事")
    services.split_case(
        case,
        actor=world.dispatcher,
        parts=[
            {"title": "路灯不亮", "description": "主路路灯不亮。", "category": None},
            {"title": "垃圾未清运", "description": "村口垃圾未清运。", "category": None},
            {"title": "路面破损", "description": "村道路面破损。", "category": None},
        ],
    )
    first, second = Case.objects.filter(split_from=case).order_by("pk")
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    links = body[body.index('id="split-cases"') :]
    assert f'href="{page(first)}">{first.number}</a>' in links
    assert f'href="{page(second)}">{second.number}</a>' in links
    assert "已拆分为" in body and "原标题" in body and "两件事" in body
    body = client.get(page(first)).content.decode()
    assert f'<dd id="split-from"><a href="{page(case)}">{case.number}</a> 路灯不亮</dd>' in body
    assert f"拆分自：{case.number}" in body  # the reported event's fact


def test_a_unit_handling_one_part_does_not_see_the_others(world, client):
    case = world.report(title="两件事")
    services.split_case(
        case,
        actor=world.dispatcher,
        parts=[
            {"title": "路灯不亮", "description": "主路路灯不亮。", "category": None},
            {"title": "垃圾未清运", "description": "村口垃圾未清运。", "category": None},
        ],
    )
    part = Case.objects.get(split_from=case)
    part = services.triage_case(part, actor=world.dispatcher)
    services.assign_case(part, actor=world.dispatcher, lead_unit=world.dept)
    client.force_login(world.handler)
    response = client.get(page(part))
    assert response.status_code == 200
    assert response.context["split_from"] is None
    assert case.number not in response.content.decode().split('id="timeline"')[0]


def test_unmerging_from_the_case_page(world, client):
    duplicate = world.in_status(Status.MERGED)
    master = duplicate.merged_into
    client.force_login(world.dispatcher)
    assert "unmerged" in [a["kind"] for a in client.get(page(duplicate)).context["actions"]]
    response = client.post(
        move(duplicate, "unmerged"), {"version": duplicate.version, "reason": "误合并"}
    )
    assert response.status_code == 302
    body = client.get(page(duplicate)).content.decode()
    assert "撤销合并自" in body and master.number in body and "已并入" not in body
    body = client.get(page(master)).content.decode()
    assert "移出重复事项" in body and "合并的重复件" not in body
