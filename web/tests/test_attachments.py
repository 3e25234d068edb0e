"""A case's attachments: served only through the case's scope, with a type the server chose from
the bytes; HTML and SVG never accepted; MEDIA_URL serves nothing."""

import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseAttachment

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def photo_case(world, media):
    photo = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    return world.report(attachments=[("现场.jpg", photo)])


def url(attachment: CaseAttachment) -> str:
    return reverse("caseviews:case-attachment", args=[attachment.case_id, attachment.pk])


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client, photo_case):
    response = client.get(url(photo_case.attachments.get()))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_a_user_who_may_not_see_the_case_gets_a_404(world, client, photo_case):
    attachment = photo_case.attachments.get()
    for user in (world.other_grid_worker, world.outsider, world.other_handler):
        client.force_login(user)
        assert client.get(url(attachment)).status_code == 404


def test_an_attachment_is_not_found_under_another_case(world, client, photo_case):
    other = world.report(title="另一件")
    attachment = photo_case.attachments.get()
    client.force_login(world.dispatcher)
    path = reverse("caseviews:case-attachment", args=[other.pk, attachment.pk])
    assert client.get(path).status_code == 404


def test_a_photo_is_shown_inline_with_the_type_its_bytes_show(world, client, photo_case):
    client.force_login(world.grid_worker)
    response = client.get(url(photo_case.attachments.get()))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


def test_a_pdf_is_a_download(world, client, media):
    scan = SimpleUploadedFile("说明", PDF, content_type="text/html")
    case = world.report(attachments=[("说明", scan)])
    client.force_login(world.dispatcher)
    response = client.get(url(case.attachments.get()))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E8%AF%B4%E6%98%8E.pdf" in response["Content-Disposition"]  # 说明.pdf
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_stored_before_the_checks_is_served_as_opaque_bytes(world, client, photo_case):
    # Files uploaded before the checks existed may be anything: never shown as a page.
    attachment = photo_case.attachments.get()
    old = attachment.file.storage.save("cases/2025/01/page.html", ContentFile(HTML))
    CaseAttachment.objects.filter(pk=attachment.pk).update(file=old, name="旧.html")
    client.force_login(world.dispatcher)
    response = client.get(url(attachment))
    assert b"".join(response.streaming_content) == HTML
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "html.bin" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_missing_from_storage_is_a_404(world, client, photo_case):
    attachment = photo_case.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(world.dispatcher)
    assert client.get(url(attachment)).status_code == 404


def test_the_stored_name_is_random_and_the_senders_name_is_kept_apart(world, photo_case):
    attachment = photo_case.attachments.get()
    assert attachment.name == "现场.jpg"
    assert re.fullmatch(r"cases/\d{4}/\d\d/[0-9a-f]{32}\.jpg", attachment.file.name)


def test_media_url_serves_no_case_file(world, client, photo_case, settings):
    attachment = photo_case.attachments.get()
    client.force_login(world.admin)
    assert client.get(f"/{settings.MEDIA_URL}{attachment.file.name}").status_code == 404


def test_the_case_page_links_the_scoped_url(world, client, photo_case):
    client.force_login(world.dispatcher)
    body = client.get(reverse("caseviews:case-detail", args=[photo_case.pk])).content.decode()
    attachment = photo_case.attachments.get()
    assert f'<img src="{url(attachment)}"' in body
    assert "/media/" not in body


def _report(client, world, photo):
    data = {
        "case_type": world.types["resident_issue"].pk,
        "category": world.category().pk,
        "region": world.grid.pk,
        "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便，群众反映强烈。",
        "form_token": str(uuid.uuid4()),
        "photo": photo,
    }
    client.force_login(world.grid_worker)
    return client.post(reverse("grid:report"), data)


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("lamp.html", HTML, "text/html"),
        ("lamp.jpg", HTML, "image/jpeg"),  # the name and the declared type lie
        ("lamp.svg", SVG, "image/svg+xml"),
        ("lamp.png", SVG, "image/png"),
        ("lamp.pdf", PDF, "application/pdf"),  # the field is a camera: a photo only
    ],
)
def test_the_grid_report_refuses_what_is_not_a_photo(world, client, media, name, content, declared):
    response = _report(client, world, SimpleUploadedFile(name, content, content_type=declared))
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [
        "请上传照片（JPG、PNG、GIF 或 WebP 格式的图片）。"
    ]
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_the_grid_report_refuses_a_photo_over_the_limit(world, client, media, settings):
    settings.LIANXIN = {**settings.LIANXIN, "MAX_ATTACHMENT_BYTES": 1024 * 1024}
    big = SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 1024 * 1024, content_type="image/jpeg")
    response = _report(client, world, big)
    assert response.context["form"].errors["photo"] == ["附件“big.jpg”超过 1 MB。"]
    assert not Case.objects.exists()


def test_the_grid_report_stores_a_photo_under_a_random_name(world, client, media):
    _report(client, world, SimpleUploadedFile("lamp.jpg", JPEG, content_type="image/jpeg"))
    attachment = CaseAttachment.objects.get()
    assert attachment.name.endswith("lamp.jpg")
    assert re.fullmatch(r"cases/\d{4}/\d\d/[0-9a-f]{32}\.jpg", attachment.file.name)
    assert (media / attachment.file.name).read_bytes() == JPEG
