"""What a case may carry as an attachment, and where its bytes are kept.

Only photos (JPEG, PNG, GIF, WebP) and PDF, recognised by their first bytes. A declared content
type or a file name is only the sender's claim, and HTML or SVG shown from this site would run
its scripts with the viewer's session. Files are stored under random names, the sender's name
staying in ``CaseAttachment.name``, and are served only by a view that checks the case's scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A phone photo at full resolution stays well under this; settings.LIANXIN may lower it.
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
_HEAD_BYTES = 16


@dataclass(frozen=True)
class Kind:
    """A file type this site accepts: the content type it is served with and its extension."""

    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = Kind("image/jpeg", "jpg")
PNG = Kind("image/png", "png")
GIF = Kind("image/gif", "gif")
WEBP = Kind("image/webp", "webp")
PDF = Kind("application/pdf", "pdf")
EXTENSIONS = frozenset(kind.extension for kind in (JPEG, PNG, GIF, WEBP, PDF))
# The stored name of a photo ends in one of these (the extension of the type its bytes showed).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def kind_of(head: bytes) -> Kind | None:
    """The accepted type whose signature ``head`` (a file's first bytes) starts with, if any."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def sniff(file: Any) -> Kind | None:
    """The accepted type of an open file, judged by its first bytes; the file is left at its start."""
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    return kind_of(head)


def max_bytes() -> int:
    return int(settings.LIANXIN.get("MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def check_file(file: Any, *, name: str = "", limit: int | None = None) -> Kind:
    """The type of an uploaded file, or a ValidationError (``file_size`` or ``file_type``)."""
    limit = max_bytes() if limit is None else limit
    name = name or getattr(file, "name", "") or ""
    if file.size > limit:
        raise ValidationError(
            _("附件“%(name)s”超过 %(size)s MB。"),
            code="file_size",
            params={"name": name, "size": limit // (1024 * 1024)},
        )
    kind = sniff(file)
    if kind is None:
        raise ValidationError(
            _("附件“%(name)s”的类型不支持，请上传图片（JPG、PNG、GIF、WebP）或 PDF。"),
            code="file_type",
            params={"name": name},
        )
    return kind


def checked_attachments(attachments: Iterable[tuple[str, Any]]) -> list[tuple[str, File]]:
    """``report_case``'s attachments, each checked, its file renamed with the extension of its
    real type; every refused file is reported at once in one ValidationError."""
    result: list[tuple[str, File]] = []
    errors: list[ValidationError] = []
    for name, file in attachments:
        try:
            kind = check_file(file, name=name)
        except ValidationError as error:
            errors.append(error)
            continue
        # Only the extension of this name reaches storage (see attachment_path).
        result.append((name[:200], File(file, name=f"upload.{kind.extension}")))
    if errors:
        raise ValidationError(errors)
    return result


def attachment_path(instance: Any, filename: str) -> str:
    """``upload_to`` of CaseAttachment.file: a random name under the month, never the sender's.

    The extension is kept only if it is one of the accepted types' (as ``checked_attachments``
    sets it); anything else is stored as ``.bin``.
    """
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        extension = "bin"
    return f"cases/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def download_name(name: str, kind: Kind | None) -> str:
    """The file name to offer a download under: the stored name, ending in its real type's
    extension (``.bin`` for a file of no accepted type)."""
    extension = kind.extension if kind else "bin"
    endings = (".jpg", ".jpeg") if kind == JPEG else (f".{extension}",)
    return name if name.lower().endswith(endings) else f"{name}.{extension}"
