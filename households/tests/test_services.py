import uuid
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case, Channel
from households import services
from households.models import (
    AssistancePlan,
    HouseholdEvent,
    HouseholdEventKind,
    HouseholdMember,
    HouseholdVisit,
    MeasureStatus,
    PlanStatus,
    TagPeriod,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def kinds(household):
    return list(HouseholdEvent.objects.filter(household=household).values_list("kind", flat=True))


def plan_for(hh, **overrides):
    fields = {
        "responsible": hh.helper.person,
        "measures": [
            services.Measure("发展油茶种植2亩", "年增收3000元", "镇农业服务中心"),
            services.Measure("推荐公益性岗位", "1人稳定就业"),
        ],
        "summary": "因病返贫风险",
        "started_on": date(2026, 1, 5),
        "actor": hh.world.grid_worker,
    }
    fields.update(overrides)
    return services.create_plan(hh.home, **fields)


class TestTags:
    def test_tagging_keeps_the_registry_in_step_and_writes_the_history(self, hh):
        period = services.tag_household(
            hh.home, hh.monitored, reason="突发严重困难", actor=hh.world.grid_worker
        )
        assert list(hh.home.tags.all()) == [hh.monitored]
        assert period.start_reason == "突发严重困难" and period.started_by == hh.world.grid_worker
        assert kinds(hh.home) == [HouseholdEventKind.TAGGED]

    def test_untagging_closes_the_period(self, hh):
        services.tag_household(hh.home, hh.monitored, reason="纳入", actor=hh.world.grid_worker)
        period = services.untag_household(
            hh.home, hh.monitored, reason="风险已消除", actor=hh.party_member
        )
        assert not hh.home.tags.exists()
        assert period.ended_at is not None and period.end_reason == "风险已消除"
        assert TagPeriod.objects.filter(household=hh.home).count() == 1

    def test_a_registry_tag_without_history_is_closed_with_a_period(self, hh):
        hh.home.tags.add(hh.monitored)
        period = services.untag_household(
            hh.home, hh.monitored, reason="销号", actor=hh.world.grid_worker
        )
        assert period.pk and period.ended_at and not hh.home.tags.exists()

    def test_it_refuses_a_tag_twice_and_a_missing_reason(self, hh):
        services.tag_household(hh.home, hh.monitored, reason="纳入", actor=hh.world.grid_worker)
        with pytest.raises(ValidationError) as exc:
            services.tag_household(hh.home, hh.monitored, reason="再次", actor=hh.world.grid_worker)
        assert exc.value.error_dict["tag"][0].code == "already_tagged"
        with pytest.raises(ValidationError) as exc:
            services.untag_household(hh.home, hh.monitored, reason=" ", actor=hh.world.grid_worker)
        assert exc.value.error_dict["reason"][0].code == "required"

    def test_outsiders_and_other_grids_may_not_tag(self, hh):
        for user in (hh.world.other_grid_worker, hh.world.outsider, hh.world.handler):
            with pytest.raises(PermissionDenied):
                services.tag_household(hh.home, hh.monitored, reason="纳入", actor=user)

    def test_a_leader_reads_but_does_not_write(self, hh):
        with pytest.raises(PermissionDenied):
            services.tag_household(hh.home, hh.monitored, reason="纳入", actor=hh.world.leader)


class TestMembers:
    def test_it_adds_a_member_with_an_event_without_personal_data(self, hh):
        member = services.add_member(
            hh.home,
            name="李小芳",
            relation="女儿",
            id_number="350526200801010022",
            birth_year=2008,
            actor=hh.party_member,
        )
        assert member.household == hh.home
        event = HouseholdEvent.objects.get(household=hh.home)
        assert event.kind == HouseholdEventKind.MEMBER_ADDED
        assert "李小芳" not in str(event.data)

    def test_it_refuses_a_birth_year_in_the_future(self, hh):
        with pytest.raises(ValidationError) as exc:
            services.add_member(
                hh.home, name="李", relation="子", birth_year=2030, actor=hh.party_member
            )
        assert exc.value.error_dict["birth_year"][0].code == "invalid"

    def member(self, hh):
        return services.add_member(
            hh.home,
            name="李小芳",
            relation="女儿",
            id_number="350526200801010022",
            phone="13905950099",
            actor=hh.party_member,
        )

    def test_a_change_names_the_fields_changed_without_their_values(self, hh):
        member = self.member(hh)
        changed = services.change_member(
            member,
            name="李小芳",
            relation="长女",
            id_number="350526200801010022",
            phone="13905950100",
            actor=hh.world.grid_worker,
        )
        assert (changed.relation, changed.phone) == ("长女", "13905950100")
        event = HouseholdEvent.objects.get(kind=HouseholdEventKind.MEMBER_CHANGED)
        assert event.data == {"member": member.pk, "fields": ["phone", "relation"]}
        assert "13905950100" not in str(event.data)

    def test_an_unchanged_member_leaves_no_event(self, hh):
        member = self.member(hh)
        services.change_member(
            member,
            name=member.name,
            relation=member.relation,
            id_number=member.id_number,
            phone=member.phone,
            actor=hh.party_member,
        )
        assert not HouseholdEvent.objects.filter(kind=HouseholdEventKind.MEMBER_CHANGED).exists()

    def test_a_removal_keeps_the_reason_in_the_log(self, hh):
        member = self.member(hh)
        services.remove_member(member, reason="迁出", actor=hh.party_member)
        assert not HouseholdMember.objects.exists()
        event = HouseholdEvent.objects.get(kind=HouseholdEventKind.MEMBER_REMOVED)
        assert event.data == {"member": member.pk, "relation": "女儿", "reason": "迁出"}
        with pytest.raises(ValidationError) as exc:
            services.remove_member(member, reason="迁出", actor=hh.party_member)
        assert exc.value.error_dict["member"][0].code == "gone"

    def test_a_removal_needs_a_reason(self, hh):
        member = self.member(hh)
        with pytest.raises(ValidationError) as exc:
            services.remove_member(member, reason=" ", actor=hh.party_member)
        assert exc.value.error_dict["reason"][0].code == "required"
        assert HouseholdMember.objects.count() == 1

    @pytest.mark.parametrize(
        ("field", "value", "code"),
        [
            ("id_number", "35052620080101002X1", "max_length"),
            ("id_number", "abc", "invalid"),
            ("phone", "<script>", "invalid"),
            ("name", "李" * 51, "max_length"),
            ("relation", " ", "required"),
        ],
    )
    def test_bad_fields_are_refused_in_chinese(self, hh, field, value, code):
        member = self.member(hh)
        fields = {"name": "李小芳", "relation": "女儿", field: value}
        with pytest.raises(ValidationError) as exc:
            services.change_member(member, **fields, actor=hh.party_member)
        assert exc.value.error_dict[field][0].code == code

    def test_a_reader_who_may_not_work_changes_nothing(self, hh):
        member = self.member(hh)
        with pytest.raises(PermissionDenied):
            services.change_member(member, name="王", relation="子", actor=hh.world.leader)
        with pytest.raises(PermissionDenied):
            services.remove_member(member, reason="迁出", actor=hh.world.other_grid_worker)
        assert HouseholdMember.objects.get().name == "李小芳"


class TestVisits:
    def visit(self, hh, **overrides):
        fields = {
            "visited_on": TODAY,
            "visitor": hh.party_member.person,
            "findings": "家中老人慢性病用药正常，孩子上学。",
            "actor": hh.party_member,
        }
        fields.update(overrides)
        return services.log_household_visit(hh.home, **fields)

    def test_a_party_member_logs_a_visit_with_an_event(self, hh):
        visit = self.visit(hh)
        assert visit.visitor == hh.party_member.person
        assert kinds(hh.home) == [HouseholdEventKind.VISIT_LOGGED]

    def test_demands_become_cases_about_the_household_in_the_same_visit(self, hh):
        demand = services.Demand(hh.world.types["resident_issue"], "屋后排水沟堵塞。雨天积水")
        visit = self.visit(
            hh, actor=hh.world.grid_worker, visitor=hh.world.grid_worker.person, demands=[demand]
        )
        case = visit.cases.get()
        assert case.household == hh.home and case.channel == Channel.VISIT
        assert case.title == "屋后排水沟堵塞"
        event = HouseholdEvent.objects.get(household=hh.home)
        assert event.data["cases"] == [case.pk]

    def test_a_party_member_without_a_staff_role_reports_through_the_open_channel(self, hh):
        demand = services.Demand(hh.world.types["resident_issue"], "申请临时救助")
        visit = self.visit(hh, demands=[demand])
        assert visit.cases.get().channel == Channel.WEB

    def test_a_resubmitted_token_creates_nothing_twice(self, hh):
        token = uuid.uuid4()
        demand = services.Demand(
            hh.world.types["resident_issue"], "申请临时救助", source_key=f"{token}-0"
        )
        first = self.visit(hh, token=token, demands=[demand])
        again = self.visit(hh, token=token, demands=[demand])
        assert first == again
        assert HouseholdVisit.objects.count() == 1
        assert Case.objects.filter(household=hh.home).count() == 1

    def test_a_bad_demand_rolls_back_the_visit(self, hh):
        demand = services.Demand(hh.world.types["resident_issue"], "   ")
        with pytest.raises(ValidationError) as exc:
            self.visit(hh, demands=[demand])
        assert "demands.0.description" in exc.value.error_dict
        assert not HouseholdVisit.objects.exists() and not HouseholdEvent.objects.exists()

    def test_it_refuses_a_future_date_and_an_unlinked_visitor(self, hh):
        with pytest.raises(ValidationError) as exc:
            self.visit(hh, visited_on=date(2026, 3, 11))
        assert exc.value.error_dict["visited_on"][0].code == "future"
        with pytest.raises(ValidationError) as exc:
            self.visit(hh, visitor=hh.world.outsider.person)
        assert exc.value.error_dict["visitor"][0].code == "not_linked"

    def test_a_party_member_may_not_visit_another_household(self, hh):
        with pytest.raises(PermissionDenied):
            services.log_household_visit(
                hh.other_home,
                visited_on=TODAY,
                visitor=hh.party_member.person,
                findings="x",
                actor=hh.party_member,
            )


class TestPlans:
    def test_a_plan_has_its_measures_and_first_review_a_month_on(self, hh):
        plan = plan_for(hh)
        assert plan.next_review_on == date(2026, 2, 5)
        assert [m.measure for m in plan.measures.all()] == ["发展油茶种植2亩", "推荐公益性岗位"]
        assert kinds(hh.home) == [HouseholdEventKind.PLAN_CREATED]

    def test_one_active_plan_per_household(self, hh):
        plan_for(hh)
        with pytest.raises(ValidationError) as exc:
            plan_for(hh)
        assert exc.value.error_dict["household"][0].code == "plan_exists"

    def test_a_plan_needs_a_measure(self, hh):
        with pytest.raises(ValidationError) as exc:
            plan_for(hh, measures=[services.Measure("  ")])
        assert exc.value.error_dict["measures"][0].code == "required"

    def test_a_review_records_progress_and_moves_the_next_date(self, hh):
        plan = plan_for(hh)
        first = plan.measures.first()
        review = services.review_plan(
            plan,
            reviewed_on=TODAY,
            reviewer=hh.helper.person,
            progress="油茶苗已种下。",
            measure_statuses={first.pk: MeasureStatus.IN_PROGRESS},
            actor=hh.helper,
        )
        plan.refresh_from_db()
        first.refresh_from_db()
        assert review.next_review_on == plan.next_review_on == date(2026, 4, 10)
        assert first.status == MeasureStatus.IN_PROGRESS
        assert review.measures == {str(first.pk): {"from": "planned", "to": "in_progress"}}
        assert kinds(hh.home)[0] == HouseholdEventKind.PLAN_REVIEWED

    def test_a_review_token_resubmitted_returns_the_review(self, hh):
        plan = plan_for(hh)
        token = uuid.uuid4()
        args = {
            "reviewed_on": TODAY,
            "reviewer": hh.helper.person,
            "progress": "稳定",
            "token": token,
            "actor": hh.helper,
        }
        assert services.review_plan(plan, **args) == services.review_plan(plan, **args)
        assert plan.reviews.count() == 1

    def test_a_review_refuses_another_plans_measure(self, hh):
        plan = plan_for(hh)
        with pytest.raises(ValidationError) as exc:
            services.review_plan(
                plan,
                reviewed_on=TODAY,
                reviewer=hh.helper.person,
                progress="稳定",
                measure_statuses={999999: MeasureStatus.DONE},
                actor=hh.helper,
            )
        assert exc.value.error_dict["measures"][0].code == "other_plan"

    def test_changing_the_interval_moves_the_next_review(self, hh):
        plan = plan_for(hh)
        changed = services.change_plan(
            plan,
            responsible=hh.party_member.person,
            summary="改为季度复核",
            review_months=3,
            add_measures=[services.Measure("申请低保")],
            expected_version=plan.version,
            actor=hh.world.grid_worker,
        )
        assert changed.next_review_on == date(2026, 4, 5)
        assert changed.measures.count() == 3
        with pytest.raises(ValidationError) as exc:
            services.change_plan(
                plan,
                responsible=hh.helper.person,
                summary="",
                review_months=1,
                expected_version=plan.version,
                actor=hh.world.grid_worker,
            )
        assert exc.value.error_dict["version"][0].code == "stale"

    def test_a_closed_plan_takes_no_review_and_makes_room_for_a_new_one(self, hh):
        plan = plan_for(hh)
        closed = services.close_plan(plan, reason="风险消除", actor=hh.world.grid_worker)
        assert closed.status == PlanStatus.CLOSED
        with pytest.raises(ValidationError):
            services.review_plan(
                plan, reviewed_on=TODAY, reviewer=hh.helper.person, progress="x", actor=hh.helper
            )
        plan_for(hh)
        assert AssistancePlan.objects.active().filter(household=hh.home).count() == 1


def test_add_months_clips_to_the_months_end():
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
