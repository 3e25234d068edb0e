"""拆分 through the API: the parts as a JSON list, their errors named and in both languages."""

from __future__ import annotations

from api.tests.helpers import assert_error, case_url
from cases.models import Case


def split(client, case: Case, parts):
    return client.post(
        case_url(case.pk, "split"), {"version": case.version, "parts": parts}, format="json"
    )


def test_the_parts_become_linked_cases(world, client_for):
    case = world.report(title="两件事")
    category = world.category()
    response = split(
        client_for(world.dispatcher),
        case,
        [
            {"title": "路灯不亮", "description": "主路路灯不亮。"},
            {"title": "垃圾未清运", "description": "村口垃圾未清运。", "category": category.pk},
            {"title": "路面破损", "description": "村道路面破损。", "category": None},
        ],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "路灯不亮"
    parts = list(Case.objects.filter(split_from=case).order_by("pk"))
    assert [(p.title, p.category_id) for p in parts] == [
        ("垃圾未清运", category.pk),
        ("路面破损", None),
    ]
    event = response.json()["events"][-1]
    assert event["kind"] == "split" and event["kind_label"] == "拆分"


def test_parts_of_the_wrong_shape_are_a_400(world, client_for):
    client = client_for(world.dispatcher)
    case = world.report()
    assert_error(split(client, case, "路灯；垃圾"), 400, "invalid_type", field="parts")
    assert_error(split(client, case, ["路灯", "垃圾"]), 400, "invalid_type", field="parts")
    body = assert_error(
        split(client, case, [{"title": 1, "description": "x"}, {"title": "b", "description": "y"}]),
        400,
        "invalid",
        field="parts",
    )
    assert body["errors"][0]["message"].startswith("第 1 项")
    assert not Case.objects.filter(split_from=case).exists()


def test_each_part_needs_a_title_and_a_text_and_there_are_two_to_ten(world, client_for):
    client = client_for(world.dispatcher)
    case = world.report()
    body = assert_error(
        split(client, case, [{"title": "甲", "description": "x"}, {"title": "乙"}]),
        400,
        "required",
        field="parts",
    )
    assert body["errors"][0]["message"] == "第 2 项：请填写诉求内容。"
    assert_error(split(client, case, [{"title": "甲", "description": "x"}]), 400, "too_few")
    many = [{"title": f"第{i}件", "description": "x"} for i in range(11)]
    assert_error(split(client, case, many), 400, "too_many", field="parts")
    other_type = world.category("dispute").pk
    body = assert_error(
        split(
            client,
            case,
            [{"title": "甲", "description": "x"}, {"title": "乙", "description": "y",
                                                  "category": other_type}],
        ),
        400,
        "invalid",
        field="parts",
    )  # fmt: skip
    assert "分类不存在或不属于该事项类型" in body["errors"][0]["message"]
    assert not Case.objects.filter(split_from=case).exists()


def test_a_handler_may_not_split(world, client_for):
    case = world.report()
    response = split(client_for(world.handler), case, [])
    assert response.status_code == 404  # the unit does not see a case not yet assigned
    assigned = world.assigned()
    response = split(client_for(world.handler), assigned, [])
    assert_error(response, 409, "invalid_transition")
