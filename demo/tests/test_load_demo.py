"""The demo county: loaded once for this module (150 cases), rolled back afterwards."""

from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from cases.models import HANDLING_STATUSES, Case, CaseEvent, CaseType, Channel, Meeting, Status
from demo.places import CHAIN_COMMITTEE_NAME, DEMO_PASSWORD
from demo.themes import REPEAT_PHONE
from enterprises.matching import firms_for
from enterprises.models import (
    EnterpriseEvent,
    EnterpriseTag,
    HonourAward,
    Policy,
    PolicyEvent,
    PolicyGrant,
    PolicyStatus,
    YearFigures,
)
from hotspots.models import HotSpot
from inspections.models import Finding
from orgs.credit_code import validate_credit_code
from orgs.models import Organisation, OrgKind
from outreach.models import BriefingTask, EnterpriseVisit
from people.models import (
    EnterpriseLink,
    Household,
    HouseholdLink,
    HouseholdLinkKind,
    Person,
    RegionDuty,
    RegionResponsibility,
    Role,
    RoleAssignment,
    User,
)
from projects.models import Milestone, Project
from regions.models import GridStation, Region, RegionLevel

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # builds a demo county

COUNTED = (
    Case,
    YearFigures,
    HonourAward,
    CaseEvent,
    Organisation,
    Person,
    User,
    RoleAssignment,
    Region,
    Meeting,
    Household,
    HouseholdLink,
    EnterpriseLink,
    RegionResponsibility,
    GridStation,
)


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load a small demo once; the outer transaction is rolled back so other tests never see it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", "--cases", "150", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _service_cases():
    """The demands raised on enterprise and household visits, by blocked project milestones,
    by hazard inspections' findings, the hot spot's reports and the repeat caller's calls, on
    top of the cases the demo replays."""
    return Case.objects.filter(
        Q(meeting__enterprise_visit__isnull=False)
        | Q(project_milestones__isnull=False)
        | Q(household__isnull=False)
        | Q(pk__in=Finding.objects.values("case_id"))
        | Q(pk__in=HotSpot.cases.through.objects.values("case_id"))
        | Q(requester_phone=REPEAT_PHONE)  # the repeat caller (demo/themes.py)
    ).distinct()


def test_it_makes_every_case_type_channel_and_state(demo_output):
    cases = Case.objects.all()
    assert cases.count() == 150 + _service_cases().count()
    assert set(cases.values_list("case_type__code", flat=True)) == set(
        CaseType.objects.values_list("code", flat=True)
    )
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert cases.filter(resolved_on_spot=True).exists()
    assert cases.filter(visit_satisfaction="unsatisfied").exists()
    assert cases.filter(rework_count__gt=0).exists()
    assert cases.filter(send_back_count__gt=0).exists()
    assert cases.filter(extension_count__gt=0).exists()
    assert CaseEvent.objects.filter(kind="extension_refused").exists()


def test_the_desk_and_the_requesters_take_part(demo_output):
    """Calls come in at the 12345 desk, walk-ins at the town window, and residents and
    enterprises who filed on the phone answer questions and rate the answer themselves."""
    hotline = Case.objects.filter(channel=Channel.HOTLINE)
    assert hotline.exists()
    assert not hotline.exclude(reported_by__username="operator").exists()
    assert Case.objects.filter(
        channel=Channel.WALK_IN, reported_by__username="huju_window"
    ).exists()
    rated = CaseEvent.objects.filter(kind="rated")
    assert rated.exists()
    for event in rated.select_related("case", "actor"):
        assert event.case.reported_by_id == event.actor_id  # the requester themselves
        assert event.case.visit_valid
    asked = CaseEvent.objects.filter(kind="info_requested").values_list("case_id", flat=True)
    added = CaseEvent.objects.filter(kind="info_added").values_list("case_id", flat=True)
    assert set(asked) == set(added) and asked


def test_a_second_run_changes_nothing(demo_output):
    before = {model.__name__: model.objects.count() for model in COUNTED}
    out = StringIO()
    call_command("load_demo", "--cases", "150", stdout=out)
    after = {model.__name__: model.objects.count() for model in COUNTED}
    assert after == before
    assert "演示县已存在" in out.getvalue()
    assert "chain_dispatcher" in out.getvalue()


