"""The household pages: scope (404 outside, 403 for readers who may not write), masking, the
forms calling the services, the workbench, the coverage and the supervision board's section."""

import uuid
from datetime import date

import pytest
import time_machine

from cases.models import Case
from cases.tests.world import make_user
from households import services
from households.models import (
    HouseholdEvent,
    HouseholdEventKind,
    HouseholdMember,
    HouseholdVisit,
    PlanReview,
)
from households.tests.helpers import build
from people.models import Household, HouseholdLink, HouseholdLinkKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def hh(world):
    return build(world)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def url(household, tail=""):
    return f"/households/{household.pk}/{tail}"


def plan(hh, started_on=date(2026, 1, 5)):
    return services.create_plan(
        hh.home,
        responsible=hh.helper.person,
        measures=[services.Measure("发展油茶种植", "年增收3000元", "镇农业服务中心")],
        started_on=started_on,
        actor=hh.world.grid_worker,
    )


class TestScope:
    def test_anonymous_goes_to_sign_in(self, hh, client):
        assert client.get(url(hh.home)).status_code == 302

    def test_outsiders_are_refused_and_other_grids_find_nothing(self, hh, client):
        client.force_login(hh.world.handler)
        assert client.get(url(hh.home)).status_code == 403
        client.force_login(hh.world.other_grid_worker)
        assert client.get(url(hh.home)).status_code == 404
        client.force_login(hh.party_member)
        assert client.get(url(hh.other_home)).status_code == 404

    def test_a_leader_reads_but_takes_no_form(self, hh, client):
        client.force_login(hh.world.leader)
        assert client.get(url(hh.home)).status_code == 200
        assert client.get(url(hh.home, "visit/")).status_code == 403


class TestHouseholdPage:
    def test_it_masks_personal_data_for_readers_without_contact(self, hh, client):
        services.add_member(
            hh.home, name="李小芳", relation="女儿", phone="13905959999", actor=hh.party_member
        )
        client.force_login(hh.world.leader)
        body = client.get(url(hh.home)).content.decode()
        assert "李**户" in body and "李**（女儿）" in body and "13905950001" not in body
        assert "139****0001" in body and "李小芳" not in body

    def test_it_shows_names_to_those_who_go_to_the_door(self, hh, client):
        client.force_login(hh.world.grid_worker)
        body = client.get(url(hh.home)).content.decode()
        assert "李春生户" in body and "13905950001" in body

    def test_it_lists_the_cases_the_viewer_may_see_with_links(self, hh, client):
        case = hh.world.report(household=hh.home)
        hidden = hh.world.report(household=hh.home, title="另一件")
        client.force_login(hh.world.leader)
        body = client.get(url(hh.home)).content.decode()
        assert f"/cases/{case.pk}/" in body and f"/cases/{hidden.pk}/" in body
        client.force_login(hh.party_member)  # sees only cases they may see: none here
        body = client.get(url(hh.home)).content.decode()
        assert f"/cases/{case.pk}/" not in body

    def test_it_costs_a_fixed_number_of_queries(self, hh, client, django_assert_num_queries):
        p = plan(hh)
        client.force_login(hh.world.grid_worker)

        def record():
            services.log_household_visit(
                hh.home,
                visited_on=date(2026, 3, 9),
                visitor=hh.world.grid_worker.person,
                findings="正常",
                actor=hh.world.grid_worker,
            )
            services.review_plan(
                p,
                reviewed_on=date(2026, 3, 9),
                reviewer=hh.helper.person,
                progress="稳定",
                actor=hh.world.grid_worker,
            )
            services.tag_household(hh.home, hh.monitored, reason="纳入", actor=hh.world.grid_worker)
            services.untag_household(
                hh.home, hh.monitored, reason="退出", actor=hh.world.grid_worker
            )

        record()
        client.get(url(hh.home))
        with django_assert_num_queries(16) as few:
            client.get(url(hh.home))
        for _ in range(3):
            record()
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url(hh.home))


