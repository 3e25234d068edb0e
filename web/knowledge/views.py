"""知识库 and 常用回复: the staff's search and list of articles, an article's page with its
keepers' moves (publish, archive, review), the saved replies, the search panel beside a text
box (htmx), and the residents' self-service step before they file (先看看这些解答).

Who reads and writes: ``knowledge.scope``. An article outside the reader's scope is a 404; one
they read but do not keep is a 403 on its forms.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from knowledge import scope, services
from knowledge.models import Article, ArticleStatus, SavedReply
from knowledge.replies import text_moves
from knowledge.selectors import filtered, search, self_service_count
from people.http import AuthenticatedHttpRequest
from web.knowledge.aids import panel_articles
from web.knowledge.forms import (
    ArchiveForm,
    ArticleFilterForm,
    ArticleForm,
    AskForm,
    ReplyForm,
    ReviewForm,
)

PAGE_SIZE = 30
MAX_ID = 2**31 - 1
ASK_RESULTS = 5


def _reader(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_read(request.user):
        raise PermissionDenied(_("知识库仅供工作人员使用。"))


def _article(request: AuthenticatedHttpRequest, pk: int) -> Article:
    _reader(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(scope.readable_articles(request.user), pk=pk)


def _kept(request: AuthenticatedHttpRequest, pk: int) -> Article:
    article = _article(request, pk)
    if not scope.may_edit_article(request.user, article):
        raise PermissionDenied(_("只有维护单位和研判交办员可以修改该条目。"))
    return article


def _form_errors(form: BaseForm, error: ValidationError) -> None:
    """A service's errors beside the form's fields, the others above it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Articles ---------------------------------------------------------------------------------


@login_required
@require_GET
def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff's search page: ranked by the words typed, filtered, 待复核 flagged."""
    _reader(request)
    form = ArticleFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    articles = filtered(
        scope.readable_articles(request.user),
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        status=data.get("status", ""),
        due=bool(data.get("due")),
        today=today,
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    month_start = today.replace(day=1)
    return render(
        request,
        "web/knowledge/article_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "writer": scope.may_write_articles(request.user),
            "due_count": scope.readable_articles(request.user).due_for_review(today).count(),
            "self_month": self_service_count(month_start, today),
            "self_total": self_service_count(None, None),
        },
    )


@login_required
@require_GET
def article_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    keeper = scope.may_edit_article(request.user, article)
    return render(
        request,
        "web/knowledge/article_detail.html",
        {
            "article": article,
            "keeper": keeper,
            "events": article.events.select_related("actor__person") if keeper else [],
            "review_form": ReviewForm(
                initial={"review_by": timezone.localdate() + timedelta(days=365)}
            ),
            "archive_form": ArchiveForm(),
            "answered": article.self_answers.count(),
        },
    )


def _edit(request: AuthenticatedHttpRequest, article: Article | None) -> HttpResponse:
    user = request.user
    if article is None and not scope.may_write_articles(user):
        raise PermissionDenied(_("您无权维护知识库。"))
    if article is not None and article.status == ArticleStatus.ARCHIVED:
        messages.error(request, _("已归档的条目不能修改，请先重新发布。"))
        return redirect("knowledge:article-detail", pk=article.pk)
    form = ArticleForm(request.POST or None, instance=article, user=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ArticleForm.Meta.fields}
        try:
            if article is None:
                article = services.create_article(actor=user, **fields)
            else:
                article = services.update_article(article, actor=user, **fields)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存知识库条目。"))
            return redirect("knowledge:article-detail", pk=article.pk)
    return render(
        request,
        "web/knowledge/article_form.html",
        {"form": form, "article": article},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reader(request)
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _kept(request, pk))


