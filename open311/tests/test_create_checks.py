"""What a POST may carry: media judged by their bytes (never the declared type or the name),
stored under random names, and a description within the specification's 4,000 characters."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, CaseAttachment
from open311.tests.helpers import body, post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FIELDS = {"service_code": "resident_issue-05", "address_id": "350526", "description": "x"}
TYPE_ERROR = "附件“{name}”的类型不支持，请上传图片（JPG、PNG、GIF、WebP）或 PDF。"


def test_a_photo_declared_as_something_else_is_taken_for_what_it_is(world, client, hotline):
    photo = SimpleUploadedFile("lamp.png", PNG, content_type="text/html")
    response = post(client, multipart=True, api_key=hotline, media=[photo], **FIELDS)
    assert response.status_code == 200, response.content
    attachment = CaseAttachment.objects.get()
    assert attachment.name == "lamp.png"
    # A random name under the month: the sender's name never reaches the storage.
    assert re.fullmatch(r"cases/\d{4}/\d\d/[0-9a-f]{32}\.png", attachment.file.name)


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("x.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("x.jpg", b'<?xml version="1.0"?><svg onload="alert(1)"/>', "image/jpeg"),
        ("x.pdf", b"%PDX", "application/pdf"),
    ],
)
def test_media_that_are_not_a_photo_or_pdf_are_refused_whatever_they_claim(
    world, client, hotline, name, content, declared
):
    upload = SimpleUploadedFile(name, content, content_type=declared)
    response = post(client, multipart=True, api_key=hotline, media=[upload], **FIELDS)
    assert response.status_code == 400
    assert body(response) == [{"code": 400, "description": TYPE_ERROR.format(name=name)}]
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_a_description_over_4000_characters_is_a_400(world, client, hotline):
    fields = {**FIELDS, "api_key": hotline}
    response = post(client, "xml", **{**fields, "description": "长" * 4001})
    assert response.status_code == 400
    assert body(response).find("error/description").text == "description 不能超过 4000 个字符。"
    assert not Case.objects.exists()
    assert post(client, **{**fields, "description": "长" * 4000}).status_code == 200
