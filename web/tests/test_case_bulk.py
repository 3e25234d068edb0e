"""The case list's bulk moves: the bar on the list, the confirmation with the move's own form,
one event per case, per-case outcomes (a refusal never stops the others), scope, the 500 cap,
and a second click that moves nothing twice."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from cases import bulk, services
from cases.models import Case, CaseEvent, EventKind, Status
from cases.tests.world import make_user
from people.models import Role

K = EventKind
LIST = reverse("caseviews:case-list")
BULK = reverse("caseviews:case-bulk")
RESULT = reverse("caseviews:case-bulk-result")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def choose(client, kind: str, ids: list[int] | None = None, **extra):
    """Step 1, from the list: the selection and the move (nothing moves yet)."""
    data = {"action": kind, "query": extra.pop("query", ""), **extra}
    if ids is not None:
        data["ids"] = [str(pk) for pk in ids]
    return client.post(BULK, data)


def confirm(client, kind: str, ids: list[int], arguments: dict, token: str | None = None):
    """Step 2: the move's input, with the token of the page just drawn."""
    if token is None:
        token = choose(client, kind, ids).context["token"]
    data = {"action": kind, "ids": [str(pk) for pk in ids], "confirm": "1", "token": token}
    return client.post(BULK, {**data, **arguments})


def events(case: Case, kind: str) -> int:
    return CaseEvent.objects.filter(case_id=case.pk, kind=kind).count()


def test_the_list_offers_the_bulk_bar_to_those_who_may_use_it(world, client):
    world.assigned()
    client.force_login(world.dispatcher)
    response = client.get(LIST)
    kinds = [kind for kind, _label in response.context["bulk_moves"]]
    assert kinds == ["assigned", "supervised", "urged", "extension_approved", "closed"]
    body = response.content.decode()
    assert 'id="bulk-form"' in body and 'name="ids"' in body and "回访后销号" in body
    client.force_login(world.leader)
    assert [k for k, _ in client.get(LIST).context["bulk_moves"]] == ["supervised", "urged"]
    client.force_login(world.handler)
    response = client.get(LIST)
    assert response.context["bulk_moves"] == []
    assert 'id="bulk-form"' not in response.content.decode()


def test_supervising_in_bulk_moves_each_case_by_itself_and_reports_each(world, client):
    first, second = world.assigned(title="甲路灯"), world.assigned(title="乙路灯")
    reported = world.report(title="未交办的事")
    client.force_login(world.dispatcher)
    page = choose(client, K.SUPERVISED, [first.pk, reported.pk, second.pk])
    assert page.status_code == 200 and page.context["ready"] == 2
    body = page.content.decode()
    assert "督办意见" in body and "不能执行该操作" in body and 'name="version"' not in body
    assert events(first, K.SUPERVISED) == 0  # choosing moves nothing

    response = confirm(
        client, K.SUPERVISED, [first.pk, reported.pk, second.pk], {"note": "请本周内办结"}
    )
    assert response.status_code == 302 and response["Location"] == RESULT
    result = client.get(RESULT)
    rows = result.context["rows"]
    assert [(r["number"], r["ok"]) for r in rows] == [
        (first.number, True),
        (reported.number, False),
        (second.number, True),
    ]
    assert rows[0]["message"] == "成功" and "不能执行该操作" in rows[1]["message"]
    assert (result.context["succeeded"], result.context["failed"]) == (2, 1)
    for case in (first, second):
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.kind, event.reason, event.actor, event.via) == (
            K.SUPERVISED,
            "请本周内办结",
            world.dispatcher,
            "web",
        )
        assert Case.objects.get(pk=case.pk).supervision_level == 1
    assert events(reported, K.SUPERVISED) == 0
    text = result.content.decode()
    assert "成功 2 件" in text and "未执行 1 件" in text and first.number in text


def test_a_bulk_move_acts_on_the_current_version(world, client):
    """The user chose the cases, not their versions: a case moved since the list was drawn is
    moved as it is now, if the move is still allowed."""
    case = world.assigned()
    client.force_login(world.dispatcher)
    token = choose(client, K.URGED, [case.pk]).context["token"]
    services.add_progress_note(case, actor=world.handler, note="已到现场")  # a newer version
    confirm(client, K.URGED, [case.pk], {"note": ""}, token=token)
    assert events(case, K.URGED) == 1


