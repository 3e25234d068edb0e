"""The registries over the API: regions, organisations, enterprises, people, households and
their links. Read by signed-in users (people, households and household links only inside the
caller's region subtrees, ``people.scope``; personal data masked unless the caller is an
administrator, ``api.permissions``); created and updated by administrators only. No deletes:
cases and links point at these rows. Phones and ID numbers are checked as the Excel importer
checks them (``people.validators``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CharField, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from api.base import ApiMixin, caller
from api.errors import BilingualSerializerMixin
from api.fields import CodeField, IdField
from api.filters import FilterBackend, IdFilter
from api.pagination import Cursor
from api.permissions import ReadPeopleWriteAdmin, ReadSignedInWriteAdmin, ReadStaffWriteAdmin
from orgs.credit_code import validate_credit_code
from orgs.models import ChainPosition, Enterprise, EnterpriseSize, Organisation, OrgKind
from people.masking import mask_address, mask_id_number, mask_name, mask_phone
from people.models import (
    EnterpriseLink,
    EnterpriseLinkKind,
    Household,
    HouseholdLink,
    HouseholdLinkKind,
    HouseholdTag,
    Person,
)
from people.scope import readable
from people.validators import clean_id_number, clean_mobile, clean_phone
from regions.models import Region, RegionLevel

# Explicit bounds: the model's own integer bounds depend on the database, and the schema must not.
MAX_COUNT = 100_000_000


def count_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, **kwargs)


def checked(clean: Callable[[str], str], value: str) -> str:
    """``value`` through one of ``people.validators`` (the Excel importer's own checks)."""
    try:
        return clean(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(serializers.as_serializer_error(error)) from None


def max_length(field: CharField) -> int:
    """A text column's length (the stubs allow None, which no CharField here has)."""
    assert field.max_length is not None
    return field.max_length


class RegistrySerializer(BilingualSerializerMixin, serializers.ModelSerializer):
    """Masks the fields named in ``Meta.masked`` unless the caller is an administrator."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("unmasked"):
            for name, mask in getattr(self.Meta, "masked", {}).items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data


# --- Serializers ------------------------------------------------------------------------------


class RegionSerializer(RegistrySerializer):
    level = serializers.ChoiceField(choices=RegionLevel.choices)
    population = count_field(required=False, allow_null=True)
    households_count = count_field(required=False, allow_null=True)

    class Meta:
        model = Region
        fields = [
            "id",
            "code",
            "name",
            "level",
            "parent",
            "path",
            "is_grid",
            "population",
            "households_count",
        ]
        read_only_fields = ["id", "path"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "parent" in attrs
            and attrs["parent"] != self.instance.parent
        ):
            raise serializers.ValidationError(
                {"parent": _("区域建立后不能更换上级。")}, code="invalid"
            )
        current = self.instance  # None on create, where level is a required field
        region = Region(
            level=attrs["level"] if current is None else attrs.get("level", current.level),
            parent=attrs.get("parent", getattr(current, "parent", None)),
        )
        try:
            region.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        return attrs


ENTERPRISE_FIELDS = [
    "credit_code",
    "industry",
    "size",
    "park",
    "chain_position",
    "employees",
    "is_above_scale",
    "chain",
]


class OrganisationSerializer(RegistrySerializer):
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    # "" means none: stored as null, since the column is unique and many organisations have none.
    credit_code = serializers.CharField(
        max_length=18, required=False, allow_null=True, allow_blank=True
    )
    size = serializers.ChoiceField(choices=EnterpriseSize.choices, required=False, allow_blank=True)
    chain_position = serializers.ChoiceField(
        choices=ChainPosition.choices, required=False, allow_blank=True
    )
    employees = count_field(required=False, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "short_name",
            "parent",
            "region",
            "phone",
            "is_active",
            *ENTERPRISE_FIELDS,
        ]
        read_only_fields = ["id"]

    def validate_phone(self, value: str) -> str:
        return checked(partial(clean_phone, max_length=max_length(Organisation.phone.field)), value)

    def validate_credit_code(self, value: str | None) -> str | None:
        if not value:
            return None
        value = value.strip().upper()
        try:
            validate_credit_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from None
        taken = Organisation.objects.filter(credit_code=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("该统一社会信用代码已登记。"), code="unique")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        code = attrs.get("credit_code", getattr(self.instance, "credit_code", None))
        if kind == OrgKind.ENTERPRISE and not code:
            raise serializers.ValidationError(
                {"credit_code": _("企业必须填写统一社会信用代码。")}, code="required"
            )
        return attrs


class EnterpriseSerializer(OrganisationSerializer):
    kind = None  # type: ignore[assignment]
    credit_code = serializers.CharField(max_length=18)

    class Meta(OrganisationSerializer.Meta):
        model = Enterprise
        fields = [f for f in OrganisationSerializer.Meta.fields if f != "kind"]


class PersonSerializer(RegistrySerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "phone",
            "id_number",
            "address",
            "region",
            "organisation",
            "position",
            "is_party_member",
            "is_representative",
        ]
        read_only_fields = ["id"]
        masked = {
            "name": mask_name,
            "phone": mask_phone,
            "id_number": mask_id_number,
            "address": mask_address,
        }

    def validate_phone(self, value: str) -> str:
        return checked(clean_mobile, value)

    def validate_id_number(self, value: str) -> str:
        return checked(clean_id_number, value)


class HouseholdTagSerializer(RegistrySerializer):
    class Meta:
        model = HouseholdTag
        fields = ["id", "name"]
        read_only_fields = ["id"]


class HouseholdSerializer(RegistrySerializer):
    members = serializers.IntegerField(min_value=1, max_value=100, required=False)
    tags = CodeField(
        slug_field="name", queryset=HouseholdTag.objects.all(), many=True, required=False
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "head_name",
            "head_id_number",
            "phone",
            "address",
            "region",
            "members",
            "tags",
        ]
        read_only_fields = ["id"]
        masked = {
            "head_name": mask_name,
            "head_id_number": mask_id_number,
            "phone": mask_phone,
            "address": mask_address,
        }

    def validate_phone(self, value: str) -> str:
        return checked(partial(clean_phone, max_length=max_length(Household.phone.field)), value)

    def validate_head_id_number(self, value: str) -> str:
        return checked(clean_id_number, value)


class EnterpriseLinkSerializer(RegistrySerializer):
    kind = serializers.ChoiceField(choices=EnterpriseLinkKind.choices)
    person_name = serializers.CharField(source="person.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise = IdField(queryset=Organisation.objects.enterprises())

    class Meta:
        model = EnterpriseLink
        fields = ["id", "person", "person_name", "enterprise", "enterprise_name", "kind", "since"]
        read_only_fields = ["id"]
        masked = {"person_name": mask_name}


class HouseholdLinkSerializer(RegistrySerializer):
    kind = serializers.ChoiceField(choices=HouseholdLinkKind.choices)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = HouseholdLink
        fields = ["id", "person", "person_name", "household", "kind"]
        read_only_fields = ["id"]
        masked = {"person_name": mask_name}


# --- Filters ----------------------------------------------------------------------------------


def _subtree(queryset: QuerySet, prefix: str, code: str) -> QuerySet:
    region = Region.objects.filter(code=code).only("path").first()
    if region is None:
        return queryset.none()
    return queryset.filter(
        **{f"{prefix}path__gte": region.path, f"{prefix}path__lt": region.path_range_end}
    )


class RegionFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", help_text="Children of this region id.")
    level = django_filters.TypedChoiceFilter(choices=RegionLevel.choices, coerce=int)
    code = django_filters.CharFilter(max_length=32)
    under = django_filters.CharFilter(
        method="filter_under", max_length=32, help_text="Region code: it and everything under it."
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_under(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _subtree(queryset, "", value)


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrgKind.choices)
    region = IdFilter(field_name="region_id")
    q = django_filters.CharFilter(method="search", max_length=100, help_text="Name or credit code.")

    class Meta:
        model = Organisation
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code=value.upper())
        )


class EnterpriseFilter(OrganisationFilter):
    kind = None  # type: ignore[assignment]
    chain = IdFilter(field_name="chain_id", help_text="Chain committee id.")
    industry = django_filters.CharFilter(max_length=50)

    class Meta:
        model = Enterprise
        fields: list[str] = []


class PersonFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    region = IdFilter(field_name="region_id")

    class Meta:
        model = Person
        fields: list[str] = []


class HouseholdFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(
        method="filter_region", max_length=32, help_text="Region code: it and everything under it."
    )
    tag = django_filters.CharFilter(field_name="tags__name", max_length=30, distinct=True)

    class Meta:
        model = Household
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _subtree(queryset, "region__", value)


class EnterpriseLinkFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    enterprise = IdFilter(field_name="enterprise_id")
    kind = django_filters.ChoiceFilter(choices=EnterpriseLinkKind.choices)

    class Meta:
        model = EnterpriseLink
        fields: list[str] = []


class HouseholdLinkFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    household = IdFilter(field_name="household_id")
    kind = django_filters.ChoiceFilter(choices=HouseholdLinkKind.choices)

    class Meta:
        model = HouseholdLink
        fields: list[str] = []


# --- Viewsets ---------------------------------------------------------------------------------


class RegistryViewSet(
    ApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; no delete."""

    pagination_class = Cursor
    filter_backends = [FilterBackend]
    permission_classes = [ReadSignedInWriteAdmin]
    lookup_value_converter = "int"
    cursor_ordering: tuple[str, ...] = ("id",)
    # The relation to the Region that scopes each row (``people.scope``); None: no scope.
    scope_region: str | None = None

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.scope_region is None or getattr(self, "swagger_fake_view", False):
            return queryset
        # A row outside the caller's regions is not in the list, and its detail is a 404.
        return readable(caller(self.request), queryset, self.scope_region)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["unmasked"] = caller(self.request).is_admin
        return context


def registry(
    name: str, label: str, *, queryset: Any, serializer: type, filterset: type | None, **attrs: Any
) -> type[RegistryViewSet]:
    """A registry viewset with its schema: one tag, an operation id and summary per action."""
    docs = {
        "list": extend_schema(operation_id=f"{name}_list", summary=f"{label} List"),
        "retrieve": extend_schema(operation_id=f"{name}_retrieve", summary=f"{label} Read"),
        "create": extend_schema(operation_id=f"{name}_create", summary=f"{label} Create (admin)"),
        "update": extend_schema(operation_id=f"{name}_update", summary=f"{label} Replace (admin)"),
        "partial_update": extend_schema(
            operation_id=f"{name}_partial_update", summary=f"{label} Update (admin)"
        ),
    }
    view = type(
        f"{name.title().replace('_', '')}ViewSet",
        (RegistryViewSet,),
        {
            "queryset": queryset,
            "serializer_class": serializer,
            "filterset_class": filterset,
            "__doc__": (
                f"{label}: read inside the caller's regions (a row outside them is a 404), "
                "written by administrators."
                if attrs.get("scope_region")
                else f"{label}: read by signed-in users, written by administrators."
            ),
            **attrs,
        },
    )
    return extend_schema(tags=["registries"])(extend_schema_view(**docs)(view))


staff = {"permission_classes": [ReadStaffWriteAdmin]}


def in_people_scope(region: str) -> dict[str, Any]:
    return {"permission_classes": [ReadPeopleWriteAdmin], "scope_region": region}


router = SimpleRouter(use_regex_path=False)
router.register(
    "regions",
    registry(
        "regions",
        "区域",
        queryset=Region.objects.all(),
        serializer=RegionSerializer,
        filterset=RegionFilter,
        cursor_ordering=("path",),
    ),
    basename="region",
)
router.register(
    "organisations",
    registry(
        "organisations",
        "组织",
        queryset=Organisation.objects.all(),
        serializer=OrganisationSerializer,
        filterset=OrganisationFilter,
    ),
    basename="organisation",
)
router.register(
    "enterprises",
    registry(
        "enterprises",
        "企业",
        queryset=Enterprise.objects.all(),
        serializer=EnterpriseSerializer,
        filterset=EnterpriseFilter,
    ),
    basename="enterprise",
)
router.register(
    "people",
    registry(
        "people",
        "人员",
        queryset=Person.objects.all(),
        serializer=PersonSerializer,
        filterset=PersonFilter,
        **in_people_scope("region"),
    ),
    basename="person",
)
router.register(
    "enterprise-links",
    registry(
        "enterprise_links",
        "人员-企业联系",
        queryset=EnterpriseLink.objects.select_related("person", "enterprise"),
        serializer=EnterpriseLinkSerializer,
        filterset=EnterpriseLinkFilter,
        **staff,
    ),
    basename="enterprise-link",
)
router.register(
    "household-tags",
    registry(
        "household_tags",
        "户标签",
        queryset=HouseholdTag.objects.all(),
        serializer=HouseholdTagSerializer,
        filterset=None,
        **staff,
    ),
    basename="household-tag",
)
router.register(
    "households",
    registry(
        "households",
        "户",
        queryset=Household.objects.prefetch_related("tags"),
        serializer=HouseholdSerializer,
        filterset=HouseholdFilter,
        **in_people_scope("region"),
    ),
    basename="household",
)
router.register(
    "household-links",
    registry(
        "household_links",
        "人员-户联系",
        queryset=HouseholdLink.objects.select_related("person"),
        serializer=HouseholdLinkSerializer,
        filterset=HouseholdLinkFilter,
        **in_people_scope("household__region"),
    ),
    basename="household-link",
)
