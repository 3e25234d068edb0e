"""Forms of the grid worker's phone pages, and the choices they share with the meeting entry.

Every choice list (case types, categories, places, enterprises) is loaded once per request and
handed to the forms as plain lists, so a page with thirty rows costs the same queries as one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType, Category, MediationOutcome, Satisfaction
from orgs.models import Organisation
from people.models import Role, User
from regions.models import Region, RegionLevel

# Roles of the grid pages: the grid staff of a place, and the cadres linked to enterprises, who
# may report what they hear but hold no grid of their own.
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE})
REPORT_ROLES = GRID_ROLES | {Role.LINKED_CADRE}

TITLE_LENGTH = 20
MAX_PHOTO_BYTES = 15 * 1024 * 1024
# The first bytes of the photo formats phones produce (JPEG, PNG, GIF, WebP, HEIC/HEIF).
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")

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
        if a.role in roles and a.region_id:
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
    roots = [a.region for a in mine if a.region_id]
    level = max_level
    if not roots:
        level = min(max_level or RegionLevel.PIECE, RegionLevel.PIECE)
        if user.is_admin:
            return list(Region.objects.filter(level__lte=level))
        region_ids = {a.organisation.region_id for a in mine if a.organisation_id}
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
    """Accept only a photo of reasonable size, judged by its bytes, not by its name."""
    if upload is None:
        return None
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("照片不能超过 %(size)d MB。"), params={"size": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    head = upload.read(16)
    upload.seek(0)
    is_heif = head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not (head.startswith(_IMAGE_SIGNATURES) or is_heif or is_webp):
        raise ValidationError(_("请上传照片（JPG、PNG、HEIC 等图片格式）。"))
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
        empty_label: str | None = "---------",
        **kwargs: Any,
    ) -> None:
        self.empty_label = empty_label
        super().__init__(**kwargs)
        self.set_objects(objects, label_of)

    def set_objects(self, objects: Iterable[Any], label_of: Callable[[Any], str] = str) -> None:
        objects = list(objects)
        self.objects = {str(o.pk): o for o in objects}
        choices = [(str(o.pk), label_of(o)) for o in objects]
        if self.empty_label is not None:
            choices.insert(0, ("", self.empty_label))
        self.choices = choices

    def valid_value(self, value: str) -> bool:
        return value in self.objects

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.objects.get(value) if value else None


class BigRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as large tap targets (grid.css styles ``.big-radio``)."""


class YesNoField(forms.TypedChoiceField):
    """A required-or-not yes/no question answered with two big buttons; cleans to a bool."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[("1", _("是")), ("0", _("否"))],
            coerce=lambda v: v == "1",
            empty_value=None,
            widget=BigRadioSelect(attrs={"class": "big-radio two"}),
            **kwargs,
        )


@dataclass
class IntakeChoices:
    """What an intake form offers this user: loaded once, shared by every form and row."""

    types: list[CaseType]
    categories: list[Category]
    places: list[Region]
    enterprises: list[Organisation]

    @classmethod
    def for_user(
        cls,
        user: User,
        roles: Iterable[str],
        *,
        max_level: int | None = None,
        enterprises: Iterable[Organisation] | None = None,
    ) -> IntakeChoices:
        categories = Category.objects.filter(is_active=True).order_by("case_type", "code")
        return cls(
            types=list(CaseType.objects.all()),
            categories=list(categories),
            places=places_for(user, roles, max_level=max_level),
            enterprises=list(enterprises) if enterprises is not None else [],
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
    enterprise = ObjectChoiceField(label=_("涉及企业"), required=False, empty_label=_("（无）"))
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=200,
        help_text=_("可不填，自动取描述的前 20 个字"),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.intake = choices
        fields = self.fields
        fields["case_type"].set_objects(choices.types)
        fields["category"].set_objects(choices.categories)
        fields["region"].set_objects(choices.places, place_label(choices.places))
        fields["enterprise"].set_objects(choices.enterprises)
        if len(choices.places) == 1:
            fields["region"].initial = str(choices.places[0].pk)
        if not choices.enterprises:
            del fields["enterprise"]

    def clean_photo(self) -> UploadedFile | None:
        return check_photo(self.cleaned_data.get("photo"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        error = category_mismatch(cleaned)
        if error:
            self.add_error("category", error)
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
            "enterprise": data.get("enterprise"),
            "attachments": [(_("现场照片") + "·" + photo.name[-80:], photo)] if photo else [],
            "source_key": source_key(data["form_token"]),
        }


class VersionForm(forms.Form):
    """A move form: it carries the case version it was rendered with (StaleCase on a replay)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ResolveForm(VersionForm):
    """当场办结: what was done there and then (and the outcome of a dispute mediated on the spot)."""

    answer = forms.CharField(
        label=_("现场处理情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("做了什么、结果如何")}),
    )
    mediation_outcome = forms.ChoiceField(
        label=_("调处结果"),
        choices=MediationOutcome.choices,
        widget=BigRadioSelect(attrs={"class": "big-radio"}),
    )

    def __init__(self, *args: Any, case_type: CaseType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not case_type.has_mediation:
            del self.fields["mediation_outcome"]


class MediationForm(VersionForm):
    """A mediation session: what happened, and the outcome once one is reached."""

    note = forms.CharField(
        label=_("调解情况"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("参加人员、双方意见、达成的共识")}
        ),
    )
    outcome = forms.ChoiceField(
        label=_("调处结果"),
        required=False,
        choices=[("", _("尚无结果，继续调解")), *MediationOutcome.choices],
        widget=BigRadioSelect(attrs={"class": "big-radio"}),
    )


class VisitForm(VersionForm):
    """回访: reached or not; a reached visit must say contacted, resolved and satisfaction."""

    reached = YesNoField(label=_("联系上诉求人"))
    contacted = YesNoField(label=_("承办单位及时联系"), required=False)
    resolved = YesNoField(label=_("问题已解决"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        required=False,
        choices=Satisfaction.choices,
        widget=BigRadioSelect(attrs={"class": "big-radio three"}),
    )
    note = forms.CharField(
        label=_("回访记录"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("reached"):
            for name in ("contacted", "resolved"):
                if cleaned.get(name) is None:
                    self.add_error(name, _("联系上诉求人时必须选择此项。"))
            if not cleaned.get("satisfaction"):
                self.add_error("satisfaction", _("联系上诉求人时必须选择满意度。"))
        return cleaned
