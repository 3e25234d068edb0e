"""Forms of the grid worker's phone pages, and the choices they share with the meeting entry.

Every choice list (case types, categories, places, enterprises) is loaded once per request and
handed to the forms as plain lists, so a page with thirty rows costs the same queries as one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import forms as f
from cases.attachments import check_file
from cases.models import CaseType, Category, EventKind, MediationOutcome
from orgs.models import Organisation
from people.models import GRID_STAFF, Role, User
from regions.models import GridStation, Region, RegionLevel
from web.grid.intake_facts import HouseholdField, clean_household

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Roles of the grid pages: the grid staff of a place, and the cadres linked to enterprises, who
# may report what they hear but hold no grid of their own.
GRID_ROLES = GRID_STAFF
REPORT_ROLES = GRID_ROLES | {Role.LINKED_CADRE}

TITLE_LENGTH = 20

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,20}$", _("请输入有效的电话号码（手机或固定电话）。")
)


def has_any_role(user: User, roles: Iterable[str]) -> bool:
    roles = frozenset(roles)
    return user.is_admin or any(a.role in roles for a in user.role_assignments)


def grid_q(user: User, roles: Iterable[str] = GRID_ROLES) -> Q | None:
    """The cases in the user's own grids (None: everywhere, for administrators)."""
    if user.is_admin:
        return None
    roles = frozenset(roles)
    q = Q(pk__in=[])
    for a in user.role_assignments:
        if a.role in roles and a.region is not None:
            q |= Q(region__path__gte=a.region.path, region__path__lt=a.region.path_range_end)
    return q


def places_for(user: User, roles: Iterable[str], *, max_level: int | None = None) -> list[Region]:
    """The places ``user`` may file a case into, in tree order.

    A role held over a region gives its whole subtree (the user's own grid); a role held over an
    organisation (a linked cadre, a committee's dispatcher) gives the organisation's region down
    to the grids, and an administrator every region down to the grids. ``max_level`` trims
    the region subtrees too (a meeting's place needs no neighbourhood).
    """
    roles = frozenset(roles)
    mine = [a for a in user.role_assignments if a.role in roles]
    roots = [a.region for a in mine if a.region is not None]
    level = max_level
    if not roots:
        level = min(max_level or RegionLevel.PIECE, RegionLevel.PIECE)
        if user.is_admin:
            return list(Region.objects.filter(level__lte=level))
        region_ids = {a.organisation.region_id for a in mine if a.organisation is not None}
        roots = list(Region.objects.filter(pk__in=region_ids - {None}))
    if not roots:
        return []
    q = Q()
    for root in roots:
        q |= Q(path__gte=root.path, path__lt=root.path_range_end)
    regions = Region.objects.filter(q)
    if level is not None:
        regions = regions.filter(Q(level__lte=level) | Q(pk__in=[r.pk for r in roots]))
    return list(regions.order_by("path"))


def place_label(regions: Sequence[Region]) -> Callable[[Region], str]:
    """Indent each place under its parent, so a long list still reads as a tree."""
    top = min((r.depth for r in regions), default=0)
    return lambda region: "\u3000" * (region.depth - top) + region.name


def derive_title(text: str) -> str:
    """A title from the first words of the text: the worker on the spot should not type two."""
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    if len(first) <= TITLE_LENGTH:
        return first
    head = first[:TITLE_LENGTH]
    # End at the last clause inside the limit when there is one long enough to say something.
    cut = max(head.rfind(mark) for mark in "，,、；;：:")
    return head[:cut] if cut >= TITLE_LENGTH // 3 else head + "…"


def new_token() -> str:
    return str(uuid.uuid4())


def source_key(token: uuid.UUID | str) -> str:
    """The case's idempotency key for a one-time form token."""
    return f"web-form:{token}"


def check_photo(upload: UploadedFile | None) -> UploadedFile | None:
    """Accept only a photo the engine takes (``cases.attachments``), judged by its bytes."""
    if upload is None:
        return None
    try:
        kind = check_file(upload)
    except ValidationError as error:
        if error.code != "file_type":
            raise
        kind = None
    if kind is None or not kind.is_image:  # the field is a camera: no PDF either
        raise ValidationError(
            _("请上传照片（JPG、PNG、GIF 或 WebP 格式的图片）。"), code="file_type"
        )
    return upload


