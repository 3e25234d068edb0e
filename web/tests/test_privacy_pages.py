"""个人信息保护 on the pages: 对承办单位保密 from intake to the unit's pages, the case page's
隐私设置, the access log written where the requester is shown unmasked (and only there), the
administrators' 查阅记录, 个人信息导出 and the requester's 谁查看了我的信息."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Channel
from cases.tests.world import make_user
from people.models import Role, User
from privacy.models import CasePrivacyChange, Door, PersonExport, PrivacyFlag, RequesterAccess

NOTICE = "诉求人要求对承办单位保密，请通过热线中心联系"


def page(case: Case) -> str:
    return reverse("caseviews:case-detail", args=[case.pk])


def _anonymous_assigned(world, **overrides) -> Case:
    """An anonymous case assigned to the world's department, with the other as co-unit."""
    case = services.triage_case(
        world.report(anonymous_to_unit=True, **overrides), actor=world.dispatcher
    )
    return services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )


def _filed_by_the_resident(world, **overrides) -> Case:
    """A demand the resident filed on the phone pages, anonymous to the units, then assigned."""
    case = world.report(
        actor=world.resident,
        channel=Channel.WEB,
        requester=world.resident.person,
        requester_name="",
        requester_phone="",
        anonymous_to_unit=True,
        region=world.village,
        **overrides,
    )
    case = services.triage_case(case, actor=world.dispatcher)
    return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


# --- 对承办单位保密 on the unit's pages ------------------------------------------------------------


@pytest.mark.parametrize("who", ["handler", "other_handler"])
def test_the_units_see_an_anonymous_requester_masked_with_the_notice(world, client, who):
    case = _anonymous_assigned(world)
    client.force_login(getattr(world, who))
    body = client.get(page(case)).content.decode()
    assert "张*" in body and "139****5678" in body
    assert "张三" not in body and "13912345678" not in body
    assert NOTICE in body


def test_the_dispatcher_sees_an_anonymous_requester_with_a_badge_and_no_notice(world, client):
    case = _anonymous_assigned(world)
    client.force_login(world.dispatcher)
    body = client.get(page(case)).content.decode()
    assert "张三" in body and "13912345678" in body
    assert 'id="anonymous-badge"' in body and NOTICE not in body


def test_the_department_workbench_masks_it_too(world, client):
    case = _anonymous_assigned(world)
    client.force_login(world.handler)
    body = client.get(reverse("department:case", args=[case.pk])).content.decode()
    assert "13912345678" not in body and "张三" not in body and NOTICE in body


def test_a_resident_who_filed_is_not_named_as_reporter_or_in_the_timeline(world, client):
    case = _filed_by_the_resident(world)
    client.force_login(world.handler)
    body = client.get(page(case)).content.decode()
    assert "王秀英" not in body and "13959001234" not in body
    assert "王**" in body  # the reporter and the 受理登记 step, masked
    client.force_login(world.dispatcher)
    assert "王秀英" in client.get(page(case)).content.decode()


def test_an_anonymous_duplicate_stays_masked_on_its_masters_page(world, client):
    master = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.dept,
    )
    duplicate = world.report(
        anonymous_to_unit=True, requester_name="李四", requester_phone="13811112222"
    )
    services.merge_case(duplicate, actor=world.dispatcher, master=master, note="重复反映。")
    client.force_login(world.handler)
    body = client.get(page(master)).content.decode()
    assert "张三" in body  # the master's own requester: the lead unit calls them
    assert "李四" not in body and "13811112222" not in body and "李*" in body
    client.force_login(world.dispatcher)
    assert "13811112222" in client.get(page(master)).content.decode()


# --- The access log ---------------------------------------------------------------------------