def _refused(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    for problems in (
        error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    ):
        for problem in problems:
            messages.error(request, problem)


@login_required
@require_POST
def article_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _kept(request, pk)
    try:
        services.publish_article(article, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已发布。"))
    return redirect("knowledge:article-detail", pk=pk)


@login_required
@require_POST
def article_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _kept(request, pk)
    form = ArchiveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.archive_article(article, actor=request.user, reason=reason)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已归档。"))
    return redirect("knowledge:article-detail", pk=pk)


@login_required
@require_POST
def article_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _kept(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect("knowledge:article-detail", pk=pk)
    try:
        services.review_article(
            article,
            actor=request.user,
            review_by=form.cleaned_data["review_by"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已复核。"))
    return redirect("knowledge:article-detail", pk=pk)


@login_required
@require_GET
def panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The search panel's results (htmx): published articles for ``q``, each with 插入."""
    _reader(request)
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "web/knowledge/_results.html",
        {"kb_query": query.strip(), "kb_articles": panel_articles(request.user, query)},
    )


# --- Saved replies ----------------------------------------------------------------------------


@login_required
@require_GET
def reply_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reader(request)
    user = request.user
    replies = scope.listed_replies(user).order_by("-is_active", "title", "pk")
    labels = dict(text_moves())
    rows = [
        (reply, scope.may_keep_reply(user, reply), labels.get(reply.move_kind, reply.move_kind))
        for reply in replies
    ]
    return render(request, "web/knowledge/reply_list.html", {"rows": rows})


def _reply_for(request: AuthenticatedHttpRequest, pk: int) -> SavedReply:
    _reader(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    reply = get_object_or_404(scope.listed_replies(request.user), pk=pk)
    if not scope.may_keep_reply(request.user, reply):
        raise PermissionDenied(_("您无权修改该常用回复。"))
    return reply


def _reply_edit(request: AuthenticatedHttpRequest, reply: SavedReply | None) -> HttpResponse:
    user = request.user
    form = ReplyForm(request.POST or None, user=user, reply=reply)
    if request.method == "POST" and form.is_valid():
        try:
            if reply is None:
                services.create_reply(
                    actor=user,
                    scope=form.cleaned_data["scope"],
                    owner_unit=form.cleaned_data["owner_unit"],
                    **form.service_fields(),
                )
            else:
                services.update_reply(reply, actor=user, **form.service_fields())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存常用回复。"))
            return redirect("knowledge:reply-list")
    return render(
        request,
        "web/knowledge/reply_form.html",
        {"form": form, "reply": reply},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reader(request)
    return _reply_edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _reply_edit(request, _reply_for(request, pk))


@login_required
@require_POST
def reply_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = _reply_for(request, pk)
    try:
        services.retire_reply(reply, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已停用常用回复。"))
    return redirect("knowledge:reply-list")


# --- Self-service (residents) -----------------------------------------------------------------


def _self_server(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_self_serve(request.user):
        raise PermissionDenied


def report_url(text: str = "") -> str:
    """The filing form (我要反映) with the words typed kept."""
    url = reverse("mine:report")
    return f"{url}?{urlencode({'description': text})}" if text else url


@login_required
@require_GET
def ask(request: AuthenticatedHttpRequest) -> HttpResponse:
    """先看看这些解答: the public articles for what the resident typed, before they file."""
    _self_server(request)
    public = Article.objects.public()
    if "q" not in request.GET and not public.exists():
        return redirect(report_url())  # nothing to offer yet: straight to the form
    form = AskForm(request.GET if "q" in request.GET else None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    articles = list(search(public, query)[:ASK_RESULTS]) if query else []
    return render(
        request,
        "web/knowledge/ask.html",
        {
            "form": form,
            "query": query,
            "articles": articles,
            "continue_url": report_url(query),
        },
    )


@login_required
@require_POST
def ask_solved(request: AuthenticatedHttpRequest) -> HttpResponse:
    """解决了我的问题: recorded as a question answered without a case."""
    _self_server(request)
    try:
        pk = int(request.POST.get("article", ""))
    except ValueError:
        raise Http404 from None
    if not 0 < pk <= MAX_ID:
        raise Http404
    article = get_object_or_404(Article.objects.public(), pk=pk)
    services.record_self_service(article, user=request.user, query=request.POST.get("q", ""))
    return render(request, "web/knowledge/ask_done.html", {"article": article})