class ObjectChoiceField(forms.ChoiceField):
    """A choice among objects loaded once per request; cleans to the object itself.

    Unlike ModelChoiceField it never queries: thirty rows of a formset share one list.
    """

    def __init__(
        self,
        objects: Iterable[Any] = (),
        *,
        label_of: Callable[[Any], str] = str,
        empty_label: StrOrPromise | None = "---------",
        **kwargs: Any,
    ) -> None:
        self.empty_label = empty_label
        super().__init__(**kwargs)
        self.set_objects(objects, label_of)

    def set_objects(self, objects: Iterable[Any], label_of: Callable[[Any], str] = str) -> None:
        objects = list(objects)
        self.objects = {str(o.pk): o for o in objects}
        choices: list[tuple[str, StrOrPromise]] = [(str(o.pk), label_of(o)) for o in objects]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def valid_value(self, value: str) -> bool:
        return value in self.objects

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.objects.get(value) if value else None


def objects_field(form: forms.Form, name: str) -> ObjectChoiceField:
    """The form's own copy of the ObjectChoiceField ``name`` its class declares."""
    return cast(ObjectChoiceField, form.fields[name])


class BigRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as large tap targets (grid.css styles ``.big-radio``)."""


@dataclass
class IntakeChoices:
    """What an intake form offers this user: loaded once, shared by every form and row."""

    types: list[CaseType]
    categories: list[Category]
    places: list[Region]
    enterprises: list[Organisation]
    stations: list[GridStation] = field(default_factory=list)

    @classmethod
    def for_user(
        cls,
        user: User,
        roles: Iterable[str],
        *,
        max_level: int | None = None,
        enterprises: Iterable[Organisation] | None = None,
        with_stations: bool = False,
    ) -> IntakeChoices:
        categories = Category.objects.filter(is_active=True).order_by("case_type", "code")
        places = places_for(user, roles, max_level=max_level)
        return cls(
            types=list(CaseType.objects.all()),
            categories=list(categories),
            places=places,
            enterprises=list(enterprises) if enterprises is not None else [],
            # Only the grid report asks where it was taken in (one query more).
            stations=list(
                GridStation.objects.filter(region__in=[p.pk for p in places]).order_by("name")
            )
            if with_stations
            else [],
        )

    def categories_by_type(self) -> dict[str, list[list[str]]]:
        """Categories per case type, for the page script that filters the category list."""
        result: dict[str, list[list[str]]] = {str(t.pk): [] for t in self.types}
        for c in self.categories:
            result.setdefault(str(c.case_type_id), []).append([str(c.pk), c.name])
        return result


def category_mismatch(cleaned: dict[str, Any]) -> ValidationError | None:
    case_type, category = cleaned.get("case_type"), cleaned.get("category")
    if case_type and category and category.case_type_id != case_type.pk:
        return ValidationError(_("该分类不属于所选的事项类型。"))
    return None


class ReportForm(forms.Form):
    """上报事项: what a grid worker types on the spot; everything else is derived or optional."""

    case_type = ObjectChoiceField(
        label=_("事项类型"),
        empty_label=None,
        widget=BigRadioSelect(attrs={"class": "big-radio", "data-case-type": ""}),
    )
    category = ObjectChoiceField(
        label=_("分类"),
        required=False,
        empty_label=_("（不确定可不选）"),
        widget=forms.Select(attrs={"data-category": ""}),
    )
    region = ObjectChoiceField(
        label=_("地点"),
        empty_label=_("请选择网格内的地点"),
        error_messages={"invalid_choice": _("只能选择本人负责网格内的地点。")},
    )
    address = forms.CharField(label=_("详细位置"), required=False, max_length=200)
    description = forms.CharField(
        label=_("情况描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("发生了什么、在哪里、涉及谁")}),
    )
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    requester_name = forms.CharField(label=_("诉求人姓名"), required=False, max_length=50)
    requester_phone = forms.CharField(
        label=_("诉求人电话"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    anonymous_to_unit = forms.BooleanField(
        label=_("对承办单位保密"),
        required=False,
        help_text=_("诉求人要求时勾选：承办单位看不到诉求人的姓名和电话"),
    )
    enterprise = ObjectChoiceField(label=_("涉及企业"), required=False, empty_label=_("（无）"))
    station = ObjectChoiceField(
        label=_("受理驿站"),
        required=False,
        empty_label=_("（不在驿站受理）"),
        help_text=_("在网格驿站受理的，选择驿站，便于按驿站统计"),
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=200,
        help_text=_("可不填，自动取描述的前 20 个字"),
    )
    household = HouseholdField(help_text=_("可不选。输入户主姓名、电话或住址查找本网格的户"))
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, choices: IntakeChoices, user: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.intake = choices
        self.user = user
        fields = self.fields
        if user is None:
            del fields["household"]  # picked only where the page offers the picker
        objects_field(self, "case_type").set_objects(choices.types)
        objects_field(self, "category").set_objects(choices.categories)
        objects_field(self, "region").set_objects(choices.places, place_label(choices.places))
        objects_field(self, "enterprise").set_objects(choices.enterprises)
        if len(choices.places) == 1:
            fields["region"].initial = str(choices.places[0].pk)
        if not choices.enterprises:
            del fields["enterprise"]
        if choices.stations:
            objects_field(self, "station").set_objects(choices.stations)
        else:
            del fields["station"]

    def clean_photo(self) -> UploadedFile | None:
        return check_photo(self.cleaned_data.get("photo"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        error = category_mismatch(cleaned)
        if error:
            self.add_error("category", error)
        if self.user is not None and "household" in cleaned:
            try:
                cleaned["household"] = clean_household(
                    self.user, cleaned["household"], cleaned.get("region")
                )
            except ValidationError as exc:
                self.add_error("household", exc)
        return cleaned

    def report_arguments(self) -> dict[str, Any]:
        """The keyword arguments of services.report_case this form stands for."""
        data = self.cleaned_data
        description = data["description"].strip()
        photo = data.get("photo")
        return {
            "case_type": data["case_type"],
            "category": data.get("category"),
            "region": data["region"],
            "address": data.get("address", ""),
            "title": data.get("title", "").strip() or derive_title(description),
            "description": description,
            "requester_name": data.get("requester_name", "").strip(),
            "requester_phone": data.get("requester_phone", "").strip(),
            "anonymous_to_unit": bool(data.get("anonymous_to_unit")),
            "enterprise": data.get("enterprise"),
            "station": data.get("station"),
            "household": data.get("household"),
            "attachments": [(_("现场照片") + "·" + photo.name[-80:], photo)] if photo else [],
            "source_key": source_key(data["form_token"]),
        }


def _big_radio(field: forms.Field, css: str = "big-radio") -> None:
    field.widget = BigRadioSelect(attrs={"class": css}, choices=f.choices_of(field))


class ResolveForm(f.ResolveOnSpotForm):
    """当场办结 on the phone: the catalogue's form with big buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].widget.attrs.update(rows=4, placeholder=_("做了什么、结果如何"))
        if "mediation_outcome" in self.fields:
            _big_radio(self.fields["mediation_outcome"])