def test_assigning_in_bulk_uses_the_assign_form(world, client):
    cases = [services.triage_case(world.report(), actor=world.dispatcher) for _ in range(2)]
    ids = [c.pk for c in cases]
    client.force_login(world.dispatcher)
    page = choose(client, K.ASSIGNED, ids)
    assert "lead_unit" in page.context["form"].fields
    missing = confirm(client, K.ASSIGNED, ids, {"note": "请办理"})
    assert missing.status_code == 200 and "lead_unit" in missing.context["form"].errors
    assert not CaseEvent.objects.filter(case_id__in=ids, kind=K.ASSIGNED).exists()
    confirm(client, K.ASSIGNED, ids, {"lead_unit": world.dept.pk, "note": "请办理"})
    for case in Case.objects.filter(pk__in=ids):
        assert (case.status, case.lead_unit) == (Status.ASSIGNED, world.dept)


def test_closing_in_bulk_closes_only_cases_whose_visit_passed(world, client):
    passed, failed = world.verified(), world.verified(passed=False)
    client.force_login(world.dispatcher)
    confirm(client, K.CLOSED, [passed.pk, failed.pk], {"note": ""})
    rows = client.get(RESULT).context["rows"]
    assert [r["ok"] for r in rows] == [True, False]
    assert "回访未通过" in rows[1]["message"]
    assert Case.objects.get(pk=passed.pk).status == Status.CLOSED
    assert Case.objects.get(pk=failed.pk).status == Status.VERIFIED


def test_approving_extensions_in_bulk(world, client):
    case = world.assigned()
    case = services.request_extension(
        case, actor=world.handler, until=case.deadline.replace(year=case.deadline.year + 1),
        reason="需协调",
    )  # fmt: skip
    plain = world.assigned()
    client.force_login(world.dispatcher)
    confirm(client, K.EXTENSION_APPROVED, [case.pk, plain.pk], {"note": "同意"})
    rows = client.get(RESULT).context["rows"]
    assert [r["ok"] for r in rows] == [True, False]
    assert "没有待审批的延期申请" in rows[1]["message"]
    assert Case.objects.get(pk=case.pk).extension_count == 1


def test_a_case_of_another_grid_is_not_found_and_nothing_of_it_is_shown(world, client):
    """A town dispatcher who slips another town's case id into the form learns nothing of it."""
    town = make_user("bulk_town_dispatcher", Role.DISPATCHER, region=world.town)
    mine = world.assigned()
    theirs = world.assigned(region=world.other_grid, title="龙浔的秘密事项")
    client.force_login(town)
    page = choose(client, K.SUPERVISED, [mine.pk, theirs.pk])
    assert page.context["ids"] == [mine.pk]  # the confirmation lists only the visible one
    assert "龙浔的秘密事项" not in page.content.decode()
    confirm(client, K.SUPERVISED, [mine.pk, theirs.pk], {"note": "请加快"}, page.context["token"])
    result = client.get(RESULT)
    rows = result.context["rows"]
    assert rows[1] == {
        "id": theirs.pk,
        "found": False,
        "number": "",
        "title": "",
        "ok": False,
        "message": "不存在或无权查看",
    }
    body = result.content.decode()
    assert theirs.number not in body and "龙浔的秘密事项" not in body
    assert events(theirs, K.SUPERVISED) == 0 and events(mine, K.SUPERVISED) == 1
    missing = confirm(client, K.SUPERVISED, [999999], {"note": "x"}, choose(
        client, K.SUPERVISED, [mine.pk]).context["token"])  # fmt: skip
    assert missing.status_code == 302
    assert client.get(RESULT).context["rows"][0]["message"] == "不存在或无权查看"


