"""The case page: who may see it, what is masked, the place in the tree, the timeline, the
actions on offer, and a constant number of queries however long the timeline grows."""

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Satisfaction, Status
from people.models import Person, RegionDuty, RegionResponsibility
from web.time_left import WorkClock


def page(case) -> str:
    return reverse("caseviews:case-detail", args=[case.pk])


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(page(world.report()))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_a_case_outside_the_users_scope_is_not_found(world, client):
    case = world.report()
    for user in (world.outsider, world.other_grid_worker, world.other_handler):
        client.force_login(user)
        assert client.get(page(case)).status_code == 404


def test_the_page_shows_the_cases_facts(world, client):
    case = world.report(
        "enterprise_demand",
        enterprise=world.enterprise,
        committee=world.chain_committee,
        address="城东工业园3号",
    )
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    for text in (
        case.number,
        "路灯不亮",
        "企业诉求",
        "网格上报",
        "城东工业园3号",
        world.enterprise.name,
        world.chain_committee.name,
        "一般",
    ):
        assert text in body
    assert case.case_type.label(Status.REPORTED) in body


def test_a_co_unit_handler_sees_the_requester_masked_and_the_dispatcher_unmasked(world, client):
    case = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
    )
    client.force_login(world.other_handler)
    body = client.get(page(case)).content.decode()
    assert "139****5678" in body and "13912345678" not in body and "张*" in body
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    assert "13912345678" in body and "张三" in body
    client.force_login(world.handler)  # the lead unit must call the requester
    assert "13912345678" in client.get(page(case)).content.decode()


def test_the_place_is_shown_as_its_chain_with_the_responsible_people(world, client):
    secretary = Person.objects.create(name="王书记")
    RegionResponsibility.objects.create(
        region=world.village, person=secretary, duty=RegionDuty.SECRETARY
    )
    worker = Person.objects.create(name="李网格")
    RegionResponsibility.objects.create(
        region=world.grid, person=worker, duty=RegionDuty.GRID_WORKER
    )
    client.force_login(world.dispatcher)
    response = client.get(page(world.report()))
    places = response.context["places"]
    assert [p["region"].name for p in places] == ["德化县", "浔中镇", "浔中村", "第一网格"]
    body = response.content.decode()
    assert "书记：王书记" in body and "网格员：李网格" in body
    assert f"{reverse('registry:region-tree')}?at={world.village.pk}" in body


def test_the_page_shows_the_deadline_time_left_lead_and_co_units(world, client):
    case = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
    )
    client.force_login(world.grid_worker)
    response = client.get(page(case))
    body = response.content.decode()
    assert "剩余" in body and world.dept.name in body and world.other_dept.name in body
    assert response.context["lead"].unit == world.dept


def test_an_overdue_case_says_how_long_it_is_overdue(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    with time_machine.travel(case.deadline + timedelta(days=2, hours=3), tick=False):
        body = client.get(page(case)).content.decode()
        expected = WorkClock().time_left(case.deadline).text
    # Counted in working time, as on the workbenches: two calendar days later is at most two
    # working days (fewer across a weekend), never "2天3小时".
    assert expected.startswith("已超期") and expected in body and "2天3小时" not in body


def test_the_timeline_shows_every_event_with_states_in_the_types_words_and_readable_data(
    world, client
):
    case = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher, category=world.category()),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
        note="请尽快处理",
    )
    case = services.accept_case(case, actor=world.handler)
    case = services.answer_case(case, actor=world.handler, answer="已修复。")
    case = services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
    )
    client.force_login(world.dispatcher)
    response = client.get(page(case))
    entries = response.context["timeline"]
    assert [e.event.kind for e in entries] == [
        "reported",
        "triaged",
        "assigned",
        "accepted",
        "answered",
        "visited",
    ]
    labels = case.case_type.step_labels
    assigned = entries[2]
    assert (assigned.from_label, assigned.to_label) == (labels["triaged"], labels["assigned"])
    facts = dict(assigned.facts)
    assert facts["主办单位"] == str(world.dept) and facts["协办单位"] == str(world.other_dept)
    assert facts["办理期限"].startswith(f"{case.deadline.astimezone().year}-")
    assert dict(entries[1].facts)["分类"] == world.category().name
    assert dict(entries[5].facts)["满意度"] == "基本满意"
    body = response.content.decode()
    assert "请尽快处理" in body and "dispatcher" in body and "handler" in body


