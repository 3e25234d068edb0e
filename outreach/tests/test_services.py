"""log_visit and set_rhythm: the visit and its demands in one transaction, idempotent by token,
its date, who may log it, its event."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case, Channel, Meeting
from outreach import services
from outreach.models import EnterpriseVisit, OutreachEvent, OutreachEventKind, Period, VisitRhythm


def demand(
    ow, text: str = "企业反映天然气价格上涨，希望协调气源和价格。", **fields
) -> services.Demand:
    world = ow.world
    return services.Demand(
        case_type=world.types["enterprise_demand"],
        category=fields.pop("category", world.category("enterprise_demand")),
        description=text,
        **fields,
    )


def visit(ow, actor=None, **fields):
    actor = actor or ow.cadre
    fields.setdefault("visited_on", timezone.localdate())
    fields.setdefault("visitors", [actor.person])
    fields.setdefault("met", "总经理 王某")
    fields.setdefault("findings", "生产经营正常，订单排到三月。")
    return services.log_visit(ow.firm, actor=actor, **fields)


def test_a_visit_with_two_demands_makes_two_cases_of_its_meeting(ow):
    made = visit(
        ow,
        demands=[demand(ow), demand(ow, "园区道路破损，货车进出困难。")],
    )
    meeting = made.meeting
    assert meeting.kind == Meeting.Kind.VISIT and meeting.enterprise == ow.firm
    cases = list(Case.objects.filter(meeting=meeting).order_by("pk"))
    assert len(cases) == 2
    for case in cases:
        assert case.channel == Channel.VISIT
        assert case.enterprise == ow.firm
        assert case.region == ow.firm.region
        assert case.requester == ow.world.liaison.person  # the firm's liaison
        assert case.committee == ow.world.chain_committee
    assert list(made.visitors.all()) == [ow.cadre.person]
    event = OutreachEvent.objects.get(kind=OutreachEventKind.VISIT_LOGGED)
    assert event.visit == made and event.actor == ow.cadre
    assert event.data["cases"] == [c.pk for c in cases]


def test_a_bad_row_saves_nothing(ow):
    wrong = ow.world.category("resident_issue")  # a category of another type
    with pytest.raises(ValidationError) as error:
        visit(ow, demands=[demand(ow), demand(ow, "第二条", category=wrong)])
    assert "demands.1.category" in error.value.message_dict
    assert not EnterpriseVisit.objects.exists()
    assert not Meeting.objects.exists()
    assert not Case.objects.exists()
    assert not OutreachEvent.objects.exists()


def test_the_same_token_makes_nothing_twice(ow):
    token = uuid.uuid4()
    keys = [f"web-form:{uuid.uuid4()}", f"web-form:{uuid.uuid4()}"]
    rows = [demand(ow, source_key=keys[0]), demand(ow, "第二条诉求。", source_key=keys[1])]
    first = visit(ow, demands=rows, token=token)
    again = visit(ow, demands=rows, token=token)
    assert again == first
    assert EnterpriseVisit.objects.count() == 1
    assert Case.objects.count() == 2


def test_a_row_token_of_another_visit_is_refused(ow):
    key = f"web-form:{uuid.uuid4()}"
    visit(ow, demands=[demand(ow, source_key=key)])
    with pytest.raises(ValidationError) as error:
        visit(ow, demands=[demand(ow, source_key=key)])
    assert "demands.0" in error.value.message_dict
    assert EnterpriseVisit.objects.count() == 1


def test_a_visit_in_the_future_is_refused(ow):
    with pytest.raises(ValidationError) as error:
        visit(ow, visited_on=timezone.localdate() + timedelta(days=1))
    assert error.value.error_dict["visited_on"][0].code == "future"
    assert "不能晚于今天" in error.value.message_dict["visited_on"][0]


def test_a_visit_before_the_firm_was_founded_is_refused(ow):
    ow.firm.founded_on = timezone.localdate() - timedelta(days=10)  # when the registry has it
    with pytest.raises(ValidationError) as error:
        visit(ow, visited_on=timezone.localdate() - timedelta(days=30))
    assert error.value.error_dict["visited_on"][0].code == "before_founded"
    del ow.firm.founded_on


@pytest.mark.parametrize("field, value", [("visitors", []), ("findings", "  ")])
def test_visitors_and_findings_are_required(ow, field, value):
    with pytest.raises(ValidationError) as error:
        visit(ow, **{field: value})
    assert field in error.value.message_dict


@pytest.mark.parametrize("who", ["cadre", "instructor", "chain_dispatcher", "dispatcher", "admin"])
def test_who_may_log_a_visit(ow, who):
    actor = getattr(ow, who, None) or getattr(ow.world, who)
    assert visit(ow, actor=actor, visitors=[ow.cadre.person]).pk


@pytest.mark.parametrize(
    "who", ["commissioner", "town_dispatcher", "liaison", "grid_worker", "handler", "leader"]
)
def test_who_may_not(ow, who):
    actor = getattr(ow, who, None) or getattr(ow.world, who)
    with pytest.raises(PermissionDenied):
        visit(ow, actor=actor, visitors=[ow.cadre.person])
    assert not EnterpriseVisit.objects.exists()


def test_only_an_administrator_changes_a_rhythm(ow):
    rhythm = VisitRhythm.objects.get(link_kind="party_instructor")
    assert rhythm.period == Period.QUARTER  # the seeded default
    with pytest.raises(PermissionDenied):
        services.set_rhythm(rhythm, Period.MONTH, actor=ow.world.dispatcher)
    services.set_rhythm(rhythm, Period.MONTH, actor=ow.world.admin)
    rhythm.refresh_from_db()
    assert rhythm.period == Period.MONTH
    event = OutreachEvent.objects.get(kind=OutreachEventKind.RHYTHM_CHANGED)
    assert event.data == {"link_kind": "party_instructor", "from": "quarter", "to": "month"}


def test_visitors_are_the_firms_cadres_or_the_one_logging(ow):
    with pytest.raises(ValidationError) as error:
        visit(ow, visitors=[ow.cadre.person, ow.commissioner.person])
    assert error.value.error_dict["visitors"][0].code == "not_linked"
    made = visit(ow, actor=ow.world.dispatcher, visitors=[ow.world.dispatcher.person])
    assert list(made.visitors.all()) == [ow.world.dispatcher.person]


def test_a_token_of_another_firms_visit_is_refused(ow):
    token = uuid.uuid4()
    visit(ow, token=token)
    with pytest.raises(ValidationError) as error:
        services.log_visit(
            ow.other_firm,
            visited_on=timezone.localdate(),
            visitors=[ow.commissioner.person],
            findings="正常",
            token=token,
            actor=ow.commissioner,
        )
    assert error.value.error_dict["token"][0].code == "token_reused"


def test_a_token_does_not_let_an_outsider_read_a_visit(ow):
    token = uuid.uuid4()
    visit(ow, token=token)
    with pytest.raises(PermissionDenied):
        visit(ow, actor=ow.commissioner, token=token)


def test_the_event_logs_are_append_only(ow):
    """The enterprise file's, the policies' and outreach's logs: written once, never changed."""
    from enterprises.models import EnterpriseEvent, PolicyEvent

    visit(ow)
    written = OutreachEvent.objects.first()
    assert written is not None
    for event in (written, EnterpriseEvent(pk=1), PolicyEvent(pk=1)):
        with pytest.raises(RuntimeError, match="append-only"):
            event.save()
        with pytest.raises(RuntimeError, match="append-only"):
            event.delete()
