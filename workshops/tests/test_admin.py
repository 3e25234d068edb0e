"""The admin: every workshops model listed; a workshop filed, figures entered, a posting
published and closed there go through the services and leave their events."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from orgs.models import Organisation, OrgKind
from workshops.models import (
    JobPosting,
    PostingStatus,
    WorkshopEvent,
    WorkshopEventKind,
    WorkshopProfile,
    WorkshopYear,
)


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "workshopprofile",
        "workshopyear",
        "helpedhousehold",
        "jobposting",
        "placement",
        "workshopevent",
    ],
)
def test_each_model_is_listed(admin_client_, ws, model):
    assert admin_client_.get(reverse(f"admin:workshops_{model}_changelist")).status_code == 200


def test_filing_in_the_admin_goes_through_the_service(admin_client_, ws, world):
    org = Organisation.objects.create(kind=OrgKind.WORKSHOP, name="新工坊", region=world.grid)
    answer = admin_client_.post(
        reverse("admin:workshops_workshopprofile_add"),
        {"organisation": org.pk, "type": "brand", "jobs": 5, "description": ""},
    )
    assert answer.status_code == 302, answer.content[:2000]
    profile = WorkshopProfile.objects.get(organisation=org)
    assert profile.town == world.town
    assert WorkshopEvent.objects.filter(
        workshop=profile, kind=WorkshopEventKind.REGISTERED, actor=world.admin
    ).exists()
    url = reverse("admin:workshops_workshopprofile_change", args=[profile.pk])
    admin_client_.post(url, {"organisation": org.pk, "type": "hiring", "jobs": 9})
    profile.refresh_from_db()
    assert profile.type == "brand"  # a file is read only there


def test_figures_in_the_admin(admin_client_, ws):
    answer = admin_client_.post(
        reverse("admin:workshops_workshopyear_add"),
        {
            "workshop": ws.shop.pk,
            "year": 2026,
            "quarter": 2,
            "jobs": 1,
            "households": 2,
            "income": "3",
            "output": "4",
        },
    )
    assert answer.status_code == 302
    assert WorkshopYear.objects.filter(workshop=ws.shop, quarter=2).exists()
    assert WorkshopEvent.objects.filter(
        kind=WorkshopEventKind.FIGURES, actor__isnull=False
    ).exists()


def test_posting_published_and_closed_in_the_admin(admin_client_, ws, world):
    answer = admin_client_.post(
        reverse("admin:workshops_jobposting_add"),
        {
            "employer": world.enterprise.pk,
            "title": "包装工",
            "positions": 3,
            "region": world.town.pk,
            "tags": [ws.tags["残疾"].pk],
            "posted_on": "2026-04-01",
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    posting = JobPosting.objects.get(title="包装工")
    assert list(posting.tags.values_list("name", flat=True)) == ["残疾"]
    assert posting.events.get().kind == WorkshopEventKind.POSTED
    admin_client_.post(
        reverse("admin:workshops_jobposting_changelist"),
        {"action": "close", "_selected_action": [posting.pk]},
    )
    posting.refresh_from_db()
    assert posting.status == PostingStatus.CLOSED


def test_a_refusal_by_the_service_is_a_message_not_a_server_error(admin_client_, ws):
    url = reverse("admin:workshops_workshopyear_add")
    data = {"workshop": ws.shop.pk, "year": 2999, "quarter": 2, "jobs": 1, "households": 2}
    answer = admin_client_.post(url, {**data, "income": "3", "output": "4"}, follow=True)
    assert answer.status_code == 200
    assert [m.level_tag for m in answer.context["messages"]] == ["error"]
    assert not WorkshopYear.objects.filter(year=2999).exists()
