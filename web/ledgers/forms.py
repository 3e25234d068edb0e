"""The import wizard's forms: the upload, and the mapping the user confirms (columns, words,
places, options). They validate input and build the :class:`MappingProfile`; the views hand it
to ``ledgers.tasks``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from cases.models import (
    CaseType,
    Channel,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    Status,
)
from ledgers.history import PLACE, SKIP, UPDATE, importer_regions
from ledgers.models import ImportJob
from ledgers.units import CategoryResolver, UnitResolver
from ledgers.vocabulary import (
    DETAILS,
    FIELD_LABELS,
    HEADERS,
    IGNORE,
    NO_SATISFACTION,
    MappingProfile,
    normalise,
    suggest_value,
)
from orgs.models import Organisation
from people.models import User
from regions.models import Region, RegionLevel
from web.dispatch.forms import UNIT_ORDER

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Every .xlsx is a zip archive; an .xls (and an .xlsx with an opening password) is an OLE file.
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_FORMATS = (".xls", ".et", ".wps", ".csv")
# A select's value for "no value recorded" (未回访, 调解中): the profile stores it as "".
NO_VISIT = "-"
EMPTY_ALLOWED = ("satisfaction", "mediation_outcome")
# A category or unit the registries find this close to a word is preselected for the user.
SUGGEST_SCORE = 0.5


def max_bytes() -> int:
    return int(getattr(settings, "LEDGER_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def offices(user: User) -> Any:
    """The offices (regions) a user imports for: their dispatcher or administrator regions, or
    for an administrator without one the county and its towns."""
    roots = importer_regions(user)
    if roots is None:
        return Region.objects.filter(level__lte=RegionLevel.TOWN).order_by("path")
    return Region.objects.filter(pk__in=[r.pk for r in roots]).order_by("path")


def check_workbook(file: UploadedFile) -> None:
    """An .xlsx judged by its bytes (a zip holding a workbook), never by its name alone."""
    name = file.name or ""
    suffix = Path(name).suffix.lower()
    if suffix in OLD_FORMATS:
        raise ValidationError(
            _("不支持 %(suffix)s 格式，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。"),
            code="file_type",
            params={"suffix": suffix},
        )
    limit = max_bytes()
    if (file.size or 0) > limit:
        raise ValidationError(
            _("文件超过 %(size)s MB。请把台账按年度或月份拆成几个文件分别导入。"),
            code="file_size",
            params={"size": limit // (1024 * 1024)},
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _(
                "该文件是旧版 Excel（.xls）格式，或设有打开密码。"
                "请在 Excel 或 WPS 中取消密码并“另存为” .xlsx 后再导入。"
            ),
            code="file_type",
        )
    if not head.startswith(ZIP_MAGIC):
        raise ValidationError(
            _("该文件不是 Excel 工作簿（.xlsx），请上传用 Excel 或 WPS 保存的 .xlsx 文件。"),
            code="file_type",
        )
    try:
        with zipfile.ZipFile(cast(Any, file)) as archive:
            is_workbook = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        is_workbook = False
    file.seek(0)
    if not is_workbook:
        raise ValidationError(
            _("该文件是压缩包或其他文档，不是 Excel 工作簿（.xlsx）。"), code="file_type"
        )
    if suffix != ".xlsx":
        raise ValidationError(_("请上传 .xlsx 文件。"), code="file_type")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    case_type = forms.ModelChoiceField(
        label=_("事项类型"),
        queryset=CaseType.objects.all(),
        required=False,
        empty_label=_("自动识别（按标题和表头）"),
    )
    sheet = forms.CharField(
        label=_("工作表名称"),
        required=False,
        max_length=100,
        help_text=_("不填则读取第一个工作表。"),
    )
    office = forms.ModelChoiceField(label=_("所属单位"), queryset=Region.objects.none())

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = cast(forms.ModelChoiceField, self.fields["office"])
        office.queryset = offices(user)
        office.help_text = _("对应方案按单位保存，下次导入同样格式的台账时自动识别。")
        first = office.queryset.first()
        if first is not None:
            office.initial = first.pk
        office.empty_label = None

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        check_workbook(file)
        return file


# --- the mapping -------------------------------------------------------------------------------

FIELD_CHOICES = [(name, FIELD_LABELS[name]) for name in HEADERS if name not in (IGNORE, DETAILS)]
COLUMN_CHOICES = [*FIELD_CHOICES, (DETAILS, FIELD_LABELS[DETAILS]), (IGNORE, FIELD_LABELS[IGNORE])]


def value_choices(field_name: str, case_type: CaseType) -> list[tuple[str, Any]]:
    """What a ledger word of ``field_name`` may stand for."""
    if field_name == "status":
        return [(s.value, s.label) for s in Status if s != Status.MERGED]
    if field_name == "satisfaction":
        return [*Satisfaction.choices, (NO_VISIT, _("未回访/无有效评价"))]
    if field_name == "mediation_outcome":
        return [*MediationOutcome.choices, (NO_VISIT, _("尚无结果（调解中）"))]
    if field_name == "category":
        categories = case_type.categories.filter(is_active=True).order_by("code")
        return [(str(c.pk), c.name) for c in categories]
    if field_name in ("lead_unit", "co_units"):
        units = Organisation.objects.handling_units().order_by(UNIT_ORDER, "name")
        return [(str(pk), name) for pk, name in units.values_list("pk", "name")]
    simple: dict[str, Any] = {
        "priority": Priority,
        "risk_level": RiskLevel,
        "channel": Channel,
    }
    return list(simple[field_name].choices) if field_name in simple else []


def suggest(field_name: str, word: str, resolvers: Resolvers) -> str:
    """The choice the word most likely stands for ("" when none is likely enough)."""
    if field_name in ("category", "lead_unit", "co_units"):
        found = resolvers.suggestions(field_name, word)
        return str(found[0][0].pk) if found and found[0][1] >= SUGGEST_SCORE else ""
    found_value = suggest_value(field_name, word)
    if found_value.target == NO_SATISFACTION:
        return NO_VISIT if field_name in EMPTY_ALLOWED else ""
    return found_value.target or ""


class Resolvers:
    """The registries' own matching of category and unit words, built once per form when asked."""

    def __init__(self, case_type: CaseType) -> None:
        self.case_type = case_type
        self._categories: CategoryResolver | None = None
        self._units: UnitResolver | None = None

    def suggestions(self, field_name: str, word: str) -> list[tuple[Any, float]]:
        if field_name == "category":
            if self._categories is None:
                self._categories = CategoryResolver(self.case_type)
            return list(self._categories.suggestions(word, 1))
        if self._units is None:
            self._units = UnitResolver()
        return list(self._units.suggestions(word, 1))


