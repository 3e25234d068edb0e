"""Forms of the requesters' phone pages: 我要反映, 补充信息 and 评价.

The moves' own rules stay in the catalogue's forms (``cases.forms``); these only add big tap
targets and photos (up to three, each judged by its bytes as the grid worker's photo is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from cases import forms as f
from cases.models import CaseType, Category
from orgs.models import Organisation
from regions.models import Region
from web.grid.forms import (
    BigRadioSelect,
    ObjectChoiceField,
    check_photo,
    derive_title,
    objects_field,
    source_key,
)

MAX_PHOTOS = 3


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that takes several photos at once (the phone's gallery or camera)."""

    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``MAX_PHOTOS`` photos; cleans to a list of uploads (empty when none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                _("最多上传 %(n)s 张照片。"), code="too_many", params={"n": MAX_PHOTOS}
            )
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        cleaned = []
        for upload in uploads:
            upload = super().clean(upload, initial)
            photo = check_photo(upload)
            if photo is not None:
                cleaned.append(photo)
        return cleaned


def photo_attachments(label: str, photos: Sequence[UploadedFile]) -> list[tuple[str, Any]]:
    """``(name, file)`` pairs as the engine takes them, the sender's name shortened."""
    return [(f"{label}·{(photo.name or '')[-80:]}", photo) for photo in photos]


class ReportForm(forms.Form):
    """我要反映: what the requester writes; the case type follows from who they are."""

    enterprise = ObjectChoiceField(
        label=_("反映主体"),
        empty_label=None,
        widget=BigRadioSelect(attrs={"class": "big-radio one"}),
    )
    category = ObjectChoiceField(
        label=_("问题分类"), required=False, empty_label=_("（不确定可不选）")
    )
    town = ObjectChoiceField(
        label=_("乡镇（街道）"),
        required=False,
        empty_label=_("请选择乡镇"),
        widget=forms.Select(attrs={"data-town": ""}),
    )
    region = ObjectChoiceField(
        label=_("村（社区）"),
        empty_label=_("请选择村（社区）"),
        widget=forms.Select(attrs={"data-village": ""}),
        error_messages={"required": _("请选择问题发生的村（社区）。")},
    )
    address = forms.CharField(
        label=_("详细地址"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：xx路xx号旁")}),
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=200,
        help_text=_("可不填，自动取内容的前 20 个字"),
    )
    description = forms.CharField(
        label=_("反映内容"),
        max_length=f.MAX_TEXT,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("请说明遇到的问题、发生的时间和地点、您的诉求")}
        ),
        error_messages={"required": _("请填写反映内容。")},
    )
    photos = PhotosField(label=_("照片（最多 3 张）"))
    anonymous_to_unit = forms.BooleanField(
        label=_("对承办单位保密"),
        required=False,
        help_text=_("勾选后，办理单位看不到您的姓名和电话，由热线中心与您联系"),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        case_types: dict[str, CaseType],
        enterprises: Sequence[Organisation],
        personal: bool,
        categories: Sequence[Category],
        towns: Sequence[Region],
        places: Sequence[tuple[str, Sequence[Region]]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case_types = case_types
        self.personal = personal
        filers: list[Any] = list(enterprises)
        if personal:
            filers.insert(0, _PERSONAL)
        objects_field(self, "enterprise").set_objects(filers, _filer_label)
        self.only_filer = filers[0] if len(filers) == 1 else None
        if self.only_filer is not None:
            self.fields["enterprise"].required = False
            self.fields["enterprise"].initial = str(self.only_filer.pk)
            self.fields["enterprise"].widget = forms.HiddenInput()
        objects_field(self, "category").set_objects(categories)
        objects_field(self, "town").set_objects(towns)
        region = objects_field(self, "region")
        region.set_objects([place for _group, group in places for place in group])
        region.choices = [
            ("", region.empty_label or ""),
            *((group, [(str(p.pk), p.name) for p in members]) for group, members in places),
        ]
        if len(region.objects) == 1:
            region.initial = next(iter(region.objects))

    @property
    def filer_fixed(self) -> bool:
        return isinstance(self.fields["enterprise"].widget, forms.HiddenInput)

    def clean_enterprise(self) -> Any:
        return self.cleaned_data.get("enterprise") or self.only_filer

    def clean_photos(self) -> list[UploadedFile]:
        return self.cleaned_data.get("photos") or []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        filer, category = data.get("enterprise"), data.get("category")
        if filer is not None and category is not None:
            if category.case_type_id != self._case_type(filer).pk:
                self.add_error("category", _("该分类不属于所选的诉求类型。"))
        return data

    def _case_type(self, filer: Any) -> CaseType:
        code = "resident_issue" if filer is _PERSONAL else "enterprise_demand"
        return self.case_types[code]

    def report_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``services.report_case`` this form stands for."""
        data = self.cleaned_data
        filer = data["enterprise"]
        description = data["description"].strip()
        return {
            "case_type": self._case_type(filer),
            "enterprise": None if filer is _PERSONAL else filer,
            "category": data.get("category"),
            "region": data["region"],
            "address": data.get("address", "").strip(),
            "title": data.get("title", "").strip() or derive_title(description),
            "description": description,
            "attachments": photo_attachments(str(_("群众上传")), data["photos"]),
            "anonymous_to_unit": bool(data.get("anonymous_to_unit")),
            "source_key": source_key(data["form_token"]),
        }


class _Personal:
    """The choice "myself" (群众诉求) beside the enterprises a liaison files for."""

    pk = "self"

    def __str__(self) -> str:
        return str(_("个人（群众诉求）"))


_PERSONAL = _Personal()


def _filer_label(filer: Any) -> str:
    if filer is _PERSONAL:
        return str(filer)
    return str(_("%(name)s（企业诉求）") % {"name": filer.name})


def _big(field: forms.Field, css: str) -> None:
    field.widget = BigRadioSelect(attrs={"class": css}, choices=f.choices_of(field))


class RateForm(f.RateForm):
    """评价 on the phone: the catalogue's questions as big buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _big(self.fields["contacted"], "big-radio two")
        _big(self.fields["resolved"], "big-radio two")
        _big(self.fields["satisfaction"], "big-radio three satisfaction")
        self.fields["comment"].widget.attrs.update(
            rows=3, placeholder=_("对办理结果的意见或建议（可不填）")
        )


class InfoAddForm(f.InfoAddForm):
    """补充信息 on the phone: the answer, and photos if they help."""

    photos = PhotosField(label=_("照片（最多 3 张）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["info"].widget.attrs.update(rows=4, placeholder=_("请按要求补充说明"))

    def arguments(self) -> dict[str, Any]:
        data = super().arguments()
        data["attachments"] = photo_attachments(str(_("补充材料")), data.pop("photos") or [])
        return data
