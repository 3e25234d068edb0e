"""Retention (脱敏): requesters of cases closed more than N years ago are masked, nothing else."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Model

from cases import services
from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import MONDAY, local
from cases.tests.world import World
from disputes.models import DisputeParty
from disputes.services import set_parties_at_intake
from ops.models import Anonymisation
from ops.retention import anonymise_closed, years_before
from people.masking import mask_address
from people.models import Person
from stats.metrics import rates, totals

pytestmark = pytest.mark.django_db

LONG_AGO = local(2020, 6, 1, 10)  # a Monday, more than five years before MONDAY (2026-09-14)
ADDRESS = "浔中镇浔中村第一网格主路12号"
PARTIES = [
    {
        "role": "applicant",
        "name": "郑春生",
        "phone": "13905950001",
        "id_number": "",
        "address": "浔中村8号",
    },
    {
        "role": "respondent",
        "name": "德化某陶瓷厂",
        "phone": "0595-23512345",
        "address": "龙浔镇工业区",
    },
]


def person(name: str, phone: str, id_number: str = "") -> Person:
    return Person.objects.create(name=name, phone=phone, id_number=id_number, address=ADDRESS)


def closed(world: World, requester: Person, **overrides: Any) -> Case:
    return world.in_status(
        Status.CLOSED,
        requester=requester,
        requester_name=requester.name,
        requester_phone=requester.phone,
        address=ADDRESS,
        **overrides,
    )


def rows(model: type[Model], **filters: Any) -> list[dict[str, Any]]:
    return list(model._default_manager.filter(**filters).order_by("pk").values())


@pytest.fixture
def history(world: World) -> dict[str, Any]:
    """Old closed cases (five of them, two persons free to anonymise), an old refused dispute
    with parties, an old case still open, and recent ones."""
    alone = person("陈大明", "13912340001", "350526199001011234")
    returning = person("林小红", "13912340002")
    resident = world.resident.person  # has a sign-in account: their file stays
    assert resident is not None
    with time_machine.travel(LONG_AGO, tick=False):
        old = [
            closed(world, alone),
            closed(world, alone, title="路面破损"),
            closed(world, returning),
            closed(world, resident),
        ]
        dispute = world.report("dispute", requester_name="郑春生", requester_phone="13905950001")
        set_parties_at_intake(dispute, actor=world.grid_worker, parties=PARTIES)
        old.append(services.reject_case(dispute, actor=world.dispatcher, reason="已起诉。"))
        still_open = world.in_status(Status.IN_PROGRESS, requester_name="黄志明", address=ADDRESS)
    with time_machine.travel(MONDAY, tick=False):
        recent = [
            closed(world, returning, title="噪音扰民"),
            closed(world, person("周丽", "13912340003")),
        ]
    return {
        "old": old,
        "alone": alone,
        "returning": returning,
        "resident": resident,
        "untouched": [still_open, *recent],
    }


def figures() -> tuple[Any, ...]:
    everything = Case.objects.all()
    return (
        totals(everything, now=MONDAY),
        rates(everything, ["month", "lead_unit", "case_type"], now=MONDAY),
    )


def test_old_closed_cases_are_anonymised_and_rates_stay_the_same(
    history, django_assert_num_queries
):
    before = figures()
    untouched = [rows(Case, pk=case.pk) for case in history["untouched"]]
    events = rows(CaseEvent)

    # One batch of five cases, a fixed number of queries whatever the batch holds: the ids,
    # then in one transaction the cases, persons and parties read under lock, each table
    # written once in bulk, the records.
    with django_assert_num_queries(10):
        outcome = anonymise_closed(years=5, now=MONDAY)
    assert (outcome.cases, outcome.persons, outcome.parties, outcome.batches) == (5, 1, 2, 1)

    for case in Case.objects.filter(pk__in=[c.pk for c in history["old"]]):
        assert case.requester_phone == "*" * 11
        assert case.requester_name in {"陈**", "林**", "王**", "郑**"}
        assert case.address in {"浔中镇浔中村****", ""}
    alone = Person.objects.get(pk=history["alone"].pk)
    assert (alone.name, alone.phone, alone.id_number, alone.address) == (
        "陈**",
        "*" * 11,
        "*" * 18,
        "浔中镇浔中村****",
    )
    # A newer case, or a sign-in account, keeps the person's file as it was.
    assert Person.objects.get(pk=history["returning"].pk).name == "林小红"
    assert Person.objects.get(pk=history["resident"].pk).phone == "13959001234"
    parties = list(
        DisputeParty.objects.order_by("ordering").values_list("name", "phone", "address")
    )
    assert parties == [
        ("郑**", "*" * 11, mask_address("浔中村8号")),
        ("德*****", "*" * len("0595-23512345"), mask_address("龙浔镇工业区")),
    ]

    assert figures() == before
    assert [rows(Case, pk=case.pk) for case in history["untouched"]] == untouched
    assert rows(CaseEvent) == events
    records = list(Anonymisation.objects.order_by("case_id"))
    assert [r.case_id for r in records] == sorted(c.pk for c in history["old"])
    assert sum(r.person_id is not None for r in records) == 1
    assert records[0].fields == ["requester_name", "requester_phone", "address"]
    assert records[0].closed_before == years_before(MONDAY, 5)
    assert "陈大明" not in str(list(Anonymisation.objects.values()))

    again = anonymise_closed(years=5, now=MONDAY)
    assert (again.cases, again.persons, again.parties) == (0, 0, 0)


def test_a_dry_run_counts_the_same_and_changes_nothing(history):
    cases, persons, parties = rows(Case), rows(Person), rows(DisputeParty)
    dry = anonymise_closed(years=5, now=MONDAY, dry_run=True)
    assert (dry.cases, dry.persons, dry.parties) == (5, 1, 2)
    assert (rows(Case), rows(Person), rows(DisputeParty)) == (cases, persons, parties)
    assert not Anonymisation.objects.exists()
    real = anonymise_closed(years=5, now=MONDAY, batch_size=2)
    assert (real.cases, real.persons, real.parties, real.batches) == (5, 1, 2, 3)


def test_the_period_is_a_setting_and_more_years_reach_fewer_cases(history, settings):
    settings.LIANXIN = {**settings.LIANXIN, "RETENTION_YEARS": 7}
    assert anonymise_closed(now=MONDAY, dry_run=True).cases == 0
    assert anonymise_closed(years=6, now=MONDAY, dry_run=True).cases == 5
    assert years_before(local(2028, 2, 29, 9), 1) == local(2027, 2, 28, 9)
    with pytest.raises(ValueError):
        anonymise_closed(years=0)


def test_the_command_reports_in_chinese(history, capsys):
    call_command("anonymise_closed", "--dry-run", "--years", "5")
    assert "试运行（未修改任何数据）" in capsys.readouterr().out
    assert not Anonymisation.objects.exists()
    call_command("anonymise_closed", "--years", "5")
    assert "已脱敏" in capsys.readouterr().out and Anonymisation.objects.count() == 5
    with pytest.raises(Exception, match="保存年限至少为 1 年"):
        call_command("anonymise_closed", "--years", "0")