def test_every_event_log_agrees_with_its_case(demo_output):
    events = defaultdict(list)
    # A master's note of a duplicate merged into it is the duplicate's move, written on the
    # master; the demo replays one case after another, so it is checked against the duplicate.
    for event in (
        CaseEvent.objects.exclude(kind="duplicate_merged")
        .order_by("id")
        .values("case_id", "kind", "from_status", "to_status", "created_at")
    ):
        events[event["case_id"]].append(event)
    merges = {
        (e.data["duplicate"], e.case_id, e.created_at)
        for e in CaseEvent.objects.filter(kind="duplicate_merged")
    }
    merged = {
        (e.case_id, e.data["master"], e.created_at) for e in CaseEvent.objects.filter(kind="merged")
    }
    assert merges == merged and merged
    for case in Case.objects.all():
        log = events[case.pk]
        assert log[0]["kind"] == "reported" and log[0]["created_at"] == case.reported_at
        assert log[-1]["to_status"] == case.status, case.number
        for before, after in zip(log, log[1:], strict=False):
            assert after["from_status"] == before["to_status"], case.number
            # One sweep may make several moves of a case at one moment (the overdue mark and
            # the escalation ladder's rung due with it); the id orders them.
            assert after["created_at"] >= before["created_at"], case.number
        assert case.updated_at >= log[-1]["created_at"]


def test_open_cases_past_their_deadline_are_flagged_and_supervised(demo_output):
    # A case whose clock stands (an extension pending, a question to the requester) is not late.
    late = Case.objects.filter(
        status__in=HANDLING_STATUSES, deadline__lt=timezone.now(), clock_paused_at__isnull=True
    )
    assert late.exists()
    assert not late.filter(is_overdue=False).exists()
    for case in late:
        kinds = list(case.events.values_list("kind", flat=True))
        assert "overdue" in kinds
        assert "supervised" in kinds
        assert case.events.get(kind="overdue").created_at > case.deadline


def test_enterprises_have_valid_credit_codes_and_belong_to_the_chain(demo_output):
    chain = Organisation.objects.get(kind=OrgKind.CHAIN_COMMITTEE, name=CHAIN_COMMITTEE_NAME)
    enterprises = Organisation.objects.filter(kind=OrgKind.ENTERPRISE)
    for enterprise in enterprises:
        validate_credit_code(enterprise.credit_code)
    members = enterprises.filter(chain=chain)
    assert members.count() >= 30
    assert (
        not members.filter(industry="").exists() and not members.filter(chain_position="").exists()
    )
    assert {"陶知然陶瓷文化创意有限公司", "佳诚陶瓷有限公司", "盛艺窑瓷业有限公司"} <= set(
        members.values_list("name", flat=True)
    )
    demands = Case.objects.filter(case_type__code="enterprise_demand")
    assert demands.exists() and not demands.exclude(committee=chain).exists()


def test_the_chain_enterprises_have_honours_and_two_years_of_figures(demo_output):
    chain = Organisation.objects.get(kind=OrgKind.CHAIN_COMMITTEE, name=CHAIN_COMMITTEE_NAME)
    members = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, chain=chain)
    figures = YearFigures.objects.filter(enterprise__in=members)
    assert figures.count() == 2 * members.count()
    assert set(figures.values_list("year", flat=True)) == {2024, 2025}
    awards = HonourAward.objects.all()
    assert awards.exists() and {"高新技术企业", "规上工业企业"} <= set(
        awards.values_list("honour__name", flat=True)
    )
    # Through the services: one event per row written.
    tagged = EnterpriseTag.enterprises.through.objects.count()
    assert EnterpriseEvent.objects.count() == figures.count() + awards.count() + tagged