class TestForms:
    def test_a_visit_with_demands_makes_cases_once(self, hh, client):
        client.force_login(hh.world.grid_worker)
        token = str(uuid.uuid4())
        data = {
            "visited_on": "2026-03-10",
            "findings": "老人腿脚不便。",
            "case_type": hh.world.types["resident_issue"].pk,
            "demands": "门前路灯不亮\n申请临时救助",
            "form_token": token,
        }
        response = client.post(url(hh.home, "visit/"), data)
        assert response.status_code == 302
        assert client.post(url(hh.home, "visit/"), data).status_code == 302
        assert HouseholdVisit.objects.count() == 1
        assert Case.objects.filter(household=hh.home).count() == 2

    def test_a_visit_shows_the_services_errors_beside_the_field(self, hh, client):
        client.force_login(hh.world.grid_worker)
        response = client.post(
            url(hh.home, "visit/"),
            {"visited_on": "2026-03-11", "findings": "x", "form_token": str(uuid.uuid4())},
        )
        assert response.status_code == 200
        assert "走访日期不能晚于今天" in response.content.decode()

    def test_a_review_records_progress_per_measure(self, hh, client):
        p = plan(hh)
        measure = p.measures.get()
        client.force_login(hh.helper)
        response = client.post(
            url(hh.home, "review/"),
            {
                "reviewed_on": "2026-03-10",
                "progress": "油茶苗已种下",
                f"measure_{measure.pk}": "in_progress",
                "form_token": str(uuid.uuid4()),
            },
        )
        assert response.status_code == 302
        review = PlanReview.objects.get()
        assert review.reviewer == hh.helper.person
        measure.refresh_from_db()
        assert measure.status == "in_progress"

    def test_a_plan_is_made_then_changed(self, hh, client):
        client.force_login(hh.world.grid_worker)
        data = {
            "responsible": hh.helper.person.pk,
            "summary": "因病",
            "review_months": 1,
            "measures": "发展油茶种植｜年增收3000元｜镇农业服务中心\n公益性岗位",
        }
        assert client.post(url(hh.home, "plan/"), data).status_code == 302
        p = hh.home.plans.get()
        assert [m.measure for m in p.measures.all()] == ["发展油茶种植", "公益性岗位"]
        data.update(measures="教育资助", version=p.version)
        assert client.post(url(hh.home, "plan/"), data).status_code == 302
        assert p.measures.count() == 3

    def test_tags_are_added_and_removed_with_reasons(self, hh, client):
        client.force_login(hh.world.grid_worker)
        form = {"tag": hh.monitored.pk, "reason": "突发困难"}
        assert client.post(url(hh.home, "tags/"), {**form, "action": "add"}).status_code == 302
        assert client.post(url(hh.home, "tags/"), {**form, "action": "remove"}).status_code == 302
        assert not hh.home.tags.exists()
        assert HouseholdEvent.objects.filter(household=hh.home).count() == 2
        body = client.get(url(hh.home)).content.decode()
        assert "突发困难" in body


class TestListsAndWorkbench:
    def test_the_list_filters_by_overdue_review(self, hh, client):
        plan(hh)  # next review 2026-02-05: overdue
        client.force_login(hh.world.dispatcher)
        rows = client.get("/households/?overdue=1").context["rows"]
        assert [r.pk for r in rows] == [hh.home.pk]
        rows = client.get(f"/households/?tag={hh.monitored.pk}").context["rows"]
        assert rows == []

    def test_the_list_costs_a_fixed_number_of_queries(self, hh, client, django_assert_num_queries):
        client.force_login(hh.world.dispatcher)
        client.get("/households/")
        with django_assert_num_queries(9) as few:
            client.get("/households/")
        for i in range(5):
            h = Household.objects.create(head_name=f"张{i}", region=hh.world.grid)
            h.tags.add(hh.monitored)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get("/households/")

    def test_the_party_members_workbench(self, hh, client, django_assert_num_queries):
        plan(hh)
        client.force_login(hh.party_member)
        response = client.get("/households/mine/")
        assert [r.pk for r in response.context["rows"]] == [hh.home.pk]
        assert response.context["not_visited"] == 1 and response.context["due"] == 1
        for i in range(4):
            h = Household.objects.create(head_name=f"王{i}", region=hh.world.grid)
            HouseholdLink.objects.create(
                person=hh.party_member.person, household=h, kind=HouseholdLinkKind.PARTY_MEMBER
            )
        with django_assert_num_queries(7):
            response = client.get("/households/mine/")
        assert len(response.context["rows"]) == 5

    def test_the_workbench_is_refused_to_outsiders(self, hh, client):
        client.force_login(hh.world.handler)
        assert client.get("/households/mine/").status_code == 403

    def test_coverage_counts_and_lists(self, hh, client):
        services.log_household_visit(
            hh.home,
            visited_on=date(2026, 3, 2),
            visitor=hh.party_member.person,
            findings="正常",
            actor=hh.party_member,
        )
        client.force_login(hh.world.grid_worker)
        cov = client.get("/households/coverage/").context["cov"]
        assert (cov.visited, cov.not_visited) == (1, 0)
        assert cov.towns[0].region == hh.world.town and cov.grids[0].region == hh.world.grid
        response = client.get(f"/households/coverage/?region={hh.world.town.pk}&state=visited")
        assert response.context["listed"]["rows"] == [hh.home]

    def test_coverage_costs_a_fixed_number_of_queries(self, hh, client, django_assert_num_queries):
        client.force_login(hh.world.dispatcher)
        client.get("/households/coverage/")
        with django_assert_num_queries(8) as few:
            client.get("/households/coverage/")
        for i in range(5):
            h = Household.objects.create(head_name=f"王{i}", region=hh.world.other_grid)
            HouseholdLink.objects.create(
                person=hh.party_member.person, household=h, kind=HouseholdLinkKind.PARTY_MEMBER
            )
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get("/households/coverage/").context["cov"].towns) == 2


