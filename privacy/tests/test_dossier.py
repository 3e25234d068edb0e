"""个人信息导出: what an export holds about a person, in JSON and Excel (formulas defused), who
may make one, in what scope, and the log each one writes."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from cases.models import Channel, EventKind
from cases.tests.world import make_user
from notify.models import Channel as NotifyChannel
from notify.models import DeliveryStatus, Notification
from people.models import (
    EnterpriseLink,
    EnterpriseLinkKind,
    Household,
    Role,
    User,
)
from privacy import dossier
from privacy.models import Door, PersonExport, RequesterAccess
from privacy.services import record_case_access

pytestmark = pytest.mark.django_db

PHONE = "13959001234"  # the world's resident
ID_NUMBER = "35052619800101123X"


@pytest.fixture
def held(world):
    """What the platform holds about the resident: cases (linked, and by number only), a
    household, an enterprise link, a notification, an access by a dispatcher."""
    person = world.resident.person
    person.id_number = ID_NUMBER
    person.save()
    linked = world.report(
        actor=world.resident,
        channel=Channel.WEB,
        requester=person,
        requester_name="",
        requester_phone="",
        title='=HYPERLINK("http://evil.example","点我")',
        description="+1 路灯不亮",
    )
    by_number = services.accept_case(
        world.assigned(requester_name="王女士", requester_phone=PHONE), actor=world.handler
    )
    by_number = services.supervise_case(by_number, actor=world.dispatcher, note="内部督办意见")
    by_number = services.answer_case(
        by_number, actor=world.handler, answer="已维修路灯，恢复照明。"
    )
    elsewhere = world.report(region=world.other_grid, requester_phone=PHONE)
    Household.objects.create(
        head_name="王秀英", head_id_number=ID_NUMBER, phone=PHONE, region=world.grid, members=3
    )
    EnterpriseLink.objects.create(
        person=person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LIAISON
    )
    Notification.objects.create(
        kind=EventKind.ANSWERED,
        case=by_number,
        user=world.resident,
        channel=NotifyChannel.INBOX,
        text="@您的诉求已答复",
        status=DeliveryStatus.SENT,
        created_at=timezone.now(),
        dedup_key=f"privacy-test-{by_number.pk}",
    )
    record_case_access(world.dispatcher, by_number, door=Door.WEB, purpose="查看事项详情")
    return {"linked": linked, "by_number": by_number, "elsewhere": elsewhere}


def _granted(user: User) -> User:
    user.user_permissions.add(
        Permission.objects.get(codename="export_person", content_type__app_label="privacy")
    )
    return User.objects.get(pk=user.pk)  # a fresh copy: permissions are cached per object


def _json(made: dossier.PersonDossier) -> dict:
    return json.loads(dossier.as_json(made))


def test_an_administrator_exports_everything_held_about_the_person(world, held):
    made = dossier.export_person(world.admin, phone=PHONE, reason="本人申请查阅", fmt="json")
    data = _json(made)
    assert data["subject"] == "139****1234" and data["reason"] == "本人申请查阅"
    assert [p["id_number"] for p in data["people"]] == [ID_NUMBER]
    numbers = {c["number"] for c in data["cases"]}
    assert numbers == {held["linked"].number, held["by_number"].number, held["elsewhere"].number}
    assert data["households"][0]["head_id_number"] == ID_NUMBER
    assert data["enterprise_links"][0]["enterprise"] == world.enterprise.name
    assert [n["text"] for n in data["notifications"]] == ["@您的诉求已答复"]
    assert [a["case"] for a in data["accesses"]] == [held["by_number"].number]


def test_the_events_are_those_a_requester_reads(world, held):
    data = _json(dossier.export_person(world.admin, phone=PHONE, reason="本人申请", fmt="json"))
    kinds = [e["kind"] for e in data["events"]]
    assert "督办" not in kinds  # an internal step
    texts = " ".join(e["text"] for e in data["events"])
    assert "已维修路灯，恢复照明。" in texts and "内部督办意见" not in texts


def test_an_id_number_finds_the_person_and_their_linked_cases(world, held):
    data = _json(
        dossier.export_person(world.admin, id_number=ID_NUMBER.lower(), reason="协查", fmt="json")
    )
    assert [p["phone"] for p in data["people"]] == [PHONE]
    assert {c["number"] for c in data["cases"]} == {held["linked"].number}
    assert len(data["households"]) == 1


def test_each_export_is_logged_with_who_whom_when_and_why(world, held):
    made = dossier.export_person(world.admin, phone=PHONE, reason="本人申请查阅", fmt="xlsx")
    export = PersonExport.objects.get()
    assert export == made.export
    assert (export.actor, export.person, export.subject) == (
        world.admin,
        world.resident.person,
        "139****1234",
    )
    assert export.reason == "本人申请查阅" and export.format == "xlsx"
    assert export.counts["cases"] == 3 and "诉求事项 3" in export.counts_text
    access = RequesterAccess.objects.get(door=Door.EXPORT)
    assert (access.user, access.phone, access.count) == (world.admin, PHONE, 3)
    assert "本人申请查阅" in access.purpose


def test_the_workbook_defuses_formulas_and_keeps_every_section(world, held):
    made = dossier.export_person(world.admin, phone=PHONE, reason="本人申请", fmt="xlsx")
    workbook = load_workbook(io.BytesIO(dossier.as_xlsx(made)))
    assert workbook.sheetnames[0] == "说明"
    assert "诉求事项" in workbook.sheetnames and "查阅记录" in workbook.sheetnames
    cells = [c for row in workbook["诉求事项"].iter_rows() for c in row if c.value]
    titles = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert [c.value for c in titles] == ['\'=HYPERLINK("http://evil.example","点我")']
    assert all(c.data_type == "s" for c in titles)
    assert "'+1 路灯不亮" in [c.value for c in cells]
    notes = [c.value for row in workbook["通知记录"].iter_rows() for c in row]
    assert "'@您的诉求已答复" in notes


def test_spreadsheet_safe_prefixes_each_formula_start():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)"):
        assert dossier.spreadsheet_safe(text) == "'" + text
    assert dossier.spreadsheet_safe("路灯") == "路灯" and dossier.spreadsheet_safe(3) == 3


def test_a_reason_is_required_and_nothing_is_logged_without_one(world, held):
    with pytest.raises(ValidationError) as refused:
        dossier.export_person(world.admin, phone=PHONE, reason="  ", fmt="json")
    assert "reason" in refused.value.message_dict
    assert not PersonExport.objects.exists()


def test_a_query_is_required_and_checked(world, held):
    with pytest.raises(ValidationError) as missing:
        dossier.export_person(world.admin, reason="协查", fmt="json")
    assert "phone" in missing.value.message_dict
    with pytest.raises(ValidationError) as bad:
        dossier.export_person(world.admin, id_number="12345", reason="协查", fmt="json")
    assert "id_number" in bad.value.message_dict


def test_nobody_found_is_an_error_not_an_empty_export(world, held):
    with pytest.raises(ValidationError):
        dossier.export_person(world.admin, phone="13000000000", reason="协查", fmt="json")
    assert not PersonExport.objects.exists()


@pytest.mark.parametrize("who", ["handler", "grid_worker", "leader", "resident", "dispatcher"])
def test_only_administrators_and_authorised_dispatchers_export(world, held, who):
    with pytest.raises(PermissionDenied):
        dossier.export_person(getattr(world, who), phone=PHONE, reason="协查", fmt="json")
    assert not PersonExport.objects.exists()


def test_a_handler_with_the_permission_still_may_not_export(world, held):
    with pytest.raises(PermissionDenied):
        dossier.export_person(_granted(world.handler), phone=PHONE, reason="协查", fmt="json")


def test_an_authorised_dispatcher_exports_only_what_is_in_their_scope(world, held):
    town = _granted(make_user("privacy-town", Role.DISPATCHER, region=world.town))
    data = _json(dossier.export_person(town, phone=PHONE, reason="协查", fmt="json"))
    numbers = {c["number"] for c in data["cases"]}
    assert numbers == {held["linked"].number, held["by_number"].number}
    assert held["elsewhere"].number not in json.dumps(data, ensure_ascii=False)
    # The resident has no place on file: still theirs to export, as the requester of a case.
    assert [p["name"] for p in data["people"]] == ["王秀英"]
    assert len(data["households"]) == 1  # in the town
    county = _granted(world.dispatcher)
    assert (
        len(_json(dossier.export_person(county, phone=PHONE, reason="协查", fmt="json"))["cases"])
        == 3
    )
