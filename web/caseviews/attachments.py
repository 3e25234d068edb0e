"""A case's attachment, served only to those who may see the case (never from MEDIA_URL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from cases.attachments import download_name, sniff
from cases.models import CaseAttachment
from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest

# The sandbox GitHub serves user content with: whatever a file is, it runs nothing on this origin.
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@login_required
@require_GET
def attachment_file(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """The file's bytes, with the type its first bytes show (never the name or the sender's
    claim): a photo inline, anything else (PDF included) as a download."""
    case = get_object_or_404(visible_cases(request.user).only("pk"), pk=pk)
    attachment = get_object_or_404(CaseAttachment, pk=attachment_pk, case=case)
    try:
        file = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:  # lost from storage, or no file at all
        raise Http404 from error
    kind = sniff(file)
    inline = kind is not None and kind.is_image
    # A PDF is downloaded, not shown: browsers' viewers run its scripts and forms; files stored
    # before uploads were checked may be anything, so they go out as opaque bytes.
    response = FileResponse(
        file,
        as_attachment=not inline,
        filename=download_name(attachment.name, kind),
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-cache"
    return response