class TestSupervisionBoard:
    def test_it_lists_overdue_reviews_in_scope(self, hh, client):
        p = plan(hh)
        client.force_login(hh.world.dispatcher)
        body = client.get("/dispatch/supervision/").content.decode()
        assert f'id="review-{p.pk}"' in body and "逾期帮扶复核" in body
        town = make_user("town_dispatcher", Role.DISPATCHER, region=hh.world.other_town)
        client.force_login(town)
        body = client.get("/dispatch/supervision/").content.decode()
        assert f'id="review-{p.pk}"' not in body


class TestVisitLog:
    def test_it_lists_visits_in_scope_with_fixed_queries(
        self, hh, client, django_assert_num_queries
    ):
        def visit(actor, visitor):
            return services.log_household_visit(
                hh.home,
                visited_on=date(2026, 3, 9),
                visitor=visitor,
                findings="正常",
                actor=actor,
            )

        mine = visit(hh.party_member, hh.party_member.person)
        other = visit(hh.world.grid_worker, hh.world.grid_worker.person)
        client.force_login(hh.party_member)
        body = client.get("/households/visits/?mine=1").content.decode()
        assert f'id="visit-{mine.pk}"' in body and f'id="visit-{other.pk}"' not in body
        client.force_login(hh.world.other_grid_worker)
        assert not client.get("/households/visits/").context["page"].object_list
        client.force_login(hh.world.grid_worker)
        with django_assert_num_queries(8) as few:
            client.get("/households/visits/")
        for _ in range(4):
            visit(hh.world.grid_worker, hh.world.grid_worker.person)
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get("/households/visits/").context["page"].object_list) == 6


