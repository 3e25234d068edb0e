"""The policy services: events, validation of fields and conditions, permission, status moves,
attachments judged by content, grants, tags; and who reads and writes policies."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.tests.world import make_user
from enterprises import policies as services
from enterprises import scope
from enterprises.models import (
    EnterpriseEvent,
    EnterpriseEventKind,
    EnterpriseTag,
    Policy,
    PolicyEvent,
    PolicyEventKind,
    PolicyStatus,
)
from people.models import Role

pytestmark = pytest.mark.usefixtures("honours")

FIELDS = {
    "title": "德化县陶瓷企业设备更新补助",
    "issuer": "德化县工业和信息化局",
    "category": "equipment",
    "valid_from": date(2026, 1, 1),
    "valid_until": date(2026, 12, 31),
    "max_amount": Decimal("50"),
}


def create(world, conditions=(), **fields):
    return services.create_policy(
        actor=world.dispatcher, conditions=conditions, **{**FIELDS, **fields}
    )


def code_of(error: pytest.ExceptionInfo, field: str) -> str:
    return error.value.error_dict[field][0].code


def test_creating_a_policy_stores_a_draft_its_conditions_and_an_event(world):
    p = create(
        world,
        [
            {"attribute": "honour", "values": ["high_tech", "high_tech", "little_giant"]},
            {"attribute": "output_value", "minimum": "2000"},
            {"attribute": "region", "values": [str(world.town.pk)]},
        ],
        title="  设备更新补助 ",
    )
    assert p.status == PolicyStatus.DRAFT and p.title == "设备更新补助"
    assert p.created_by == world.dispatcher
    rows = list(p.conditions.values_list("attribute", "values", "minimum"))
    assert rows == [
        ("honour", ["high_tech", "little_giant"], None),
        ("output_value", [], Decimal("2000")),
        ("region", [world.town.pk], None),
    ]
    event = PolicyEvent.objects.get(policy=p)
    assert event.kind == PolicyEventKind.CREATED and event.actor == world.dispatcher
    assert event.data["conditions"][1]["minimum"] == "2000.00"


@pytest.mark.parametrize(
    ("condition", "code", "words"),
    [
        ({"attribute": "colour", "values": ["红"]}, "invalid_attribute", "未知的条件项"),
        ({"attribute": "honour", "values": ["nobel"]}, "unknown_value", "nobel"),
        ({"attribute": "tag", "values": ["没有的标签"]}, "unknown_value", "没有的标签"),
        ({"attribute": "size", "values": ["huge"]}, "unknown_value", "huge"),
        ({"attribute": "chain_position", "values": ["sideways"]}, "unknown_value", "sideways"),
        ({"attribute": "region", "values": [999999]}, "unknown_value", "999999"),
        ({"attribute": "region", "values": ["镇"]}, "invalid_region", "区域"),
        ({"attribute": "industry", "values": [" "]}, "missing_value", "至少"),
        ({"attribute": "output_value"}, "missing_bound", "下限或上限"),
        ({"attribute": "tax", "minimum": 10, "maximum": 5}, "invalid_range", "下限不能大于上限"),
        ({"attribute": "employees", "minimum": -1}, "invalid_bound", "不小于 0"),
        ({"attribute": "above_scale", "values": ["yes"]}, "invalid_value", "是"),
    ],
)
def test_a_bad_condition_is_refused_with_its_number(world, condition, code, words):
    with pytest.raises(ValidationError) as error:
        create(world, [{"attribute": "industry", "values": ["日用陶瓷"]}, condition])
    assert code_of(error, "conditions") == code
    message = error.value.message_dict["conditions"][0]
    assert message.startswith("第 2 条条件：") and words in message
    assert not Policy.objects.exists() and not PolicyEvent.objects.exists()


def test_free_industries_and_known_tags_are_accepted(world):
    EnterpriseTag.objects.create(name="外贸企业")
    p = create(
        world,
        [
            {"attribute": "industry", "values": ["任何行业"]},
            {"attribute": "tag", "values": ["外贸企业"]},
            {"attribute": "above_scale", "values": [True]},
        ],
    )
    assert p.conditions.count() == 3


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"valid_until": date(2025, 12, 31)}, "valid_until", "invalid_dates"),
        ({"title": "  "}, "title", "blank"),
        ({"category": "lottery"}, "category", "invalid_choice"),
        ({"max_amount": "-3"}, "max_amount", "invalid_amount"),
    ],
)
def test_bad_fields_are_refused_by_field(world, fields, field, code):
    with pytest.raises(ValidationError) as error:
        create(world, **fields)
    assert code_of(error, field) == code


@pytest.mark.parametrize("who", ["handler", "grid_worker", "resident", "liaison", "outsider"])
def test_only_writers_enter_policies(world, who):
    with pytest.raises(PermissionDenied):
        services.create_policy(actor=getattr(world, who), **FIELDS)


def test_chain_committee_staff_leaders_and_admins_write(world):
    staff = make_user("chain_staff", Role.DEPT_HANDLER, organisation=world.chain_committee)
    for user in (staff, world.leader, world.admin, world.dispatcher):
        assert scope.may_write_policies(user)
    services.create_policy(actor=staff, **FIELDS)


def test_updating_replaces_conditions_and_logs_what_changed(world):
    p = create(world, [{"attribute": "industry", "values": ["日用陶瓷"]}])
    services.update_policy(
        p,
        actor=world.leader,
        title="新名称",
        conditions=[{"attribute": "size", "values": ["small"]}],
    )
    p.refresh_from_db()
    assert p.title == "新名称"
    assert list(p.conditions.values_list("attribute", flat=True)) == ["size"]
    event = PolicyEvent.objects.filter(kind=PolicyEventKind.UPDATED).get()
    assert event.data["changed"] == ["title"] and event.data["conditions"][0]["values"] == ["small"]


def test_publish_and_withdraw_move_once_each(world):
    p = create(world)
    services.publish_policy(p, actor=world.dispatcher)
    with pytest.raises(ValidationError) as error:
        services.publish_policy(p, actor=world.dispatcher)
    assert code_of(error, "status") == "not_draft"
    services.withdraw_policy(p, actor=world.dispatcher, reason=" 已到期 ")
    p.refresh_from_db()
    assert p.status == PolicyStatus.WITHDRAWN
    with pytest.raises(ValidationError) as error:
        services.update_policy(p, actor=world.dispatcher, title="改")
    assert code_of(error, "status") == "withdrawn"
    kinds = list(PolicyEvent.objects.filter(policy=p).order_by("id").values_list("kind", "data"))
    assert kinds[1:] == [
        (PolicyEventKind.PUBLISHED, {}),
        (PolicyEventKind.WITHDRAWN, {"reason": "已到期"}),
    ]


def test_drafts_are_read_by_writers_only_published_by_everyone_with_a_role(world):
    draft = create(world)
    published = services.publish_policy(create(world, title="已发布"), actor=world.dispatcher)
    assert set(scope.readable_policies(world.handler)) == {published}
    assert set(scope.readable_policies(world.dispatcher)) == {draft, published}
    assert set(scope.readable_policies(world.liaison)) == {published}
    assert not scope.readable_policies(world.outsider).exists()
    assert scope.may_see_matches(world.handler) and not scope.may_see_matches(world.liaison)
    assert not scope.may_read_policy(world.handler, draft)


def docx_bytes(part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("通知.pdf", b"%PDF-1.7 ...", "pdf"),
        ("细则.docx", docx_bytes(), "docx"),
        ("名单.xlsx", docx_bytes("xl/workbook.xml"), "xlsx"),
        ("图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "png"),
    ],
)
def test_documents_are_attached_under_their_real_type(
    world, settings, tmp_path, name, content, extension
):
    settings.MEDIA_ROOT = tmp_path
    p = create(world)
    attachment = services.add_attachment(
        p, SimpleUploadedFile(name, content), actor=world.dispatcher
    )
    assert attachment.name == name and attachment.file.name.endswith(f".{extension}")
    assert PolicyEvent.objects.filter(policy=p, kind=PolicyEventKind.ATTACHED).exists()


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"PK\x03\x04broken", docx_bytes("evil.html")],
)
def test_html_and_other_files_are_refused_whatever_their_name(world, settings, tmp_path, content):
    settings.MEDIA_ROOT = tmp_path
    p = create(world)
    with pytest.raises(ValidationError) as error:
        services.add_attachment(p, SimpleUploadedFile("通知.pdf", content), actor=world.dispatcher)
    assert code_of(error, "file") == "file_type"


def test_a_file_over_20_mb_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(ValidationError) as error:
        services.add_attachment(
            create(world), SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 20), actor=world.admin
        )
    assert code_of(error, "file") == "file_size"


def test_grants_are_recorded_on_published_policies(world):
    p = create(world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.record_grant(p, world.enterprise, "10", today, actor=world.dispatcher)
    assert code_of(error, "policy") == "not_published"
    services.publish_policy(p, actor=world.dispatcher)
    with pytest.raises(ValidationError) as error:
        services.record_grant(
            p, world.enterprise, "10", today + timedelta(days=1), actor=world.dispatcher
        )
    assert code_of(error, "granted_on") == "future_date"
    with pytest.raises(ValidationError) as error:
        services.record_grant(p, world.dept, "10", today, actor=world.dispatcher)
    assert code_of(error, "enterprise") == "not_enterprise"
    grant = services.record_grant(
        p, world.enterprise, "12.5", today, "首批", actor=world.dispatcher
    )
    assert grant.amount == Decimal("12.50") and grant.created_by == world.dispatcher
    event = PolicyEvent.objects.get(policy=p, kind=PolicyEventKind.GRANTED)
    assert event.data["amount"] == "12.50" and event.data["enterprise"] == world.enterprise.pk


def test_a_writer_who_may_not_read_the_firm_records_no_grant(world):
    p = services.publish_policy(create(world), actor=world.dispatcher)
    other = make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
    with pytest.raises(PermissionDenied):
        services.record_grant(p, world.enterprise, "1", timezone.localdate(), actor=other)


def test_tags_are_put_on_once_and_taken_off_with_events(world):
    tag = services.tag_enterprise(world.enterprise, " 外贸企业 ", actor=world.dispatcher)
    services.tag_enterprise(world.enterprise, "外贸企业", actor=world.dispatcher)
    assert tag.name == "外贸企业" and list(tag.enterprises.all()) == [world.enterprise]
    services.untag_enterprise(world.enterprise, tag, actor=world.dispatcher)
    with pytest.raises(ValidationError) as error:
        services.untag_enterprise(world.enterprise, tag, actor=world.dispatcher)
    assert code_of(error, "tag") == "not_tagged"
    kinds = list(
        EnterpriseEvent.objects.filter(enterprise=world.enterprise)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [EnterpriseEventKind.TAGGED, EnterpriseEventKind.UNTAGGED]
    with pytest.raises(PermissionDenied):
        services.tag_enterprise(world.enterprise, "x", actor=world.handler)
