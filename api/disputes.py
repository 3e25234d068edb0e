"""REST API: a dispute's parties and its mediation agreements, on a case whose type needs
mediation.

Each view reads the case through ``cases.scope.visible_cases`` (a case the caller may not see is
a 404, as is a case of a type without mediation), validates the body with a serializer (400 in
both languages), calls one service of ``disputes/services.py`` and answers the records as they
are now. A caller who sees the case but may not act on it gets a 403; the parties' contacts are
masked for a caller who may not contact the requester.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller
from api.errors import ApiError, BilingualSerializerMixin, service_caller
from api.filters import MAX_ID
from api.serializers import PartyRequestSerializer
from cases.attachments import download_name, sniff
from cases.models import Case, Via
from cases.scope import visible_cases
from disputes import scope, services
from disputes.models import MediationAgreement, PartyRole
from disputes.selectors import agreements_for, parties_for

TAGS = ["disputes"]
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

# --- Serializers ---------------------------------------------------------------------------------


class PartySerializer(serializers.Serializer):
    """A party as the caller may read it: phone, ID number and address masked (``138****5678``)
    unless the caller may contact the requester."""

    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    role_label = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    id_number = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id", read_only=True, allow_null=True
    )
    organisation_name = serializers.CharField(source="organisation", read_only=True)
    note = serializers.CharField(read_only=True)


class PartiesSerializer(serializers.Serializer):
    case = serializers.IntegerField(read_only=True)
    contacts_masked = serializers.BooleanField(read_only=True)
    parties = PartySerializer(many=True, read_only=True)


class PartiesRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    parties = serializers.ListField(
        child=PartyRequestSerializer(),
        max_length=services.MAX_PARTIES,
        help_text="The whole list, in order: at least one applicant and one respondent.",
    )


class AgreementSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = MediationAgreement
        fields = ["id", "case", "name", "size", "signed_on", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, agreement: MediationAgreement) -> str:
        return reverse("api:dispute-agreement-file", args=[agreement.case_id, agreement.pk])


class AgreementRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF or a photo (JPEG, PNG, GIF, WebP), at most 20 MB."
    )
    signed_on = serializers.DateField()
    name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Defaults to the file's name."
    )


# --- Helpers -------------------------------------------------------------------------------------


def _case(request: Request, pk: int, *, write: bool = False) -> Case:
    user = caller(request)
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    case = visible_cases(user).select_related("region", "case_type").filter(pk=pk).first()
    if case is None or not scope.is_dispute_case(case):
        raise NotFound()
    if write and not scope.may_write(user, case):
        raise PermissionDenied()
    return case


_call = service_caller()


def _parties(request: Request, case: Case) -> Response:
    user = caller(request)
    body = {
        "case": case.pk,
        "contacts_masked": not scope.sees_contacts(user, case),
        "parties": parties_for(user, case),
    }
    return Response(PartiesSerializer(body).data)


# --- Views ---------------------------------------------------------------------------------------


class CasePartiesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="dispute_parties",
        summary="纠纷当事人 A dispute's parties",
        description="The parties in order. Phone, ID number and address are masked unless the "
        "caller may contact the requester (`contacts_masked`). A case the caller may not see, or "
        "of a type without mediation, is a 404.",
        tags=TAGS,
        responses=PartiesSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return _parties(request, _case(request, pk))

    @extend_schema(
        operation_id="dispute_parties_set",
        summary="登记当事人 Replace a dispute's parties",
        description="Replaces the whole list (at least one `applicant` and one `respondent`; "
        "400 `applicant_required`, `respondent_required`, or a row's `id_number`, `phone`, "
        "… under `parties`). A caller who sees the case but may not act on it gets a 403.",
        tags=TAGS,
        request=PartiesRequestSerializer,
        responses=PartiesSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = _case(request, pk, write=True)
        if not isinstance(request.data, dict):
            raise ApiError.one(
                400, "invalid", "请求体须为 JSON 对象。", "The request body must be a JSON object."
            )
        serializer = PartiesRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parties = [dict(row) for row in serializer.validated_data["parties"]]
        _call(services.set_parties, case, actor=caller(request), parties=parties, via=Via.API)
        return _parties(request, case)


class CaseAgreementsView(ApiMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="dispute_agreements",
        summary="调解协议 A dispute's mediation agreements",
        description="Newest signed first; each file downloads from `download`.",
        tags=TAGS,
        responses=AgreementSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        return Response(AgreementSerializer(agreements_for(case), many=True).data)

    @extend_schema(
        operation_id="dispute_agreement_attach",
        summary="上传调解协议 Attach a mediation agreement",
        description="Multipart: `file` (a PDF or a photo, judged by its bytes: 400 `file_type`; "
        "at most 20 MB: 400 `file_size`) and `signed_on` (not in the future).",
        tags=TAGS,
        request={"multipart/form-data": AgreementRequestSerializer},
        responses={201: AgreementSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _case(request, pk, write=True)
        serializer = AgreementRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = _call(
            services.attach_agreement,
            case,
            actor=caller(request),
            via=Via.API,
            **serializer.validated_data,
        )
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementFileView(ApiMixin, APIView):
    @extend_schema(
        operation_id="dispute_agreement_file",
        summary="下载调解协议 Download a mediation agreement",
        description="The file's bytes, always as an attachment, typed by its first bytes.",
        tags=TAGS,
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int, agreement_pk: int) -> FileResponse:
        case = _case(request, pk)
        if not 0 < agreement_pk <= MAX_ID:
            raise NotFound()
        agreement = MediationAgreement.objects.filter(pk=agreement_pk, case=case).first()
        if agreement is None:
            raise NotFound()
        try:
            file = agreement.file.open("rb")
        except (FileNotFoundError, ValueError, Http404):
            raise NotFound() from None
        kind = sniff(file)
        response = FileResponse(
            file,
            as_attachment=True,
            filename=download_name(agreement.name, kind),
            content_type=kind.content_type if kind else "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = SANDBOX
        response["Cache-Control"] = "private, no-cache"
        return response


urlpatterns = [
    path("cases/<int:pk>/parties/", CasePartiesView.as_view(), name="dispute-parties"),
    path("cases/<int:pk>/agreements/", CaseAgreementsView.as_view(), name="dispute-agreements"),
    path(
        "cases/<int:pk>/agreements/<int:agreement_pk>/file/",
        AgreementFileView.as_view(),
        name="dispute-agreement-file",
    ),
]