def test_the_chain_has_policies_visits_briefings_and_projects(demo_output):
    """The enterprise service around the loop, made through its services: published policies
    that match some chain firms and that answers cite, linked cadres' visits raising demands,
    briefing tasks pushed and partly done, projects with a blocked and an overdue milestone."""
    policies = Policy.objects.filter(status=PolicyStatus.PUBLISHED)
    assert policies.count() >= 6
    assert all(PolicyEvent.objects.filter(policy=p, kind="policy.published") for p in policies)
    assert any(firms_for(p) for p in policies) and PolicyGrant.objects.exists()
    assert Case.objects.filter(policy__isnull=False, answered_at__isnull=False).exists()
    visits = EnterpriseVisit.objects.all()
    assert visits.count() >= 20
    linked = set(EnterpriseLink.objects.values_list("enterprise_id", "person_id"))
    for visit in visits.prefetch_related("visitors")[:50]:
        assert all((visit.enterprise_id, p.pk) in linked for p in visit.visitors.all())
    raised = _service_cases().filter(meeting__enterprise_visit__isnull=False)
    assert raised.exists() and not raised.exclude(channel=Channel.VISIT).exists()
    tasks = BriefingTask.objects.all()
    assert tasks.filter(status="done").exists() and tasks.filter(status="pending").exists()
    assert Project.objects.count() >= 3
    assert Milestone.objects.filter(status="blocked", case__isnull=False).exists()
    assert Milestone.objects.filter(status="pending", deadline__lt=timezone.now()).exists()


def test_every_role_has_a_demo_user_with_the_shared_password(demo_output):
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    for role in Role:
        assert str(role.label) in demo_output
    assert authenticate(HttpRequest(), username="dispatcher", password=DEMO_PASSWORD) is not None
    assert User.objects.get(username="admin").is_superuser
    chain_dispatcher = RoleAssignment.objects.get(user__username="chain_dispatcher")
    assert (
        chain_dispatcher.organisation.kind == OrgKind.CHAIN_COMMITTEE
        and chain_dispatcher.region is None
    )


def test_the_towns_have_their_grids_people_and_households(demo_output):
    huju = Region.objects.get(name="虎踞镇")
    levels = set(Region.objects.subtree(huju).values_list("level", flat=True))
    assert levels == {
        RegionLevel.TOWN,
        RegionLevel.VILLAGE,
        RegionLevel.PIECE,
        RegionLevel.GROUP,
        RegionLevel.NEIGHBOURHOOD,
    }
    duties = RegionResponsibility.objects.filter(region__path__startswith=huju.path)
    assert (
        duties.filter(duty=RegionDuty.REPRESENTATIVE, person__is_representative=True).count() == 853
    )
    for duty in (RegionDuty.TOWN_CADRE, RegionDuty.VILLAGE_CADRE, RegionDuty.GROUP_LEADER):
        assert duties.filter(duty=duty).exists()
    shangbu = Region.objects.get(name="上埠镇")
    assert GridStation.objects.filter(region__path__startswith=shangbu.path).count() == 52
    grid_roles = RoleAssignment.objects.filter(
        region__path__startswith=shangbu.path, region__is_grid=True
    )
    assert grid_roles.filter(role=Role.GRID_CHIEF).count() == 71
    assert grid_roles.filter(role=Role.GRID_WORKER).count() == 170
    households = Household.objects.filter(region__path__startswith=shangbu.path)
    tags = set(households.values_list("tags__name", flat=True))
    assert {"脱贫户", "监测对象", "低保", "残疾"} <= tags
    assert households.filter(tags__name="监测对象").count() == 47
    party_links = HouseholdLink.objects.filter(kind=HouseholdLinkKind.PARTY_MEMBER)
    assert party_links.values("person").annotate(n=Count("id")).filter(n=10).count() == 71
    household = households.first()
    assert len(household.phone) == 11 and len(household.head_id_number) == 18


def test_meetings_raise_several_cases_and_disputes_are_mediated(demo_output):
    kinds = set(Meeting.objects.values_list("kind", flat=True))
    assert {
        Meeting.Kind.JOINT,
        Meeting.Kind.COMMITTEE,
        Meeting.Kind.EVENING,
        Meeting.Kind.VISIT,
    } <= kinds
    assert Meeting.objects.annotate(n=Count("cases")).filter(n__gte=2).exists()
    mediated = Case.objects.filter(
        case_type__code="dispute", status=Status.CLOSED, resolved_on_spot=False
    )
    assert mediated.exists()
    assert not mediated.filter(risk_level="").exists()
    assert not mediated.filter(mediation_outcome="").exists()
    assert CaseEvent.objects.filter(case__in=mediated, kind="mediated").count() >= mediated.count()