@dataclass(frozen=True)
class Question:
    """One ledger word to map: the form field asking it."""

    key: str
    field: str
    word: str
    candidates: tuple[tuple[str, str], ...] = ()  # places only


def _words(asked: Iterable[str], picked: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in [*asked, *picked]:
        seen.setdefault(normalise(word), word)
    return list(seen.values())


class MappingForm(forms.Form):
    """The ledger's columns → fields, its unknown words → values, its ambiguous places → a
    region, and the options of the import; built from the job's last analysis."""

    case_type = forms.ModelChoiceField(
        label=_("事项类型"), queryset=CaseType.objects.all(), empty_label=None
    )
    profile_name = forms.CharField(
        label=_("对应方案名称"),
        max_length=100,
        help_text=_("确认导入时按此名称保存为本单位的对应方案，下次自动识别。"),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("跳过有误的行，只导入正确的行（默认：有一行有误则全部不导入）"), required=False
    )
    duplicates = forms.ChoiceField(
        label=_("编号已导入过的行"),
        choices=[(SKIP, _("跳过")), (UPDATE, _("按台账更新"))],
        widget=forms.RadioSelect,
        initial=SKIP,
    )

    def __init__(self, job: ImportJob, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        mapping = job.get_mapping()
        result = job.result
        self.fields["case_type"].initial = job.case_type_id
        self.fields["profile_name"].initial = mapping.name or (
            job.profile.name if job.profile else Path(job.name).stem[:100]
        )
        self.fields["skip_bad_rows"].initial = job.skip_bad_rows
        self.fields["duplicates"].initial = job.duplicates
        self.columns: list[dict[str, Any]] = list(result.get("columns", []))
        for index, column in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column["name"],
                choices=COLUMN_CHOICES,
                initial=column.get("field") or mapping.columns.get(column["name"]) or DETAILS,
            )
        self.questions: list[Question] = []
        unknown: dict[str, list[str]] = result.get("unknown_values", {})
        fields = [*unknown, *(f for f in mapping.values if f not in unknown and f != PLACE)]
        resolvers = Resolvers(job.case_type)
        for field_name in fields:
            choices = value_choices(field_name, job.case_type)
            picked = mapping.values.get(field_name, {})
            for word in _words(unknown.get(field_name, []), picked):
                key = f"value_{len(self.questions)}"
                if word in picked:
                    initial = NO_VISIT if picked[word] == NO_SATISFACTION else picked[word]
                else:
                    initial = suggest(field_name, word, resolvers)
                self.fields[key] = forms.ChoiceField(
                    label=word,
                    choices=[("", _("（未选择：该行将报错）")), *choices],
                    required=False,
                    initial=initial,
                )
                self.questions.append(Question(key, field_name, word))
        ambiguous: dict[str, list[list[str]]] = result.get("ambiguous_places", {})
        picked_places = mapping.values.get(PLACE, {})
        for value in _words(ambiguous, picked_places):
            candidates = tuple((str(c[0]), str(c[1])) for c in ambiguous.get(value, []))
            if not candidates:  # picked earlier and no longer asked: offer the pick itself
                region = Region.objects.filter(code=picked_places.get(value)).first()
                candidates = ((region.code, region.name),) if region else ()
            key = f"place_{len(self.questions)}"
            self.fields[key] = forms.ChoiceField(
                label=value,
                choices=[("", _("（未选择）")), *candidates],
                required=False,
                initial=picked_places.get(value, ""),
            )
            self.questions.append(Question(key, PLACE, value, candidates))

    # The template walks these.
    def column_fields(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(column, self[f"column_{i}"]) for i, column in enumerate(self.columns)]

    def value_groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        groups: dict[str, list[forms.BoundField]] = {}
        for question in self.questions:
            if question.field != PLACE:
                groups.setdefault(question.field, []).append(self[question.key])
        return [(FIELD_LABELS.get(name, name), fields) for name, fields in groups.items()]

    def place_fields(self) -> list[forms.BoundField]:
        return [self[q.key] for q in self.questions if q.field == PLACE]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        taken: dict[str, str] = {}
        for index, column in enumerate(self.columns):
            target = data.get(f"column_{index}")
            if not target or target in (DETAILS, IGNORE):
                continue
            if target in taken:
                self.add_error(
                    f"column_{index}",
                    ValidationError(
                        _("“%(a)s”和“%(b)s”都对应到了“%(field)s”，一个字段只能对应一列。"),
                        code="taken",
                        params={
                            "a": taken[target],
                            "b": column["name"],
                            "field": FIELD_LABELS[target],
                        },
                    ),
                )
            taken[target] = column["name"]
        return data

    def mapping(self) -> MappingProfile:
        """The mapping the form holds: every column's field, the job's earlier word picks
        updated with this form's (a cleared pick is forgotten)."""
        data = self.cleaned_data
        columns = {c["name"]: data[f"column_{i}"] for i, c in enumerate(self.columns)}
        values = {f: dict(words) for f, words in self.job.get_mapping().values.items()}
        type_changed = data["case_type"].pk != self.job.case_type_id
        if type_changed:
            values.pop("category", None)  # another type has other categories
        for question in self.questions:
            if type_changed and question.field == "category":
                continue
            picked = data.get(question.key) or ""
            words = values.setdefault(question.field, {})
            if picked:
                words[question.word] = NO_SATISFACTION if picked == NO_VISIT else picked
            else:
                words.pop(question.word, None)
        values = {f: words for f, words in values.items() if words}
        return MappingProfile(columns=columns, values=values, name=data["profile_name"])
