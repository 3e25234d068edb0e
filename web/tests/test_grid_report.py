"""上报事项 on the phone: own-grid places only, derived title, one-time token, photo."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseAttachment, CaseEvent, Channel, Status
from cases.tests.world import make_user
from people.models import EnterpriseLink, EnterpriseLinkKind, Role
from regions.models import Region, RegionLevel
from web.grid.forms import derive_title

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def form_data(world, **overrides):
    data = {
        "case_type": world.types["resident_issue"].pk,
        "category": world.category().pk,
        "region": world.grid.pk,
        "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便，群众反映强烈。",
        "requester_name": "张三",
        "requester_phone": "13912345678",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_form_offers_only_places_in_the_workers_own_grid(world, client):
    Region.objects.create(
        name="第一网格第1组", code="G1-1", level=RegionLevel.GROUP, parent=world.grid
    )
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:report"))
    places = [
        label.strip("\u3000") for _, label in response.context["form"].fields["region"].choices
    ]
    assert places == ["请选择网格内的地点", "第一网格", "第一网格第1组"]
    body = response.content.decode()
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert 'name="form_token"' in body


def test_a_single_place_is_preselected(world, client):
    client.force_login(world.grid_worker)
    form = client.get(reverse("grid:report")).context["form"]
    assert form["region"].value() == str(world.grid.pk)


def test_the_type_asked_for_or_else_the_last_one_used_is_preselected(world, client):
    client.force_login(world.grid_worker)
    form = client.get(reverse("grid:report") + "?type=dispute").context["form"]
    assert form["case_type"].value() == str(world.types["dispute"].pk)
    assert client.get(reverse("grid:report")).context["form"]["case_type"].value() is None
    world.report("hazard")
    form = client.get(reverse("grid:report")).context["form"]
    assert form["case_type"].value() == str(world.types["hazard"].pk)


def test_reporting_makes_a_grid_case_with_a_title_from_the_text(world, client):
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:report"), form_data(world))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:report-done", args=[case.pk])
    assert (case.channel, case.status, case.reported_by, case.region) == (
        Channel.GRID,
        Status.REPORTED,
        world.grid_worker,
        world.grid,
    )
    assert case.title == "浔中村第一网格主路三盏路灯不亮"  # the first clause of the text
    assert (case.requester_name, case.requester_phone) == ("张三", "13912345678")
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.to_status) == ("reported", world.grid_worker, "reported")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("路灯不亮。已经三天了", "路灯不亮"),
        (
            "一二三四五六七八九十一二三四五六七八九十一二三",
            "一二三四五六七八九十一二三四五六七八九十…",
        ),
        (
            "门口的水泥路面塌陷约两平方米有安全隐患，请尽快处理",
            "门口的水泥路面塌陷约两平方米有安全隐患",
        ),
    ],
)
def test_the_title_is_the_first_words_of_the_text(text, title):
    assert derive_title(text) == title


def test_a_typed_title_is_kept(world, client):
    client.force_login(world.grid_worker)
    client.post(reverse("grid:report"), form_data(world, title="路灯坏了"))
    assert Case.objects.get().title == "路灯坏了"


def test_the_confirmation_shows_the_number_and_the_on_the_spot_button(world, client):
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:report"), form_data(world), follow=True)
    case = Case.objects.get()
    body = response.content.decode()
    assert case.number in body and "已上报" in body
    assert reverse("grid:resolve", args=[case.pk]) in body and "当场办结" in body


def test_a_double_tap_makes_one_case(world, client):
    client.force_login(world.grid_worker)
    data = form_data(world)
    first = client.post(reverse("grid:report"), data)
    second = client.post(reverse("grid:report"), data)
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_place_outside_the_grid_is_refused_and_nothing_is_saved(world, client):
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:report"), form_data(world, region=world.other_grid.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["只能选择本人负责网格内的地点。"]
    assert not Case.objects.exists()


def test_a_category_of_another_type_is_refused_beside_the_field(world, client):
    client.force_login(world.grid_worker)
    data = form_data(world, category=world.category("dispute").pk)
    response = client.post(reverse("grid:report"), data)
    assert response.context["form"].errors["category"] == ["该分类不属于所选的事项类型。"]
    assert "该分类不属于所选的事项类型。" in response.content.decode()
    assert not Case.objects.exists()


def test_the_text_is_required_and_a_bad_phone_is_refused(world, client):
    client.force_login(world.grid_worker)
    data = form_data(world, description="  ", requester_phone="abc")
    errors = client.post(reverse("grid:report"), data).context["form"].errors
    assert set(errors) == {"description", "requester_phone"}
    assert not Case.objects.exists()


def test_a_form_resubmitted_with_its_token_and_other_content_is_refused_clearly(world, client):
    client.force_login(world.grid_worker)
    data = form_data(world)
    client.post(reverse("grid:report"), data)
    case = Case.objects.get()
    edited = {**data, "description": data["description"] + "（补充：另有两盏）"}
    response = client.post(reverse("grid:report"), edited)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors and case.number in errors[0] and "内容与原提交不同" in errors[0]
    assert Case.objects.count() == 1 and "补充" not in Case.objects.get().description


def test_a_missing_token_is_refused(world, client):
    client.force_login(world.grid_worker)
    data = form_data(world)
    del data["form_token"]
    assert "form_token" in client.post(reverse("grid:report"), data).context["form"].errors
    assert not Case.objects.exists()


def test_a_photo_is_stored_with_the_case(world, client, media):
    client.force_login(world.grid_worker)
    photo = SimpleUploadedFile("lamp.jpg", JPEG, content_type="image/jpeg")
    client.post(reverse("grid:report"), {**form_data(world), "photo": photo})
    attachment = CaseAttachment.objects.get()
    assert attachment.case == Case.objects.get()
    assert attachment.uploaded_by == world.grid_worker
    assert attachment.name.endswith("lamp.jpg")
    assert (media / attachment.file.name).read_bytes() == JPEG


def test_a_file_that_is_not_a_photo_is_refused(world, client, media):
    client.force_login(world.grid_worker)
    fake = SimpleUploadedFile("lamp.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(reverse("grid:report"), {**form_data(world), "photo": fake})
    assert "photo" in response.context["form"].errors
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_a_double_tap_with_a_photo_stores_it_once(world, client, media):
    client.force_login(world.grid_worker)
    data = form_data(world)
    for _ in range(2):
        photo = SimpleUploadedFile("lamp.jpg", JPEG, content_type="image/jpeg")
        client.post(reverse("grid:report"), {**data, "photo": photo})
    assert CaseAttachment.objects.count() == 1


def test_a_linked_cadre_reports_for_a_linked_enterprise(world, client):
    cadre = make_user("cadre", Role.LINKED_CADRE, organisation=world.dept)
    EnterpriseLink.objects.create(
        person=cadre.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    client.force_login(cadre)
    form = client.get(reverse("grid:report")).context["form"]
    assert [label for _, label in form.fields["enterprise"].choices][1:] == [world.enterprise.name]
    data = form_data(
        world,
        case_type=world.types["enterprise_demand"].pk,
        category=world.category("enterprise_demand").pk,
        region=world.town.pk,
        enterprise=world.enterprise.pk,
    )
    client.post(reverse("grid:report"), data)
    case = Case.objects.get()
    assert (case.enterprise, case.reported_by, case.channel) == (world.enterprise, cadre, "grid")


def test_the_form_costs_the_same_queries_however_many_places(world, client):
    client.force_login(world.grid_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("grid:report")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        Region.objects.create(
            name=f"第{i}组", code=f"G1-{i}", level=RegionLevel.GROUP, parent=world.grid
        )
    assert count() == few <= 10


def test_a_report_taken_in_at_a_grid_station_records_it(world, client):
    from regions.models import GridStation

    station = GridStation.objects.create(name="浔中村网格驿站", region=world.grid)
    GridStation.objects.create(name="别村驿站", region=world.other_grid)
    client.force_login(world.grid_worker)
    page = client.get(reverse("grid:report")).content.decode()
    assert "浔中村网格驿站" in page and "别村驿站" not in page  # only the worker's own
    client.post(reverse("grid:report"), form_data(world, station=station.pk))
    assert Case.objects.get().station == station
