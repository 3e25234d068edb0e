"""What the pages show of the moves added with the catalogue: a reopened case is 重办 in its
unit's lists, and the requester of a merged duplicate is called back with the master."""

from __future__ import annotations

from django.urls import reverse

from cases import services


def test_a_reopened_case_shows_as_rework_in_the_units_list(world, client):
    case = world.verified(passed=False)
    case = services.reopen_case(case, actor=world.dispatcher, reason="群众反映路灯仍不亮")
    other = services.accept_case(world.assigned(title="另一件"), actor=world.handler)
    client.force_login(world.handler)
    body = client.get(reverse("department:in-progress")).content.decode()
    row = body[body.index(f'href="{reverse("department:case", args=[case.pk])}"') :]
    assert row.index("重办") < row.index("</tr>")
    other_row = body[body.index(f'href="{reverse("department:case", args=[other.pk])}"') :]
    assert "重办" not in other_row[: other_row.index("</tr>")]


def test_the_return_visit_reaches_the_requester_of_a_merged_duplicate(world, client):
    master = world.report()
    duplicate = world.report(requester_name="李四", requester_phone="13812345678")
    services.merge_case(duplicate, actor=world.dispatcher, master=master, note="同一路段")
    master.refresh_from_db()  # the merge wrote on the master: its version moved
    master = services.triage_case(master, actor=world.dispatcher, category=world.category())
    master = services.assign_case(master, actor=world.dispatcher, lead_unit=world.dept)
    master = services.accept_case(master, actor=world.handler)
    services.answer_case(master, actor=world.handler, answer="已修复。")
    client.force_login(world.grid_worker)
    listed = client.get(reverse("grid:visit-list")).content.decode()
    assert "李四" in listed and "tel:13812345678" in listed and duplicate.number in listed
    page = client.get(reverse("caseviews:case-detail", args=[master.pk])).content.decode()
    assert "李四 13812345678" in page
    client.force_login(world.leader)  # may see the case, must not see the phone
    page = client.get(reverse("caseviews:case-detail", args=[master.pk])).content.decode()
    assert "13812345678" not in page and "138****5678" in page
