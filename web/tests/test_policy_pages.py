"""The policy pages: scope (404 outside it, no firm lists for requesters), list filters and
search, the page's content, the writers' forms, attachments, the 免申即享 export, query pins."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.tests.world import make_user
from enterprises import policies as services
from enterprises.models import (
    Honour,
    HonourAward,
    Policy,
    PolicyEvent,
    PolicyEventKind,
    PolicyGrant,
    PolicyStatus,
    YearFigures,
)
from enterprises.reference import ensure_honours
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import Role


@pytest.fixture
def honours(db) -> None:
    ensure_honours()


def make_policy(world, *, publish=True, conditions=None, **fields) -> Policy:
    values = {
        "title": "德化县陶瓷企业设备更新补助",
        "issuer": "德化县工业和信息化局",
        "category": "equipment",
        "valid_from": date(2026, 1, 1),
        "summary": "购置陶瓷生产设备按投资额给予补助",
        "manual_conditions": "近三年无重大安全事故\n依法纳税",
        "max_amount": Decimal("50"),
        **fields,
    }
    policy = services.create_policy(
        actor=world.admin,
        conditions=conditions
        if conditions is not None
        else [{"attribute": "honour", "values": ["high_tech", "above_scale_industry"]}],
        **values,
    )
    if publish:
        services.publish_policy(policy, actor=world.admin)
    return policy


def qualify(enterprise) -> None:
    HonourAward.objects.create(
        enterprise=enterprise, honour=Honour.objects.get(code="high_tech"), year=2026
    )
    YearFigures.objects.create(enterprise=enterprise, year=2025, output_value=3000, tax=100)


def url(policy) -> str:
    return reverse("policies:policy-detail", args=[policy.pk])


def other_town_firm(world, name="龙浔瓷业有限公司") -> Organisation:
    return Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name=name,
        region=world.other_town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y20001"),
    )


pytestmark = pytest.mark.usefixtures("honours")


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(reverse("policies:policy-list"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_list_shows_published_policies_to_readers_and_drafts_to_writers(world, client):
    make_policy(world, title="已发布的政策")
    make_policy(world, title="草稿政策", publish=False)
    client.force_login(world.handler)
    body = client.get(reverse("policies:policy-list")).content.decode()
    assert "已发布的政策" in body and "草稿政策" not in body
    client.force_login(world.dispatcher)
    body = client.get(reverse("policies:policy-list")).content.decode()
    assert "已发布的政策" in body and "草稿政策" in body


def test_the_list_filters_and_searches(world, client):
    make_policy(world, title="新招员工一次性用工补贴", category="employment", summary="稳岗")
    make_policy(world, title="设备更新补助", exempt_application=True)
    make_policy(
        world, title="过期政策", valid_from=date(2024, 1, 1), valid_until=date(2024, 12, 31)
    )
    client.force_login(world.handler)
    listing = reverse("policies:policy-list")

    def titles(**query) -> list[str]:
        response = client.get(listing, query)
        return [p.title for p in response.context["policies"]]

    assert titles(category="employment") == ["新招员工一次性用工补贴"]
    assert titles(exempt="on") == ["设备更新补助"]
    assert "过期政策" not in titles(valid_now="on")
    assert titles(q="用工补贴") == ["新招员工一次性用工补贴"]
    assert client.get(listing, {"category": "<script>"}).status_code == 200


def test_the_page_shows_conditions_in_words_the_checklist_firms_and_grants(world, client):
    qualify(world.enterprise)
    policy = make_policy(world, exempt_application=True)
    services.record_grant(
        policy, world.enterprise, "20", date(2026, 3, 1), "首批", actor=world.admin
    )
    client.force_login(world.dispatcher)
    response = client.get(url(policy))
    body = response.content.decode()
    assert response.status_code == 200
    assert "荣誉资质：高新技术企业 或 规上工业企业" in body
    assert 'type="checkbox"> 近三年无重大安全事故' in body
    link = reverse("enterprises:enterprise-detail", args=[world.enterprise.pk])
    assert f'<a href="{link}">{world.enterprise.name}</a>' in body
    assert "20.00" in body and "首批" in body
    assert response.context["case_count"] == 0
    assert "高新技术企业（2026）" in body  # the 免申即享 list's facts
    assert 'id="publish-form"' not in body and 'id="withdraw-form"' in body


def test_a_firm_outside_the_readers_scope_is_not_listed(world, client):
    qualify(world.enterprise)
    other = other_town_firm(world)
    qualify(other)
    policy = make_policy(world)
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.town))
    firms = client.get(url(policy)).context["firms"]
    assert firms == [world.enterprise]
    client.force_login(world.admin)
    assert set(client.get(url(policy)).context["firms"]) == {world.enterprise, other}


def test_a_liaison_reads_the_policy_but_sees_no_firms(world, client):
    qualify(world.enterprise)
    policy = make_policy(world, exempt_application=True)
    client.force_login(world.liaison)
    response = client.get(url(policy))
    body = response.content.decode()
    assert response.status_code == 200 and policy.title in body
    assert 'id="matches"' not in body and world.enterprise.name not in body
    export = reverse("policies:policy-exempt-export", args=[policy.pk])
    assert client.get(export).status_code == 404


@pytest.mark.parametrize("who", ["handler", "grid_worker", "liaison", "outsider"])
def test_a_draft_is_a_404_for_non_writers(world, client, who):
    policy = make_policy(world, publish=False)
    client.force_login(getattr(world, who))
    assert client.get(url(policy)).status_code == 404


def test_a_user_without_a_role_gets_404_everywhere(world, client):
    policy = make_policy(world)
    client.force_login(world.outsider)
    assert client.get(reverse("policies:policy-list")).status_code == 404
    assert client.get(url(policy)).status_code == 404


def test_a_writer_creates_a_policy_with_conditions_added_by_htmx(world, client):
    client.force_login(world.dispatcher)
    row = client.get(reverse("policies:condition-row"), {"index": 3})
    assert 'name="c3-attribute"' in row.content.decode() and "index=4" in row.content.decode()
    response = client.post(
        reverse("policies:policy-create"),
        {
            "title": "新招员工一次性用工补贴",
            "issuer": "德化县人社局",
            "category": "employment",
            "valid_from": "2026-01-01",
            "owner": world.dept.pk,
            "c0-attribute": "honour",
            "c0-values": "高新技术企业、规上工业企业",
            "c1-attribute": "",
            "c3-attribute": "output_value",
            "c3-minimum": "2000",
            "c4-attribute": "region",
            "c4-values": "浔中镇",
            "c5-attribute": "size",
            "c5-values": "小型，微型",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = Policy.objects.get()
    assert policy.status == PolicyStatus.DRAFT and policy.owner == world.dept
    assert list(policy.conditions.values_list("attribute", "values")) == [
        ("honour", ["high_tech", "above_scale_industry"]),
        ("output_value", []),
        ("region", [world.town.pk]),
        ("size", ["small", "micro"]),
    ]
    edit = client.get(reverse("policies:policy-edit", args=[policy.pk])).content.decode()
    assert "高新技术企业、规上工业企业" in edit and "浔中镇" in edit


def test_bad_conditions_come_back_in_chinese(world, client):
    client.force_login(world.dispatcher)
    response = client.post(
        reverse("policies:policy-create"),
        {
            "title": "政策",
            "issuer": "人社局",
            "category": "employment",
            "valid_from": "2026-02-01",
            "valid_until": "2026-01-01",
            "c0-attribute": "honour",
            "c0-values": "诺贝尔奖",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and not Policy.objects.exists()
    assert "第 1 条条件：未知的取值：诺贝尔奖。" in body and "截止日期不能早于生效日期。" in body
    response = client.post(
        reverse("policies:policy-create"),
        {
            "title": "政策",
            "issuer": "人社局",
            "category": "employment",
            "valid_from": "2026-02-01",
            "valid_until": "2026-01-01",
        },
    )
    assert "截止日期不能早于生效日期。" in response.content.decode()


def test_non_writers_cannot_open_the_forms(world, client):
    client.force_login(world.handler)
    assert client.get(reverse("policies:policy-create")).status_code == 403
    policy = make_policy(world)
    assert client.post(reverse("policies:policy-withdraw", args=[policy.pk])).status_code == 403


def test_publish_withdraw_and_grant_through_the_page(world, client):
    qualify(world.enterprise)
    policy = make_policy(world, publish=False)
    client.force_login(world.dispatcher)
    assert client.post(reverse("policies:policy-publish", args=[policy.pk])).status_code == 302
    response = client.post(
        reverse("policies:policy-grant", args=[policy.pk]),
        {"enterprise": world.enterprise.pk, "amount": "15", "granted_on": "2026-02-01"},
    )
    assert response.status_code == 302
    assert PolicyGrant.objects.get().amount == Decimal("15.00")
    # A published policy's page leads its writer to push briefing tasks for it.
    page = client.get(reverse("policies:policy-detail", args=[policy.pk])).content.decode()
    assert f"{reverse('outreach:briefings')}?policy={policy.pk}" in page
    response = client.post(
        reverse("policies:policy-grant", args=[policy.pk]),
        {"enterprise": world.enterprise.pk, "amount": "-1", "granted_on": "2026-02-01"},
    )
    assert response.status_code == 400
    client.post(reverse("policies:policy-withdraw", args=[policy.pk]), {"reason": "到期"})
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.WITHDRAWN
    response = client.post(reverse("policies:policy-publish", args=[policy.pk]))
    assert response.status_code == 400 and "只有草稿可以发布。" in response.content.decode()
    kinds = set(PolicyEvent.objects.values_list("kind", flat=True))
    assert PolicyEventKind.GRANTED in kinds and PolicyEventKind.WITHDRAWN in kinds


def test_an_html_upload_is_refused_and_a_pdf_is_served_as_a_download(
    world, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    policy = make_policy(world)
    client.force_login(world.dispatcher)
    attach = reverse("policies:policy-attach", args=[policy.pk])
    html = SimpleUploadedFile("通知.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = client.post(attach, {"file": html})
    assert response.status_code == 400 and "类型不支持" in response.content.decode()
    pdf = SimpleUploadedFile("实施细则", b"%PDF-1.7 test", "text/html")
    assert client.post(attach, {"file": pdf}).status_code == 302
    attachment = policy.attachments.get()
    client.force_login(world.handler)
    response = client.get(reverse("policies:policy-attachment", args=[policy.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(world.outsider)
    response = client.get(reverse("policies:policy-attachment", args=[policy.pk, attachment.pk]))
    assert response.status_code == 404


def test_the_exempt_export_keeps_a_formula_looking_name_as_text(world, client):
    firm = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name='=HYPERLINK("http://evil","点我")',
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y30001"),
    )
    qualify(firm)
    policy = make_policy(world, exempt_application=True)
    client.force_login(world.dispatcher)
    response = client.get(reverse("policies:policy-exempt-export", args=[policy.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3))
    cell = rows[0][0]
    assert cell.value == '=HYPERLINK("http://evil","点我")' and cell.data_type == "s"
    assert rows[0][3].value == 50


def test_the_list_and_the_page_run_in_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    for n in range(8):
        firm = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name=f"企业{n}",
            region=world.town,
            credit_code=make_credit_code("9", "1", "350526", f"MA2Y4{n:04d}"),
        )
        qualify(firm)
    policy = make_policy(
        world,
        exempt_application=True,
        conditions=[
            {"attribute": "honour", "values": ["high_tech"]},
            {"attribute": "region", "values": [world.county.pk]},
        ],
    )
    for n in range(5):
        make_policy(world, title=f"政策{n}")
    client.force_login(world.dispatcher)
    client.get(url(policy))  # warm the session
    with django_assert_max_num_queries(8):
        assert client.get(reverse("policies:policy-list"), {"q": "设备"}).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(url(policy)).status_code == 200