def test_opening_a_case_page_with_the_requester_unmasked_is_logged_once(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    client.get(page(case))
    [row] = RequesterAccess.objects.filter(case=case)
    assert (row.user, row.door, row.phone) == (world.dispatcher, Door.WEB, "13912345678")
    assert row.purpose == "查看事项详情"


def test_a_masked_page_a_list_and_a_move_are_not_logged(world, client):
    case = _anonymous_assigned(world)
    client.force_login(world.handler)
    client.get(page(case))  # masked: nothing shown, nothing logged
    client.get(reverse("caseviews:case-list"))
    client.force_login(world.dispatcher)
    client.get(reverse("caseviews:case-list"))
    client.get(reverse("dispatch:inbox"))
    client.post(
        reverse("caseviews:case-move", args=[case.pk, "supervised"]),
        {"version": case.version, "note": "请加快办理。"},
    )
    case.refresh_from_db()
    assert case.supervision_level == 1  # the move was made
    assert not RequesterAccess.objects.exists()


def test_a_case_without_a_requester_is_not_logged(world, client):
    case = world.report(requester_name="", requester_phone="")
    client.force_login(world.dispatcher)
    assert client.get(page(case)).status_code == 200
    assert not RequesterAccess.objects.exists()


def test_the_lead_units_workbench_page_is_logged(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    client.get(reverse("department:case", args=[case.pk]))
    assert RequesterAccess.objects.get().user == world.handler


# --- 隐私设置 on the case page -------------------------------------------------------------------


def _flags(case: Case) -> str:
    return reverse("privacy:case-flags", args=[case.pk])


def test_the_dispatcher_sets_the_flags_from_the_case_page(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    assert 'id="privacy-flags"' in client.get(page(case)).content.decode()
    response = client.post(
        _flags(case), {"anonymous_to_unit": "on", "reason": "来电人要求保密"}, follow=True
    )
    assert "隐私设置已保存" in response.content.decode()
    case.refresh_from_db()
    assert case.anonymous_to_unit is True and case.is_public is False  # 公开 left unticked
    logged = {(c.flag, c.value) for c in CasePrivacyChange.objects.filter(case=case)}
    assert logged == {(PrivacyFlag.ANONYMOUS_TO_UNIT, True), (PrivacyFlag.IS_PUBLIC, False)}
    client.force_login(world.handler)
    assert NOTICE in client.get(page(case)).content.decode()


def test_the_units_and_grid_staff_may_not_set_the_flags(world, client):
    case = world.assigned()
    for who in (world.handler, world.grid_worker):
        client.force_login(who)
        assert 'id="privacy-flags"' not in client.get(page(case)).content.decode()
        assert client.post(_flags(case), {"anonymous_to_unit": "on"}).status_code == 403
    client.force_login(world.other_grid_worker)  # outside its scope: unknown
    assert client.post(_flags(case), {"anonymous_to_unit": "on"}).status_code == 404
    assert client.get(_flags(case)).status_code in (403, 405)
    case.refresh_from_db()
    assert case.anonymous_to_unit is False and case.is_public is True


# --- Intake ------------------------------------------------------------------------------------


def _desk_call(world, **overrides) -> dict:
    data = {
        "form_token": str(uuid.uuid4()),
        "requester_phone": "13700001111",
        "requester_name": "陈先生",
        "channel": Channel.HOTLINE,
        "case_type": world.types["resident_issue"].pk,
        "place": "德化县 › 浔中镇 › 浔中村",
        "region": world.village.pk,
        "description": "村委会旁路灯坏了三天。晚上很黑。",
        "outcome": "register",
    }
    data.update(overrides)
    return data


def test_the_desk_registers_a_call_anonymous_and_not_public(world, client):
    client.force_login(world.operator)
    body = client.get(reverse("desk:desk")).content.decode()
    assert 'name="anonymous_to_unit"' in body and 'name="not_public"' in body
    response = client.post(
        reverse("desk:desk"), _desk_call(world, anonymous_to_unit="on", not_public="on")
    )
    assert response.status_code == 302
    case = Case.objects.get(requester_phone="13700001111")
    assert case.anonymous_to_unit is True and case.is_public is False
    change = CasePrivacyChange.objects.get(case=case)
    assert (change.actor, change.flag, change.value) == (
        world.operator,
        PrivacyFlag.IS_PUBLIC,
        False,
    )


def test_a_desk_call_without_the_boxes_is_public_and_known_to_the_units(world, client):
    client.force_login(world.dispatcher)
    client.post(reverse("desk:desk"), _desk_call(world))
    case = Case.objects.get(requester_phone="13700001111")
    assert case.anonymous_to_unit is False and case.is_public is True
    assert not CasePrivacyChange.objects.exists()


def test_the_grid_report_takes_the_wish(world, client):
    client.force_login(world.grid_worker)
    assert 'name="anonymous_to_unit"' in client.get(reverse("grid:report")).content.decode()
    client.post(
        reverse("grid:report"),
        {
            "case_type": world.types["resident_issue"].pk,
            "category": world.category().pk,
            "region": world.grid.pk,
            "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便。",
            "requester_name": "张三",
            "requester_phone": "13912345678",
            "anonymous_to_unit": "on",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert Case.objects.get(reported_by=world.grid_worker).anonymous_to_unit is True


def test_the_phone_pages_take_the_wish(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.resident)
    assert 'name="anonymous_to_unit"' in client.get(reverse("mine:report")).content.decode()
    response = client.post(
        reverse("mine:report"),
        {
            "region": world.village.pk,
            "description": "村口路灯坏了三盏，晚上出行很不方便，请尽快修理。",
            "anonymous_to_unit": "on",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(reported_by=world.resident).anonymous_to_unit is True


# --- 查阅记录 (administrators) -------------------------------------------------------------------


def test_the_access_log_page_is_for_administrators(world, client):
    case = world.assigned()
    client.force_login(world.dispatcher)
    client.get(page(case))
    assert client.get(reverse("privacy:access-log")).status_code == 403
    client.force_login(world.admin)
    body = client.get(reverse("privacy:access-log"), {"phone": "13912345678"}).content.decode()
    assert case.number in body and "查看事项详情" in body
    other = client.get(reverse("privacy:access-log"), {"phone": "13000000000"})
    assert case.number not in other.content.decode()
    for tab in ("exports", "flags", "nonsense"):
        assert client.get(reverse("privacy:access-log"), {"tab": tab}).status_code == 200


def test_the_administrators_menu_holds_the_entry(world, client):
    from web.nav import nav_for

    assert "个人信息保护" in {str(i.label) for i in nav_for(world.admin)}
    assert "个人信息保护" not in {str(i.label) for i in nav_for(world.dispatcher)}


# --- 个人信息导出 --------------------------------------------------------------------------------


EXPORT = reverse("privacy:person-export")


def _granted(user: User) -> User:
    user.user_permissions.add(
        Permission.objects.get(codename="export_person", content_type__app_label="privacy")
    )
    return user


@pytest.mark.parametrize("who", ["handler", "grid_worker", "dispatcher", "resident"])
def test_the_export_is_refused_to_anyone_unauthorised(world, client, who):
    world.report(requester_phone="13959001234")
    client.force_login(getattr(world, who))
    assert client.get(EXPORT).status_code == 403
    data = {"phone": "13959001234", "reason": "协查", "fmt": "json"}
    assert client.post(EXPORT, data).status_code == 403
    assert not PersonExport.objects.exists()


def test_an_authorised_dispatcher_downloads_a_workbook(world, client):
    case = world.report(requester_phone="13959001234", title="=1+2")
    client.force_login(_granted(world.dispatcher))
    assert client.get(EXPORT).status_code == 200
    response = client.post(EXPORT, {"phone": "13959001234", "reason": "本人申请", "fmt": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["诉求事项"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert case.number in values and "'=1+2" in values
    assert PersonExport.objects.get().actor == world.dispatcher
    # The export shows on the page's recent list, masked.
    assert "139****1234" in client.get(EXPORT).content.decode()


def test_the_export_as_json(world, client):
    world.report(requester_phone="13959001234")
    client.force_login(world.admin)
    response = client.post(EXPORT, {"phone": "13959001234", "reason": "本人申请", "fmt": "json"})
    assert response["Content-Type"] == "application/json"
    assert len(json.loads(response.content)["cases"]) == 1


def test_the_export_without_a_reason_or_a_query_is_refused_beside_the_field(world, client):
    world.report(requester_phone="13959001234")
    client.force_login(world.admin)
    response = client.post(EXPORT, {"phone": "13959001234", "reason": "", "fmt": "json"})
    assert response.status_code == 400 and "请填写导出事由" in response.content.decode()
    response = client.post(EXPORT, {"reason": "协查", "fmt": "json"})
    assert response.status_code == 400 and "请填写电话号码或身份证号" in response.content.decode()
    response = client.post(EXPORT, {"phone": "13000000000", "reason": "协查", "fmt": "json"})
    assert response.status_code == 400 and "没有找到" in response.content.decode()
    assert not PersonExport.objects.exists()


# --- 谁查看了我的信息 ----------------------------------------------------------------------------


def test_a_resident_sees_who_opened_their_details(world, client):
    case = _filed_by_the_resident(world)
    client.force_login(world.dispatcher)
    client.get(page(case))
    other = world.report(requester_phone="13800001111")
    client.get(page(other))  # someone else's details
    client.force_login(world.resident)
    assert reverse("privacy:mine") in client.get(reverse("mine:list")).content.decode()
    response = client.get(reverse("privacy:mine"))
    entries = response.context["entries"]
    assert [e["case"] for e in entries] == [case]
    body = response.content.decode()
    assert "查看事项详情" in body and "d*********" in body  # the staff name masked


def test_who_looked_is_for_requesters_only(world, client):
    client.force_login(world.handler)
    assert client.get(reverse("privacy:mine")).status_code == 403


def test_a_new_requester_without_views_sees_an_empty_list(world, client):
    resident = make_user("privacy-new", Role.RESIDENT, phone="13600000000")
    client.force_login(resident)
    assert "还没有工作人员查看过" in client.get(reverse("privacy:mine")).content.decode()


# --- A dispute's parties ----------------------------------------------------------------------


def test_the_lead_unit_neither_reads_nor_edits_an_anonymous_disputes_contacts(world, client):
    from disputes import services as disputes
    from disputes.tests.factories import dispute_case, parties

    case = dispute_case(world, anonymous_to_unit=True)
    disputes.set_parties(case, actor=world.dispatcher, parties=parties())
    case = services.triage_case(case, actor=world.dispatcher, category=world.category("dispute"))
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    client.force_login(world.handler)
    body = client.get(page(case)).content.decode()
    assert "13912345678" not in body and "dispute-parties-form" not in body
    response = client.post(
        reverse("disputes:case-parties", args=[case.pk]),
        {"role_0": "applicant", "name_0": "张*", "phone_0": "139****5678"},
    )
    assert response.status_code == 403
    client.force_login(world.dispatcher)
    assert "dispute-parties-form" in client.get(page(case)).content.decode()
