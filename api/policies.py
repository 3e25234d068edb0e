"""The policy library (惠企政策库) over the API: list and read policies, which firms qualify,
which policies a firm qualifies for; create, publish and record grants for writers.

Who reads and writes is ``enterprises.scope`` (the pages' rule): published policies are read by
every signed-in user with a role, drafts and withdrawn ones by writers only (404 for others);
the firms that qualify are filtered by ``readable_ids`` and hidden from requesters (403).
Every change goes through ``enterprises.policies``; its ``ValidationError`` comes back as a 400
keyed by field (``conditions`` for a condition, naming its number), in both languages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import BilingualSerializerMixin
from api.fields import IdField
from api.filters import MAX_ID
from enterprises import policies as services
from enterprises.matching import Words, match, policies_for
from enterprises.models import (
    ConditionAttribute,
    Policy,
    PolicyAttachment,
    PolicyCategory,
    PolicyCondition,
    PolicyGrant,
    PolicyStatus,
)
from enterprises.scope import (
    may_read_file,
    may_read_policies,
    may_see_matches,
    readable_ids,
    readable_policies,
)
from orgs.models import Organisation
from people.models import User

TAGS = ["policies"]
# A county has tens to hundreds of policies: one answer holds them all, up to this many.
MAX_LIST = 500

# --- Serializers -------------------------------------------------------------------------------


class PolicyConditionSerializer(serializers.ModelSerializer):
    attribute_label = serializers.CharField(source="get_attribute_display", read_only=True)
    values = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Set attributes: any one of these (region ids, honour codes, tag names, "
        "size / chain position codes, free industry or park names); `above_scale`: [true] or "
        "[false]; empty for number attributes.",
    )
    text = serializers.SerializerMethodField(help_text="The condition in words (zh-hans).")

    class Meta:
        model = PolicyCondition
        fields = ["attribute", "attribute_label", "values", "minimum", "maximum", "text"]
        read_only_fields = fields

    def get_text(self, condition: PolicyCondition) -> str:
        return str(self.context["words"].describe(condition))


class PolicyAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download path (the page's scoped view).")

    class Meta:
        model = PolicyAttachment
        fields = ["id", "name", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: PolicyAttachment) -> str:
        return reverse("policies:policy-attachment", args=[attachment.policy_id, attachment.pk])


@extend_schema_field(
    {
        "type": "string",
        "readOnly": True,
        "description": "`draft` 草稿, `published` 已发布 or `withdrawn` 已废止.",
    }
)
class PolicyStatusField(serializers.CharField):
    """Described rather than an enum: the cases' ``status`` owns the enum of that name, and a
    second set of choices under the same field name is a schema warning."""


class PolicySerializer(serializers.ModelSerializer):
    """A policy as lists show it."""

    status = PolicyStatusField(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "issuer",
            "document_number",
            "category",
            "category_label",
            "status",
            "status_label",
            "valid_from",
            "valid_until",
            "max_amount",
            "amount_note",
            "summary",
            "exempt_application",
        ]
        read_only_fields = fields


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PolicyDetailSerializer(PolicySerializer):
    """A policy with its full text, conditions and attachments."""

    conditions = PolicyConditionSerializer(many=True, read_only=True)
    attachments = PolicyAttachmentSerializer(many=True, read_only=True)
    manual_conditions = serializers.SerializerMethodField(
        help_text="The conditions a person checks, one per item."
    )
    owner = OwnerSerializer(read_only=True, allow_null=True)

    class Meta(PolicySerializer.Meta):
        fields = [
            *PolicySerializer.Meta.fields,
            "full_text",
            "manual_conditions",
            "owner",
            "conditions",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_manual_conditions(self, policy: Policy) -> list[str]:
        return [line.strip() for line in policy.manual_conditions.splitlines() if line.strip()]


class ConditionInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    attribute = serializers.ChoiceField(choices=ConditionAttribute.choices)
    values = serializers.ListField(
        child=serializers.JSONField(), required=False, max_length=services.MAX_VALUES
    )
    minimum = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    maximum = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )


class PolicyCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    issuer = serializers.CharField(max_length=100)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=PolicyCategory.choices, required=False)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    max_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    amount_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    full_text = serializers.CharField(required=False, allow_blank=True)
    exempt_application = serializers.BooleanField(required=False)
    manual_conditions = serializers.CharField(required=False, allow_blank=True)
    owner = IdField(queryset=Organisation.objects.all(), required=False, allow_null=True)
    conditions = serializers.ListField(
        child=ConditionInputSerializer(),
        required=False,
        max_length=services.MAX_CONDITIONS,
        help_text="Every condition must hold; values within one are alternatives.",
    )


class GrantSerializer(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = PolicyGrant
        fields = [
            "id",
            "policy",
            "policy_title",
            "enterprise",
            "enterprise_name",
            "amount",
            "granted_on",
            "note",
        ]
        read_only_fields = fields


class GrantCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    granted_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MatchedFirmSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()


class MatchesSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    enterprises = MatchedFirmSerializer(many=True)


class EnterprisePoliciesSerializer(serializers.Serializer):
    enterprise = MatchedFirmSerializer()
    policies = PolicySerializer(
        many=True,
        help_text="Published policies in force today whose "
        "conditions the firm meets (manual conditions still to check).",
    )
    grants = GrantSerializer(many=True, help_text="What the firm received, newest first.")


# --- Helpers -----------------------------------------------------------------------------------


def _policy(user: User, pk: int) -> Policy:
    """A policy the caller may read (404 otherwise), its conditions and attachments loaded."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    policy = (
        readable_policies(user)
        .select_related("owner")
        .prefetch_related("conditions", "attachments")
        .filter(pk=pk)
        .first()
    )
    if policy is None:
        raise NotFound()
    return policy