class TestMembers:
    def member(self, hh):
        return services.add_member(
            hh.home,
            name="李小芳",
            relation="女儿",
            id_number="350526200801010022",
            phone="13905950099",
            actor=hh.world.grid_worker,
        )

    def test_a_grid_worker_adds_a_member_from_the_page(self, hh, client):
        client.force_login(hh.world.grid_worker)
        assert url(hh.home, "members/new/") in client.get(url(hh.home)).content.decode()
        response = client.post(
            url(hh.home, "members/new/"),
            {"name": "李小明", "relation": "儿子", "birth_year": "2010", "phone": "13905950123"},
        )
        assert response.status_code == 302
        assert response["Location"] == url(hh.home) + "#members"
        member = HouseholdMember.objects.get()
        assert (member.name, member.birth_year) == ("李小明", 2010)
        assert HouseholdEvent.objects.get().kind == HouseholdEventKind.MEMBER_ADDED

    def test_bad_input_shows_chinese_errors_beside_the_field(self, hh, client):
        client.force_login(hh.world.grid_worker)
        response = client.post(
            url(hh.home, "members/new/"),
            {"name": "李小明", "relation": "儿子", "id_number": "<b>x</b>", "birth_year": "abc"},
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "birth_year" in form.errors
        response = client.post(
            url(hh.home, "members/new/"),
            {"name": "李小明", "relation": "儿子", "id_number": "12345"},
        )
        assert response.context["form"].errors["id_number"] == ["身份证号格式不正确。"]
        assert not HouseholdMember.objects.exists()

    def test_a_member_is_changed_then_removed_with_a_reason(self, hh, client):
        member = self.member(hh)
        client.force_login(hh.world.grid_worker)
        edit = url(hh.home, f"members/{member.pk}/")
        assert edit in client.get(url(hh.home)).content.decode()
        page = client.get(edit).content.decode()
        assert "350526200801010022" in page
        response = client.post(
            edit, {"name": "李小芳", "relation": "长女", "id_number": "350526200801010022"}
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.relation == "长女" and member.phone == ""
        response = client.post(edit, {"action": "remove", "reason": ""})
        assert response.status_code == 200 and response.context["remove_form"].errors
        response = client.post(edit, {"action": "remove", "reason": "外嫁迁出"})
        assert response.status_code == 302 and not HouseholdMember.objects.exists()
        kinds = list(HouseholdEvent.objects.order_by("pk").values_list("kind", flat=True))
        assert kinds == [
            HouseholdEventKind.MEMBER_ADDED,
            HouseholdEventKind.MEMBER_CHANGED,
            HouseholdEventKind.MEMBER_REMOVED,
        ]

    def test_readers_who_may_not_write_see_masked_data_and_no_form(self, hh, client):
        member = self.member(hh)
        client.force_login(hh.world.leader)
        body = client.get(url(hh.home)).content.decode()
        assert "350526200801010022" not in body and "13905950099" not in body
        assert "李小芳" not in body and "李**" in body
        assert url(hh.home, f"members/{member.pk}/") not in body
        assert client.get(url(hh.home, f"members/{member.pk}/")).status_code == 403
        assert client.post(url(hh.home, "members/new/"), {"name": "x"}).status_code == 403

    def test_another_households_member_is_not_found(self, hh, client):
        member = self.member(hh)
        client.force_login(hh.world.other_grid_worker)
        assert client.get(url(hh.home, f"members/{member.pk}/")).status_code == 404
        client.force_login(hh.world.grid_worker)
        mixed = url(hh.other_home, f"members/{member.pk}/")
        assert client.post(mixed, {"action": "remove", "reason": "x"}).status_code == 404
        assert HouseholdMember.objects.count() == 1

    def test_the_form_needs_csrf(self, hh):
        from django.test import Client

        member = self.member(hh)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(hh.world.grid_worker)
        edit = url(hh.home, f"members/{member.pk}/")
        assert strict.post(edit, {"action": "remove", "reason": "x"}).status_code == 403
        assert HouseholdMember.objects.count() == 1


class TestPlanClose:
    def test_the_plan_is_closed_with_a_reason_from_the_page(self, hh, client):
        p = plan(hh)
        client.force_login(hh.world.grid_worker)
        assert url(hh.home, "plan/close/") in client.get(url(hh.home)).content.decode()
        response = client.post(url(hh.home, "plan/close/"), {"reason": ""})
        assert response.status_code == 200 and "reason" in response.context["form"].errors
        response = client.post(url(hh.home, "plan/close/"), {"reason": "风险已消除"})
        assert response.status_code == 302
        p.refresh_from_db()
        assert p.status == "closed" and p.close_reason == "风险已消除"
        assert HouseholdEvent.objects.filter(kind=HouseholdEventKind.PLAN_CLOSED).count() == 1
        body = client.get(url(hh.home)).content.decode()
        assert "制定帮扶计划" in body and url(hh.home, "plan/close/") not in body

    def test_without_an_active_plan_it_goes_back(self, hh, client):
        client.force_login(hh.world.grid_worker)
        response = client.post(url(hh.home, "plan/close/"), {"reason": "x"})
        assert response.status_code == 302 and response["Location"] == url(hh.home)

    def test_a_leader_or_another_grid_may_not_close_it(self, hh, client):
        p = plan(hh)
        client.force_login(hh.world.leader)
        assert url(hh.home, "plan/close/") not in client.get(url(hh.home)).content.decode()
        assert client.post(url(hh.home, "plan/close/"), {"reason": "x"}).status_code == 403
        client.force_login(hh.world.other_grid_worker)
        assert client.post(url(hh.home, "plan/close/"), {"reason": "x"}).status_code == 404
        p.refresh_from_db()
        assert p.status == "active"
