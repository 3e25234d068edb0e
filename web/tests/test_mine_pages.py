"""我的诉求 on the phone: residents and enterprise liaisons report, follow, add information when
asked and rate the answer; nobody sees anyone else's demand, nor the office's internal notes."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Case, CaseAttachment, CaseEvent, Channel, Satisfaction, Status
from cases.tests.world import make_user
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import Person, Role

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
LIST = reverse("mine:list")
NEW = reverse("mine:report")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name: str = "lamp.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def form_data(world, **overrides):
    data = {
        "region": world.village.pk,
        "address": "浔中村委会旁",
        "description": "村口路灯坏了三盏，晚上出行很不方便，请尽快修理。",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def detail(case) -> str:
    return reverse("mine:detail", args=[case.pk])


def resident_case(world, **overrides) -> Case:
    fields = {
        "actor": world.resident,
        "case_type": world.types["resident_issue"],
        "region": world.village,
        "title": "村口路灯不亮",
        "description": "村口路灯坏了三盏。",
        "channel": Channel.WEB,
        "requester": world.resident.person,
    }
    fields.update(overrides)
    return services.report_case(**fields)


def assign(world, case) -> Case:
    case = services.triage_case(case, actor=world.dispatcher, category=world.category())
    return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


def answer(world, case, text="已更换路灯三盏，恢复照明。") -> Case:
    case = services.accept_case(assign(world, case), actor=world.handler)
    return services.answer_case(case, actor=world.handler, answer=text)


# --- Reporting ------------------------------------------------------------------------------


def test_a_resident_reports_with_a_photo_and_sees_it(world, client):
    client.force_login(world.resident)
    page = client.get(NEW)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="photos"' in body and "multiple" in body and 'accept="image/*"' in body
    assert "浔中村" in body and "龙浔第一网格" in body  # every village of the county
    response = client.post(NEW, {**form_data(world), "photos": [photo(), photo("b.jpg")]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(case)
    assert case.case_type.code == "resident_issue" and case.channel == Channel.WEB
    assert case.requester == world.resident.person and case.reported_by == world.resident
    assert case.region == world.village and case.address == "浔中村委会旁"
    assert case.title == "村口路灯坏了三盏，晚上出行很不方便"
    assert CaseAttachment.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.get(case=case).via == "web"

    page = client.get(detail(case))
    body = page.content.decode()
    assert f"您的诉求已提交，编号 {case.number}。" in body
    attachment = CaseAttachment.objects.filter(case=case).first()
    url = reverse("caseviews:case-attachment", args=[case.pk, attachment.pk])
    assert f'src="{url}"' in body
    assert client.get(url).status_code == 200
    assert case.number in client.get(LIST).content.decode()


def test_the_same_form_posted_twice_makes_one_case(world, client):
    client.force_login(world.resident)
    data = form_data(world)
    client.post(NEW, data)
    client.post(NEW, data)
    assert Case.objects.count() == 1


def test_a_file_that_is_not_a_photo_and_a_fourth_photo_are_refused(world, client):
    client.force_login(world.resident)
    response = client.post(NEW, {**form_data(world), "photos": [photo("x.jpg", b"<html>")]})
    assert response.status_code == 200 and "请上传照片" in response.content.decode()
    photos = [photo(f"{n}.jpg") for n in range(4)]
    response = client.post(NEW, {**form_data(world), "photos": photos})
    assert "最多上传 3 张照片" in response.content.decode()
    assert not Case.objects.exists()


def test_the_place_must_be_a_village(world, client):
    client.force_login(world.resident)
    response = client.post(NEW, form_data(world, region=world.grid.pk))
    assert response.status_code == 200 and not Case.objects.exists()


def test_a_liaisons_demand_goes_to_the_chain_committee_dispatcher(world, client):
    client.force_login(world.liaison)
    body = client.get(NEW).content.decode()
    assert "德化佳诚陶瓷有限公司（企业诉求）" in body and "个人（群众诉求）" not in body
    category = world.category("enterprise_demand")
    data = form_data(
        world, enterprise=world.enterprise.pk, region=world.town.pk, category=category.pk
    )
    response = client.post(NEW, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.case_type.code == "enterprise_demand" and case.enterprise == world.enterprise
    assert case.committee == world.chain_committee and case.category == category

    chain_dispatcher = make_user(
        "chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee
    )
    client.force_login(chain_dispatcher)
    assert client.get(reverse("caseviews:case-detail", args=[case.pk])).status_code == 200
    assert "triaged" in services.allowed_moves(case, chain_dispatcher)


def test_a_liaison_cannot_file_for_another_enterprise(world, client):
    other = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="德化另一陶瓷有限公司",
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00002"),
    )
    client.force_login(world.liaison)
    response = client.post(NEW, form_data(world, enterprise=other.pk))
    assert response.status_code == 200 and not Case.objects.exists()
    # And the engine refuses it whatever door is used.
    with pytest.raises(Exception, match="本企业"):
        services.report_case(
            actor=world.liaison,
            case_type=world.types["enterprise_demand"],
            region=world.town,
            title="用地",
            description="用地指标。",
            channel=Channel.WEB,
            enterprise=other,
        )


def test_staff_are_not_let_into_the_requesters_pages(world, client):
    client.force_login(world.dispatcher)
    assert client.get(LIST).status_code == 403


def test_a_requester_lands_on_my_demands_and_sees_only_that_menu(world, client):
    client.force_login(world.resident)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == LIST
    body = client.get(LIST).content.decode()
    assert "我的诉求" in body and "事项台账" not in body


# --- Seeing only one's own ------------------------------------------------------------------


def test_another_residents_case_is_not_found(world, client):
    case = resident_case(world)
    neighbour = make_user("neighbour", Role.RESIDENT, phone="13959009999")
    client.force_login(neighbour)
    assert client.get(detail(case)).status_code == 404
    assert case.number not in client.get(LIST).content.decode()
    info, rate = reverse("mine:add-info", args=[case.pk]), reverse("mine:rate", args=[case.pk])
    assert client.post(info, {"info": "x", "version": case.version}).status_code == 404
    assert client.post(rate, {"satisfaction": "satisfied"}).status_code == 404


def test_a_case_naming_the_resident_as_requester_is_theirs(world, client):
    case = world.report(requester=world.resident.person)  # registered by the grid worker
    client.force_login(world.resident)
    body = client.get(detail(case)).content.decode()
    assert case.title in body


# --- Asked for information ------------------------------------------------------------------


def test_the_requester_sees_the_question_and_adds_information(world, client):
    case = resident_case(world)
    case = services.request_info(
        case, actor=world.dispatcher, question="请补充路灯的具体位置和编号。"
    )
    client.force_login(world.resident)
    row = client.get(LIST).content.decode()
    assert "请补充信息" in row
    body = client.get(detail(case)).content.decode()
    assert "请补充路灯的具体位置和编号。" in body and "提交补充信息" in body

    response = client.post(
        reverse("mine:add-info", args=[case.pk]),
        {"info": "在村委会东侧，编号 17 至 19。", "version": case.version, "photos": [photo()]},
    )
    assert response.status_code == 302 and response["Location"] == detail(case)
    case.refresh_from_db()
    assert case.info_requested_at is None
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.reason, event.via) == (
        "info_added",
        "在村委会东侧，编号 17 至 19。",
        "web",
    )
    assert CaseAttachment.objects.filter(case=case, uploaded_by=world.resident).count() == 1

    body = client.get(detail(case)).content.decode()
    assert "已补充信息，办理单位将继续办理。" in body
    assert "提交补充信息" not in body and "您已补充信息" in body
    assert "在村委会东侧" in body


def test_information_is_required(world, client):
    case = services.request_info(resident_case(world), actor=world.dispatcher, question="位置？")
    client.force_login(world.resident)
    response = client.post(
        reverse("mine:add-info", args=[case.pk]), {"info": "", "version": case.version}
    )
    assert response.status_code == 200 and "请填写补充内容" in response.content.decode()


# --- Rating ---------------------------------------------------------------------------------


def test_the_requester_rates_the_answer_and_it_is_the_return_visit(world, client):
    case = answer(world, resident_case(world))
    client.force_login(world.resident)
    assert "已答复，请您评价" in client.get(LIST).content.decode()
    body = client.get(detail(case)).content.decode()
    assert "已更换路灯三盏，恢复照明。" in body and "提交评价" in body
    assert "满意" in body and "基本满意" in body and "不满意" in body

    response = client.post(
        reverse("mine:rate", args=[case.pk]),
        {
            "version": case.version,
            "satisfaction": Satisfaction.SATISFIED,
            "resolved": "1",
            "contacted": "1",
            "comment": "修得很快，谢谢！",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.visit_valid and case.visit_passed
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.actor, event.reason) == ("rated", world.resident, "修得很快，谢谢！")

    body = client.get(detail(case)).content.decode()
    assert "感谢您的评价！" in body and "您已评价：满意。" in body and "提交评价" not in body

    client.force_login(world.dispatcher)
    staff = client.get(reverse("caseviews:case-detail", args=[case.pk])).content.decode()
    assert "群众评价" in staff and "修得很快，谢谢！" in staff


def test_a_rating_without_satisfaction_is_refused_on_the_form(world, client):
    case = answer(world, resident_case(world))
    client.force_login(world.resident)
    response = client.post(
        reverse("mine:rate", args=[case.pk]), {"version": case.version, "resolved": "1"}
    )
    assert response.status_code == 200 and "请选择满意度" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ANSWERED


def test_a_stale_rating_shows_the_fresh_case(world, client):
    case = answer(world, resident_case(world))
    services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
    )
    client.force_login(world.resident)
    response = client.post(
        reverse("mine:rate", args=[case.pk]),
        {"version": case.version, "satisfaction": "satisfied", "resolved": "1", "contacted": "1"},
    )
    assert response.status_code == 302 and response["Location"] == detail(case)


# --- Plain words, masked names, no internal notes -------------------------------------------


def test_the_timeline_is_in_plain_words_with_staff_names_masked(world, client):
    Person.objects.filter(pk=world.handler.person_id).update(name="陈建国")
    case = answer(world, resident_case(world))
    client.force_login(world.resident)
    body = client.get(detail(case)).content.decode()
    assert "您的诉求已交办至人社局，办理期限" in body
    assert "人社局已答复：" in body
    assert "陈**" in body and "陈建国" not in body


def test_the_office_may_show_staff_names(world, client, settings):
    settings.LIANXIN = {**settings.LIANXIN, "MASK_STAFF_FOR_REQUESTERS": False}
    Person.objects.filter(pk=world.handler.person_id).update(name="陈建国")
    case = answer(world, resident_case(world))
    client.force_login(world.resident)
    assert "陈建国" in client.get(detail(case)).content.decode()


def test_internal_notes_are_never_shown_to_the_requester(world, client):
    case = assign(world, resident_case(world))
    case = services.supervise_case(case, actor=world.dispatcher, note="督办内部意见甲")
    case = services.send_back(
        case, actor=world.handler, reason_code="not_remit", reason="退单内部理由乙"
    )
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.other_dept)
    case = services.accept_case(case, actor=world.other_handler)
    case = services.request_extension(
        case,
        actor=world.other_handler,
        until=case.deadline + (case.deadline - case.assigned_at),
        reason="延期内部理由丙",
    )
    case = services.approve_extension(case, actor=world.dispatcher)
    case = services.add_progress_note(case, actor=world.other_handler, note="进展内部记录丁")
    duplicate = resident_case(world, title="重复")
    services.merge_case(duplicate, actor=world.dispatcher, master=case, note="合并内部说明戊")
    client.force_login(world.resident)
    body = client.get(detail(case)).content.decode()
    for secret in ("督办内部意见甲", "退单内部理由乙", "延期内部理由丙", "进展内部记录丁"):
        assert secret not in body
    assert "市场监管局" in body and "办理期限延长至" in body
    merged = client.get(detail(duplicate)).content.decode()
    assert "合并内部说明戊" not in merged and "合并办理" in merged


def test_the_place_search_finds_villages_by_name_or_pinyin(world, client):
    client.force_login(world.resident)
    url = reverse("mine:places")
    found = client.get(url, {"q": "浔中"}).json()["results"]
    assert [r["name"] for r in found] == ["浔中村"]  # villages only, not the town
    assert found[0]["id"] == world.village.pk and "浔中镇" in found[0]["path"]
    assert [r["name"] for r in client.get(url, {"q": "xzc"}).json()["results"]] == ["浔中村"]
    assert client.get(url, {"q": "x" * 60}).status_code == 400
    client.force_login(world.dispatcher)
    assert client.get(url, {"q": "浔中"}).status_code == 403


def test_a_requester_on_the_staff_case_page_is_sent_to_their_own_page(world, client):
    """The staff page shows internal notes and staff names; a resident reads their case on
    我的诉求 instead."""
    case = world.report(actor=world.resident, channel=Channel.WEB, requester=world.resident.person)
    client.force_login(world.resident)
    response = client.get(reverse("caseviews:case-detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mine:detail", args=[case.pk])