class MediationForm(f.MediationForm):
    """A mediation session on the phone: the catalogue's form with big buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.update(
            rows=4, placeholder=_("参加人员、双方意见、达成的共识")
        )
        outcome = cast(forms.ChoiceField, self.fields["outcome"])
        outcome.choices = [("", _("尚无结果，继续调解")), *MediationOutcome.choices]
        _big_radio(outcome)


class VisitForm(f.VisitForm):
    """回访 on the phone: first whether the requester was reached, which picks the move (回访 or
    回访未联系上); the questions of a reached visit are the catalogue's."""

    reached = f.YesNoField(label=_("联系上诉求人"))
    # One-time token: a visit sent again (a phone replaying what it saved offline) is made once.
    form_token = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=new_token)
    field_order = ["version", "reached", "contacted", "resolved", "satisfaction", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("reached", "contacted", "resolved"):
            _big_radio(self.fields[name], "big-radio two")
        _big_radio(self.fields["satisfaction"], "big-radio three")
        self.fields["note"].widget.attrs["rows"] = 2
        if self.is_bound and self.fields["reached"].to_python(self.data.get("reached")) == "0":
            for name in ("contacted", "resolved", "satisfaction"):
                self.fields[name].required = False

    @property
    def move(self) -> str:
        """The move this visit makes."""
        return (
            EventKind.VISITED if self.cleaned_data["reached"] else EventKind.VISIT_FAILED_TO_REACH
        )

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        del data["reached"], data["form_token"]
        if self.move == EventKind.VISIT_FAILED_TO_REACH:
            return {"note": data["note"], "expected_version": data["expected_version"]}
        return data
