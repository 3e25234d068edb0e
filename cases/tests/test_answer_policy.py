"""An answer may cite the published policy it applied (依据政策): on the page form, in the API,
on the case and in the move's event, so "which demands were answered by which policy" counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases import forms as f
from cases import services
from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import fresh, module_world_fixture
from enterprises.models import Policy, PolicyStatus

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


def _policy(status: str = PolicyStatus.PUBLISHED, title: str = "设备更新补助") -> Policy:
    return Policy.objects.create(
        title=title,
        issuer="德化县工业和信息化局",
        document_number="德工信〔2026〕8号",
        valid_from=date(2026, 1, 1),
        status=status,
    )


def test_an_answer_cites_a_published_policy_on_the_case_and_its_event(world, clock):
    policy = _policy()
    case = services.accept_case(world.assigned(), actor=world.handler)
    case = fresh(services.answer_case(case, actor=world.handler, answer="已申报。", policy=policy))
    assert case.policy == policy
    event = CaseEvent.objects.filter(case=case, kind="answered").get()
    assert event.data["policy"] == policy.pk and event.data["policy_title"] == "设备更新补助"
    assert Case.objects.filter(policy=policy).count() == 1


@pytest.mark.parametrize("status", [PolicyStatus.DRAFT, PolicyStatus.WITHDRAWN])
def test_a_policy_not_in_force_is_refused_and_nothing_moves(world, clock, status):
    case = services.accept_case(world.assigned(), actor=world.handler)
    with pytest.raises(ValidationError) as refused:
        services.answer_case(case, actor=world.handler, answer="已申报。", policy=_policy(status))
    assert refused.value.error_dict["policy"][0].code == "policy_not_published"
    case = fresh(case)
    assert case.status == Status.IN_PROGRESS and case.policy is None


def test_a_later_answer_without_a_policy_clears_the_citation(world, clock):
    policy = _policy()
    case = services.accept_case(world.assigned(), actor=world.handler)
    case = services.answer_case(case, actor=world.handler, answer="已申报。", policy=policy)
    case = services.return_visit(
        fresh(case),
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=False,
        satisfaction="unsatisfied",
    )
    case = services.reopen_case(fresh(case), actor=world.dispatcher, reason="企业未获兑现。")
    case = services.answer_case(fresh(case), actor=world.handler, answer="补充：已兑现。")
    assert fresh(case).policy is None


def test_on_the_spot_resolution_may_cite_a_policy(world, clock):
    policy = _policy()
    case = world.report()
    case = services.resolve_on_spot(
        case, actor=world.grid_worker, answer="现场讲解政策。", policy=policy
    )
    assert fresh(case).policy == policy


def test_the_answer_form_offers_only_published_policies(world, clock):
    published, draft = _policy(), _policy(PolicyStatus.DRAFT, "草稿政策")
    case = services.accept_case(world.assigned(), actor=world.handler)
    data = {"version": case.version, "answer": "已申报。"}
    form = f.AnswerForm({**data, "policy": draft.pk}, case=case, user=world.handler)
    assert not form.is_valid() and "policy" in form.errors
    form = f.AnswerForm({**data, "policy": published.pk}, case=case, user=world.handler)
    assert form.is_valid(), form.errors
    assert form.arguments()["policy"] == published