def test_more_than_500_cases_are_refused_with_a_clear_message(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    ids = [case.pk, *range(10_000, 10_500)]
    response = choose(client, K.SUPERVISED, ids, query="status=assigned")
    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=assigned"
    assert "超过一次批量操作的上限 500 件" in messages_of(response)[0]
    response = confirm(client, K.SUPERVISED, ids, {"note": "x"}, token="any")
    assert "超过一次批量操作的上限" in messages_of(response)[0]
    assert events(case, K.SUPERVISED) == 0


def test_all_cases_the_filter_finds(world, client, monkeypatch):
    assigned = [world.assigned() for _ in range(3)]
    world.report()
    client.force_login(world.dispatcher)
    page = choose(client, K.URGED, query="status=assigned", all="1")
    assert sorted(page.context["ids"]) == sorted(c.pk for c in assigned)
    monkeypatch.setattr(bulk, "MAX_BULK", 2)
    response = choose(client, K.URGED, query="status=assigned", all="1")
    assert "共 3 件事项，超过一次批量操作的上限 2 件" in messages_of(response)[0]


def test_nothing_selected_or_no_move_goes_back_to_the_list(world, client):
    client.force_login(world.dispatcher)
    response = choose(client, K.SUPERVISED, [], query="q=路灯")
    assert response["Location"] == f"{LIST}?q=%E8%B7%AF%E7%81%AF"  # back to the same filter
    assert "请先勾选" in messages_of(response)[-1]
    response = choose(client, "merged", [world.report().pk])  # not a bulk move
    assert "请选择要批量执行的操作" in messages_of(response)[-1]
    response = choose(client, K.SUPERVISED, ["abc"])
    assert "所选事项有误" in messages_of(response)[-1]


def test_a_user_without_a_bulk_move_cannot_use_the_page(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    response = confirm(client, K.SUPERVISED, [case.pk], {"note": "x"}, token="t")
    assert "请选择要批量执行的操作" in messages_of(response)[0]
    assert events(case, K.SUPERVISED) == 0


def test_a_second_click_moves_nothing_twice(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    token = choose(client, K.SUPERVISED, [case.pk]).context["token"]
    confirm(client, K.SUPERVISED, [case.pk], {"note": "请加快"}, token=token)
    again = confirm(client, K.SUPERVISED, [case.pk], {"note": "请加快"}, token=token)
    assert "已经提交过" in messages_of(again)[0]
    assert events(case, K.SUPERVISED) == 1
    assert client.get(RESULT).status_code == 200  # reloading the outcome moves nothing
    assert events(case, K.SUPERVISED) == 1


def test_the_pages_need_a_signed_in_user_and_the_right_method(world, client):
    assert client.post(BULK, {})["Location"].startswith(reverse("web:login"))
    client.force_login(world.dispatcher)
    assert client.get(BULK).status_code == 405
    assert client.get(RESULT)["Location"] == LIST  # no outcome yet


def test_each_row_of_the_list_has_a_checkbox_of_the_bulk_form(world, client):
    cases = [world.assigned() for _ in range(3)]
    client.force_login(world.dispatcher)
    body = client.get(LIST).content.decode()
    for case in cases:
        assert f'name="ids" value="{case.pk}" form="bulk-form"' in body
    assert "data-select-all" in body and "全部 3 件符合条件的事项" in body


def test_an_input_refused_for_one_case_is_reported_and_the_others_still_move(world, client):
    """A validation error of one case's move (no time limit for its type: a deadline must be
    named) is that case's outcome; the other case is assigned."""
    from cases.models import TimeLimit

    plain = services.triage_case(world.report(), actor=world.dispatcher)
    dispute = services.triage_case(world.report("dispute"), actor=world.dispatcher)
    TimeLimit.objects.filter(case_type=dispute.case_type).delete()
    client.force_login(world.dispatcher)
    confirm(client, K.ASSIGNED, [dispute.pk, plain.pk], {"lead_unit": world.dept.pk})
    rows = client.get(RESULT).context["rows"]
    assert [r["ok"] for r in rows] == [False, True]
    assert rows[0]["message"] == "该类型和紧急程度没有设置办理时限，请指定办理期限。"
    assert Case.objects.get(pk=dispute.pk).status == Status.TRIAGED
    assert Case.objects.get(pk=plain.pk).status == Status.ASSIGNED
