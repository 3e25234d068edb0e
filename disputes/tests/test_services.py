"""The dispute services: parties replaced as a list with their checks, agreements judged by
their bytes, each change with its event in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disputes import services
from disputes.models import DisputeEvent, DisputeEventKind, DisputeParty, MediationAgreement
from disputes.tests.factories import dispute_case, html, parties, pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def codes(error: ValidationError) -> list[str | None]:
    return [e.code for errors in error.error_dict.values() for e in errors]


def test_the_dispatcher_sets_the_parties_with_an_event(world):
    case = dispute_case(world)
    saved = services.set_parties(case, actor=world.dispatcher, parties=parties())
    assert [(p.role, p.name) for p in saved] == [("applicant", "张三"), ("respondent", "李四")]
    event = DisputeEvent.objects.get(case=case)
    assert event.kind == DisputeEventKind.PARTIES_SET
    assert event.actor == world.dispatcher
    assert [p["name"] for p in event.data["after"]] == ["张三", "李四"]
    # The log keeps no contact details.
    assert "13912345678" not in str(event.data)


def test_setting_again_replaces_the_list(world):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    services.set_parties(case, actor=world.dispatcher, parties=parties(name="张三丰"))
    assert list(DisputeParty.objects.filter(case=case).values_list("name", flat=True)) == [
        "张三丰",
        "李四",
    ]
    assert DisputeEvent.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([{"role": "applicant", "name": "张三"}], "respondent_required"),
        ([{"role": "respondent", "name": "李四"}], "applicant_required"),
        ([{"role": "judge", "name": "王五"}], "invalid_role"),
        (parties(name=""), "name_required"),
        (parties(id_number="350526198001011230"), "id_number"),
        (parties(phone="12ab"), "phone"),
    ],
)
def test_bad_parties_are_refused_and_nothing_is_written(world, rows, code):
    case = dispute_case(world)
    with pytest.raises(ValidationError) as caught:
        services.set_parties(case, actor=world.dispatcher, parties=rows)
    assert code in codes(caught.value)
    assert not DisputeParty.objects.filter(case=case).exists()
    assert not DisputeEvent.objects.filter(case=case).exists()


def test_a_row_refusal_names_the_row_in_chinese(world):
    case = dispute_case(world)
    with pytest.raises(ValidationError) as caught:
        services.set_parties(case, actor=world.dispatcher, parties=parties(id_number="123"))
    assert caught.value.messages[0].startswith("第1行：身份证号：应为18位")


def test_a_case_type_without_mediation_is_refused(world):
    case = world.report()
    with pytest.raises(ValidationError) as caught:
        services.set_parties(case, actor=world.dispatcher, parties=parties())
    assert caught.value.code == "no_mediation"


def test_a_reader_who_may_not_act_is_refused(world):
    case = dispute_case(world)
    with pytest.raises(PermissionDenied):
        services.set_parties(case, actor=world.leader, parties=parties())


def test_a_failed_event_rolls_the_parties_back(world):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    with (
        mock.patch.object(DisputeEvent, "save", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.set_parties(case, actor=world.dispatcher, parties=parties(name="新名字"))
    assert DisputeParty.objects.filter(case=case, name="张三").exists()


def test_an_agreement_is_kept_under_a_random_name_with_an_event(world, media):
    case = dispute_case(world)
    agreement = services.attach_agreement(
        case, actor=world.grid_worker, file=pdf(), signed_on=date(2026, 1, 5)
    )
    assert agreement.name == "调解协议.pdf"
    assert agreement.file.name.startswith("disputes/") and agreement.file.name.endswith(".pdf")
    assert "调解" not in agreement.file.name
    event = DisputeEvent.objects.get(case=case)
    assert event.kind == DisputeEventKind.AGREEMENT_ATTACHED
    assert event.data["agreement"] == agreement.pk


def test_html_named_pdf_is_refused(world, media):
    case = dispute_case(world)
    with pytest.raises(ValidationError) as caught:
        services.attach_agreement(
            case, actor=world.dispatcher, file=html(), signed_on=date(2026, 1, 5)
        )
    assert codes(caught.value) == ["file_type"]
    assert not MediationAgreement.objects.exists()


def test_an_agreement_over_20_mb_is_refused(world, media):
    case = dispute_case(world)
    big = pdf()
    big.size = services.MAX_AGREEMENT_BYTES + 1
    with pytest.raises(ValidationError) as caught:
        services.attach_agreement(
            case, actor=world.dispatcher, file=big, signed_on=date(2026, 1, 5)
        )
    assert codes(caught.value) == ["file_size"]


def test_a_future_signing_date_is_refused(world, media):
    case = dispute_case(world)
    with pytest.raises(ValidationError) as caught:
        services.attach_agreement(
            case,
            actor=world.dispatcher,
            file=pdf(),
            signed_on=timezone.localdate() + timedelta(days=1),
        )
    assert codes(caught.value) == ["future"]


def test_events_are_append_only(world):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    event = DisputeEvent.objects.get(case=case)
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