def _detail(policy: Policy, *, status: int = 200) -> Response:
    words = Words(policy.conditions.all())
    data = PolicyDetailSerializer(policy, context={"words": words}).data
    return Response(data, status=status)


def _reloaded(pk: int) -> Policy:
    return (
        Policy.objects.select_related("owner")
        .prefetch_related("conditions", "attachments")
        .get(pk=pk)
    )


def _firm(enterprise: Organisation) -> dict[str, Any]:
    return {"id": enterprise.pk, "name": enterprise.name, "credit_code": enterprise.credit_code}


class PolicyFilterSerializer(BilingualSerializerMixin, serializers.Serializer):
    category = serializers.ChoiceField(choices=PolicyCategory.choices, required=False)
    status = serializers.ChoiceField(choices=PolicyStatus.choices, required=False)
    exempt_application = serializers.BooleanField(required=False, allow_null=True, default=None)
    valid_now = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Views -------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("category", str, enum=PolicyCategory.values, description="类别 Category."),
    OpenApiParameter(
        "status",
        str,
        description="状态: `draft`, `published` or `withdrawn` (drafts and withdrawn ones: "
        "writers only).",
    ),
    OpenApiParameter("exempt_application", bool, description="`true`: 免申即享 policies only."),
    OpenApiParameter("valid_now", bool, description="`true`: only those in force today."),
    OpenApiParameter(
        "q",
        str,
        description="Search words (jieba terms) in the title (weight 3), summary (2) and full "
        "text (1); the results come most relevant first.",
    ),
]


