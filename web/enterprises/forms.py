"""The enterprise file's two forms: they read the input's shape; the services judge it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Honour


class HonourAwardForm(forms.Form):
    honour = forms.ModelChoiceField(
        Honour.objects.filter(is_active=True), label=_("荣誉资质"), empty_label=None
    )
    year = forms.IntegerField(label=_("认定年度"), min_value=1, max_value=9999)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class YearFiguresForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1, max_value=9999)
    output_value = forms.DecimalField(
        label=_("产值（万元）"), max_digits=14, decimal_places=2, min_value=0
    )
    tax = forms.DecimalField(label=_("税收（万元）"), max_digits=14, decimal_places=2, min_value=0)
    employees = forms.IntegerField(label=_("从业人数"), min_value=0, required=False)