def test_photos_are_shown_as_thumbnails_and_other_files_as_links(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = world.report(
        attachments=[
            (
                "现场.jpg",
                SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
            ),
            (
                "说明.pdf",
                SimpleUploadedFile("说明.pdf", b"%PDF-1.4", content_type="application/pdf"),
            ),
        ]
    )
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    photo, scan = case.attachments.order_by("pk")
    photo_url = reverse("caseviews:case-attachment", args=[case.pk, photo.pk])
    scan_url = reverse("caseviews:case-attachment", args=[case.pk, scan.pk])
    assert f'<img src="{photo_url}"' in body and 'alt="现场.jpg"' in body
    assert f'<a href="{scan_url}">说明.pdf</a>' in body


def test_only_the_moves_this_viewer_may_make_now_are_offered(world, client):
    reported = world.report()
    assigned = world.assigned()
    client.force_login(world.dispatcher)
    offered = [a["kind"] for a in client.get(page(reported)).context["actions"]]
    assert set(offered) == {
        "triaged",
        "resolved_on_spot",
        "rejected",
        "info_requested",
        "merged",
        "split",
    }
    offered = [a["kind"] for a in client.get(page(assigned)).context["actions"]]
    assert offered == [
        "reassigned",
        "recalled",
        "clock_paused",
        "info_requested",
        "supervised",
        "urged",
    ]
    client.force_login(world.handler)
    offered = {a["kind"] for a in client.get(page(assigned)).context["actions"]}
    assert offered == {
        "accepted",
        "progress_noted",
        "contacted",
        "extension_requested",
        "sent_back",
        "info_requested",
    }
    client.force_login(world.leader)  # reads everything, supervises and urges, nothing else
    assert [a["kind"] for a in client.get(page(reported)).context["actions"]] == []


def test_irreversible_moves_are_links_to_a_confirmation_page(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    assert f'href="{reverse("caseviews:case-move", args=[case.pk, "rejected"])}"' in body
    assert f'action="{reverse("caseviews:case-move", args=[case.pk, "triaged"])}"' in body
    assert f'action="{reverse("caseviews:case-move", args=[case.pk, "rejected"])}"' not in body


def test_every_move_form_carries_the_version_it_was_rendered_with(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    assert f'name="version" value="{case.version}"' in body


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_the_same_queries_with_3_and_30_events(world, client):
    case = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher, category=world.category()),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
    )
    viewers = (world.dispatcher, world.handler, world.other_handler, world.admin)
    few = {}
    for user in viewers:
        client.force_login(user)
        client.get(page(case))
        few[user.username] = _queries(client, page(case))
    for i in range(27):  # progress notes keep the case assigned: only the timeline grows
        case = services.add_progress_note(case, actor=world.handler, note=f"进展{i}")
    assert case.events.count() == 30 and case.status == Status.ASSIGNED
    for user in viewers:
        client.force_login(user)
        client.get(page(case))
        assert _queries(client, page(case)) == few[user.username], user.username


def test_the_case_page_carries_the_domain_sections_of_its_type(world, client):
    """A dispute shows its parties (纠纷当事人), an IP infringement its facts (侵权事实), and a
    case naming a household links to it; a plain case shows none of them."""
    from people.models import Household

    client.force_login(world.dispatcher)
    dispute = world.report(type_code="dispute")
    body = client.get(page(dispute)).content.decode()
    assert 'id="dispute-parties"' in body and 'id="ip-facts"' not in body
    infringement = world.report(type_code="ip_infringement")
    body = client.get(page(infringement)).content.decode()
    assert 'id="ip-facts"' in body
    household = Household.objects.create(head_name="王建国", region=world.grid)
    named = services.report_case(
        actor=world.grid_worker,
        case_type=world.category().case_type,
        region=world.grid,
        title="低保复核",
        description="户主住院，申请复核。",
        household=household,
    )
    body = client.get(page(named)).content.decode()
    assert reverse("households:household-detail", args=[household.pk]) in body
    plain = client.get(page(world.report())).content.decode()
    assert "dispute-parties" not in plain and "ip-facts" not in plain
