"""The project pages' forms: they read the input's shape; the services judge it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from orgs.models import Organisation
from people.models import EnterpriseLinkKind, Person
from projects.models import Stage
from projects.services import BLOCKER_CASE_TYPE, OWNER_KINDS
from regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _required(message: StrOrPromise) -> dict[str, StrOrPromise]:
    return {"required": message}


class ProjectForm(forms.Form):
    name = forms.CharField(
        label=_("项目名称"), max_length=150, error_messages=_required(_("请填写项目名称。"))
    )
    enterprise = forms.ModelChoiceField(
        Organisation.objects.enterprises().filter(is_active=True).order_by("name"),
        label=_("项目企业"),
        error_messages=_required(_("请选择项目企业。")),
    )
    region = forms.ModelChoiceField(
        Region.objects.filter(level__lte=RegionLevel.VILLAGE).order_by("path"),
        label=_("项目地点"),
        error_messages=_required(_("请选择项目地点。")),
    )
    investment = forms.DecimalField(
        label=_("计划投资（万元）"),
        max_digits=14,
        decimal_places=2,
        error_messages=_required(_("请填写计划投资。")),
    )
    signed_on = forms.DateField(
        label=_("签约日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_required(_("请填写签约日期。")),
    )
    owner_unit = forms.ModelChoiceField(
        Organisation.objects.filter(kind__in=OWNER_KINDS, is_active=True).order_by("kind", "name"),
        label=_("责任单位"),
        error_messages=_required(_("请选择责任单位。")),
    )
    commissioner = forms.ModelChoiceField(
        Person.objects.filter(enterprise_links__kind=EnterpriseLinkKind.RESIDENT_COMMISSIONER)
        .distinct()
        .order_by("name"),
        label=_("驻厂专员"),
        required=False,
    )


class CompleteForm(forms.Form):
    done_on = forms.DateField(
        label=_("完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class BlockForm(forms.Form):
    reason = forms.CharField(
        label=_("受阻原因"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("请填写受阻原因。")),
    )
    category = forms.ModelChoiceField(
        Category.objects.filter(case_type__code=BLOCKER_CASE_TYPE, is_active=True),
        label=_("诉求分类"),
        required=False,
    )


class UnblockForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("推进到"), choices=Stage.choices, widget=forms.HiddenInput, required=False
    )
    reason = forms.CharField(
        label=_("推进说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本阶段节点未全部完成时必填"),
    )