def test_the_inboxes_hold_the_last_weeks_messages(demo_output):
    """Made by the outbox's service at each recent move's moment; texts went to the SMS outbox."""
    from notify.models import DeliveryStatus, Notification

    inbox = Notification.objects.filter(channel="inbox")
    assert inbox.exists()
    assert inbox.filter(kind="assigned").exists()
    assert not Notification.objects.filter(status=DeliveryStatus.PENDING).exists()
    recent = timezone.now() - timedelta(days=8)
    assert not inbox.filter(created_at__lt=recent).exists()
    for row in inbox.select_related("event")[:200]:
        if row.event is not None:
            assert row.created_at == row.event.created_at


def test_grid_reports_in_shangbu_are_taken_in_at_its_stations(demo_output):
    """Shangbu's 52 grid stations (网格驿站) take in the grid reports of their areas."""
    at_stations = Case.objects.filter(station__isnull=False).select_related("station__region")
    assert at_stations.exists()
    for case in at_stations[:50]:
        assert case.channel == Channel.GRID
        assert case.region.path.startswith(case.station.region.path)


def test_last_months_briefing_is_made_and_equals_the_dashboard(demo_output):
    """The leader's briefing of last month (工作简报): ready, in the seeds' words, its numbers
    the dashboard's for the same month over the leader's cases."""
    from briefings.models import Briefing, BriefingStatus
    from cases.scope import visible_cases
    from stats import metrics

    briefing = Briefing.objects.get()
    assert briefing.status == BriefingStatus.READY, briefing.error
    assert briefing.first_month == briefing.last_month
    assert "民情服务工作简报" in briefing.title and briefing.docx and briefing.pdf
    numbers = briefing.figures["numbers"]
    month = briefing.first_month
    dashboard = metrics.totals(
        metrics.filter_cases(visible_cases(briefing.requested_by), months=(month, month)),
        now=timezone.now(),
    )
    assert numbers["received"]["value"] == dashboard.received > 0
    assert numbers["on_spot"]["value"] == dashboard.on_spot
    assert numbers["closed"]["value"] == dashboard.closed


def test_the_dispatcher_has_a_hot_spot_with_its_six_cases(demo_output):
    """Six street-light reports in one village in five days raise a hot spot (热点预警)."""
    from hotspots.models import HotSpot

    spot = HotSpot.objects.get()
    assert spot.count >= 6
    assert spot.cases.count() == spot.count
    assert spot.cases.filter(title__contains="路灯").count() == 6


def test_the_knowledge_base_has_articles_replies_and_self_service(demo_output):
    from knowledge.models import Article, SavedReply
    from knowledge.selectors import self_service_count

    assert Article.objects.public().count() >= 6
    assert Article.objects.due_for_review().exists()
    assert SavedReply.objects.filter(auto_fill=True, move_kind="answered").exists()
    assert self_service_count(None, None) >= 1


def test_a_repeat_caller_raises_one_alert_to_the_units_head_and_the_dispatchers(demo_output):
    """Three calls about night work on a building site (重复诉求): one alert with the three cases,
    in the inbox of 住建局's head and of the dispatchers over the place."""
    from hotspots.models import RepeatAlert
    from notify.models import REPEAT_DEMAND, Notification

    alert = RepeatAlert.objects.get(latest_case__requester_phone=REPEAT_PHONE)
    assert alert.count == alert.cases.count() == 3
    assert alert.lead_unit.short_name == "住建局"
    told = set(
        Notification.objects.filter(
            kind=REPEAT_DEMAND, case__requester_phone=REPEAT_PHONE
        ).values_list("user__username", flat=True)
    )
    assert {"zjj_head", "dispatcher"} <= told
    assert alert.events.get().kind == "raised"


def test_last_months_theme_is_done_and_this_months_under_way(demo_output):
    """每月一题: chosen from the figures, last month's finished (and in last month's briefing),
    this month's active with its first milestone done; each with its cases and events."""
    from briefings.models import Briefing
    from themes.models import MonthlyTheme, ThemeStatus

    last, current = MonthlyTheme.objects.order_by("month")
    assert last.status == ThemeStatus.DONE
    assert not last.milestones.filter(done_at__isnull=True).exists()
    assert current.status == ThemeStatus.ACTIVE
    assert current.milestones.filter(done_at__isnull=False).count() == 1
    for theme in (last, current):
        assert theme.cases.exists()
        assert theme.events.first().kind == "created"
        assert theme.events.first().data["source"]["count"] > 0
    briefing = Briefing.objects.get()
    assert [t["id"] for t in briefing.figures["themes"]] == [last.pk]