class PolicyListView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_list",
        summary="惠企政策 List policies",
        description="The policies the caller may read (published ones; writers also see drafts "
        f"and withdrawn ones), newest first or most relevant first with `q`; at most {MAX_LIST}.",
        tags=TAGS,
        parameters=LIST_PARAMETERS,
        responses=PolicySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = caller(request)
        if not may_read_policies(user):
            raise PermissionDenied
        query = validated(PolicyFilterSerializer, request, data=request.query_params)
        policies = services.filtered(
            readable_policies(user),
            category=query.get("category", ""),
            status=query.get("status", ""),
            exempt=query.get("exempt_application"),
            valid_on=timezone.localdate() if query.get("valid_now") else None,
            query=query.get("q", ""),
        )
        return Response(PolicySerializer(policies[:MAX_LIST], many=True).data)

    @extend_schema(
        operation_id="policies_create",
        summary="录入政策 Create a policy",
        description="Enter a policy as a draft with its conditions (writers: administrators, "
        "dispatchers, leaders, chain committee staff). Every condition must hold; the values "
        "within one are alternatives.",
        tags=TAGS,
        request=PolicyCreateSerializer,
        responses={201: PolicyDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = validated(PolicyCreateSerializer, request)
        conditions = [dict(c) for c in data.pop("conditions", [])]
        policy = services.create_policy(actor=caller(request), conditions=conditions, **data)
        return _detail(_reloaded(policy.pk), status=201)


class PolicyDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_retrieve",
        summary="政策详情 Read a policy",
        description="A policy with its conditions (each also in words) and attachments; 404 for "
        "a draft or withdrawn policy unless the caller writes policies.",
        tags=TAGS,
        responses=PolicyDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail(_policy(caller(request), pk))


class PolicyPublishView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_publish",
        summary="发布政策 Publish a draft",
        tags=TAGS,
        request=None,
        responses=PolicyDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        services.publish_policy(_policy(user, pk), actor=user)
        return _detail(_reloaded(pk))


class PolicyMatchesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_matches",
        summary="符合条件的企业 Firms that qualify",
        description="The enterprises meeting every structured condition of the policy today, "
        "limited to those whose file the caller may open; by name. 403 for residents and "
        "enterprise liaisons.",
        tags=TAGS,
        responses=MatchesSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        policy = _policy(user, pk)
        if not may_see_matches(user):
            raise PermissionDenied
        ids = match([policy])[policy.pk]
        firms = list(
            Organisation.objects.filter(pk__in=ids).select_related("region").order_by("name", "pk")
        )
        visible = readable_ids(user, firms)
        data = {"policy": policy.pk, "enterprises": [_firm(e) for e in firms if e.pk in visible]}
        return Response(MatchesSerializer(data).data)


class PolicyGrantView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_grant",
        summary="登记兑现 Record a grant",
        description="What an enterprise received under a published (or withdrawn) policy, in "
        "万元; the caller must write policies and may open the firm's file.",
        tags=TAGS,
        request=GrantCreateSerializer,
        responses={201: GrantSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        policy = _policy(user, pk)
        data = validated(GrantCreateSerializer, request)
        enterprise = get_object_or_404(
            Organisation.objects.enterprises().select_related("region"), pk=data.pop("enterprise")
        )
        if not may_read_file(user, enterprise):
            raise NotFound()
        grant = services.record_grant(policy, enterprise, actor=user, **data)
        return Response(GrantSerializer(grant).data, status=201)


class EnterprisePoliciesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="enterprises_policies",
        summary="企业可享政策 Policies a firm qualifies for",
        description="The published policies in force today whose conditions the enterprise "
        "meets, and the grants it received; 404 unless the caller may open its file.",
        tags=TAGS,
        responses=EnterprisePoliciesSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        if not 0 < pk <= MAX_ID:
            raise NotFound()
        enterprise = (
            Organisation.objects.enterprises().select_related("region").filter(pk=pk).first()
        )
        if enterprise is None or not may_read_file(caller(request), enterprise):
            raise NotFound()
        grants: QuerySet[PolicyGrant] = PolicyGrant.objects.filter(
            enterprise=enterprise
        ).select_related("policy", "enterprise")
        data = {
            "enterprise": _firm(enterprise),
            "policies": policies_for(enterprise),
            "grants": grants,
        }
        return Response(EnterprisePoliciesSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("policies/", PolicyListView.as_view(), name="policy-list"),
    path("policies/<int:pk>/", PolicyDetailView.as_view(), name="policy-detail"),
    path("policies/<int:pk>/publish/", PolicyPublishView.as_view(), name="policy-publish"),
    path("policies/<int:pk>/matches/", PolicyMatchesView.as_view(), name="policy-matches"),
    path("policies/<int:pk>/grants/", PolicyGrantView.as_view(), name="policy-grant"),
    path(
        "enterprises/<int:pk>/policies/",
        EnterprisePoliciesView.as_view(),
        name="enterprise-policies",
    ),
]
