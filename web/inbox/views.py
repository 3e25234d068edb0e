"""The signed-in user's in-site messages (站内信) and the channels they want messages on.

Every query goes through ``notify.services`` scoped to ``request.user``: another user's message
id is simply not found (marking it read changes nothing).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from notify import services
from notify.models import Channel
from people.http import AuthenticatedHttpRequest

PAGE_SIZE = 20


class PreferencesForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("接收渠道"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.INBOX],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("站内信始终接收。"),
    )


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = "unread" if request.GET.get("show") == "unread" else ""
    rows = services.inbox(request.user)
    if show:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    wanted = services.preferences_for(request.user)
    form = PreferencesForm(initial={"channels": [c for c, on in wanted.items() if on]})
    return render(
        request, "web/inbox/index.html", {"page": page, "show": show, "preferences_form": form}
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    count = services.mark_read(request.user, "all" if request.POST.get("all") else ids)
    if count:
        messages.success(request, _("已标为已读 %(count)d 条。") % {"count": count})
    return redirect("inbox:index")


@login_required
@require_POST
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if form.is_valid():
        services.set_preferences(request.user, form.cleaned_data["channels"])
        messages.success(request, _("通知偏好已保存。"))
    return redirect("inbox:index")
