"""The engine's attachment rule: photos and PDF only, judged by their bytes; random names."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.attachments import PDF, PNG, attachment_path, check_file, download_name, kind_of
from cases.models import Case, CaseAttachment

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"<!doctype html>", None),
        (b"<svg xmlns=", None),
        (b'<?xml version="1.0"?>', None),
        (b"\xef\xbb\xbf<html>", None),
        (b"RIFF\x24\x00\x00\x00AVI ", None),
        (b"%PDF", None),
        (b"", None),
    ],
)
def test_a_type_is_known_by_its_first_bytes_only(head, kind):
    found = kind_of(head)
    assert (found.content_type if found else None) == kind


def test_a_refused_file_is_a_chinese_error_with_a_code():
    upload = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        check_file(upload)
    assert caught.value.code == "file_type"
    assert caught.value.messages == [
        "附件“x.png”的类型不支持，请上传图片（JPG、PNG、GIF、WebP）或 PDF。"
    ]


def test_a_file_over_the_limit_is_refused(settings):
    settings.LIANXIN = {**settings.LIANXIN, "MAX_ATTACHMENT_BYTES": 1024 * 1024}
    upload = SimpleUploadedFile("a.png", PNG_BYTES + b"\x00" * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        check_file(upload)
    assert caught.value.code == "file_size"
    assert caught.value.messages == ["附件“a.png”超过 1 MB。"]


def test_the_stored_name_is_random_and_keeps_only_an_accepted_extension():
    first, second = attachment_path(None, "upload.png"), attachment_path(None, "upload.png")
    assert re.fullmatch(r"cases/\d{4}/\d\d/[0-9a-f]{32}\.png", first) and first != second
    assert attachment_path(None, "../../evil.html").endswith(".bin")
    assert attachment_path(None, "noext").endswith(".bin")


def test_a_download_name_ends_in_the_real_type():
    assert download_name("现场.jpg", None) == "现场.jpg.bin"
    assert download_name("说明", PDF) == "说明.pdf"
    assert download_name("a.PNG", PNG) == "a.PNG"


def test_report_case_refuses_html_whatever_its_name(world, media):
    for name, content in (
        ("x.html", b"<html><script>alert(1)</script></html>"),
        ("x.jpg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ):
        upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
        with pytest.raises(ValidationError) as caught:
            services.report_case(
                actor=world.grid_worker,
                case_type=world.types["resident_issue"],
                region=world.grid,
                title="路灯不亮",
                description="主路三盏路灯不亮。",
                attachments=[(name, upload)],
            )
        assert [e.code for e in caught.value.error_list] == ["file_type"]
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_report_case_stores_a_photo_under_a_random_name_with_its_real_extension(world, media):
    # Named .gif by its sender, a PNG by its bytes: stored as .png.
    upload = SimpleUploadedFile("lamp.gif", PNG_BYTES, content_type="image/gif")
    case = world.report(attachments=[("lamp.gif", upload)])
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.name == "lamp.gif"
    assert re.fullmatch(r"cases/\d{4}/\d\d/[0-9a-f]{32}\.png", attachment.file.name)
    assert (media / attachment.file.name).read_bytes() == PNG_BYTES
