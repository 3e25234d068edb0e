"""The knowledge pages' forms: they read the input's shape; ``knowledge.services`` judges it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Category
from knowledge import scope
from knowledge.models import Article, ArticleKind, ArticleStatus, ReplyScope, SavedReply
from knowledge.replies import VARIABLES, text_moves
from knowledge.services import DEFAULT_REVIEW_DAYS, MAX_QUERY, MAX_REPLY
from orgs.models import Organisation
from people.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *ArticleKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *ArticleStatus.choices], required=False
    )
    due = forms.BooleanField(label=_("只看待复核"), required=False)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "kind",
            "body",
            "keywords",
            "category",
            "owner_unit",
            "review_by",
            "is_public",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 10}), "review_by": DATE}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_unit"]
        category = self.fields["category"]
        assert isinstance(owner, forms.ModelChoiceField)
        assert isinstance(category, forms.ModelChoiceField)
        owner.queryset = scope.owner_units(user)
        if not scope.keeps_everything(user):
            # A unit's staff keep their own unit's articles: the choice is theirs only.
            owner.required = True
            owner.empty_label = None
        category.queryset = Category.objects.filter(is_active=True).select_related("case_type")
        if self.instance.pk is None:
            self.initial.setdefault(
                "review_by", timezone.localdate() + timedelta(days=DEFAULT_REVIEW_DAYS)
            )


class ReviewForm(forms.Form):
    review_by = forms.DateField(label=_("下次复核日期"), widget=DATE)
    note = forms.CharField(
        label=_("复核说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ArchiveForm(forms.Form):
    reason = forms.CharField(label=_("归档原因"), max_length=2000, required=False)


def _variables_help() -> str:
    return "；".join(f"{{{name}}} {label}" for name, label in VARIABLES.items())


class ReplyForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=60)
    text = forms.CharField(
        label=_("回复内容"), max_length=MAX_REPLY, widget=forms.Textarea(attrs={"rows": 6})
    )
    scope = forms.ChoiceField(label=_("适用范围"), choices=ReplyScope.choices)
    owner_unit = forms.ModelChoiceField(
        label=_("所属单位"), queryset=Organisation.objects.none(), required=False
    )
    move_kind = forms.ChoiceField(label=_("用于操作"), required=False)
    auto_fill = forms.BooleanField(label=_("自动填入"), required=False)

    def __init__(self, *args: Any, user: User, reply: SavedReply | None = None, **kwargs: Any):
        if reply is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": reply.title,
                    "text": reply.text,
                    "scope": reply.scope,
                    "owner_unit": reply.owner_unit_id,
                    "move_kind": reply.move_kind,
                    "auto_fill": reply.auto_fill,
                },
            )
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.help_text = _("可用变量：%(list)s。") % {"list": _variables_help()}
        kind = self.fields["move_kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("（不限）")), *text_moves()]
        kind.help_text = _("选择后，勾选“自动填入”可在打开该操作表单时预先填入。")
        units = self.fields["owner_unit"]
        assert isinstance(units, forms.ModelChoiceField)
        units.queryset = scope.reply_units(user)
        choice = self.fields["scope"]
        assert isinstance(choice, forms.ChoiceField)
        allowed = [ReplyScope.PERSONAL]
        if scope.unit_ids(user) or user.is_admin:
            allowed.append(ReplyScope.UNIT)
        if scope.keeps_everything(user):
            allowed.append(ReplyScope.OFFICE)
        choice.choices = [(value, label) for value, label in ReplyScope.choices if value in allowed]
        own = scope.unit_ids(user)
        if reply is None and len(own) == 1:
            self.initial.setdefault("owner_unit", next(iter(own)))
        if reply is not None:
            # The scope of a saved reply stays as it was made.
            choice.disabled = units.disabled = True

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ("title", "text", "move_kind", "auto_fill")}


class AskForm(forms.Form):
    q = forms.CharField(
        label=_("您遇到了什么问题？"),
        max_length=MAX_QUERY,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("简单说说您的问题，如：孩子上学怎么办理转学")}
        ),
        error_messages={"required": _("请先简单说说您的问题。")},
    )
