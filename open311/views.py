"""The GeoReport v2 endpoints (and mySociety's request updates), each in ``.json`` and ``.xml``.

Each view reads its parameters, resolves the key, calls one listing or intake function and
renders; every failure is an answer in the error format, never an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from open311.catalog import changeset, definition_data, load_services, region_choices
from open311.formats import Open311Error, render, render_error
from open311.intake import read_submission, submit
from open311.listing import filter_requests, filter_updates, listed_cases, listed_events, page_slice
from open311.mapping import (
    request_queryset,
    requests_data,
    update_queryset,
    updates_data,
    w3c,
)
from open311.models import RequestToken
from open311.params import Params, check_id
from people.apikeys import user_for_key
from people.models import User

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
logger = logging.getLogger("lianxin.open311")
View = Callable[..., HttpResponse]
# The identifiers in the paths (``urls.py``), by the names the specification gives them.
PATH_IDS = {"code": "service_code", "request_id": "service_request_id", "token": "token"}


def endpoint(*methods: str) -> Callable[[View], View]:
    """Allow ``methods`` (and HEAD with GET), read the parameters and the key, and answer every
    failure in the error format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @csrf_exempt  # key-authenticated machine clients, no session cookie involved
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            if request.method not in allowed:
                response = render_error(405, [_("不支持该请求方法。")], fmt)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                for name, value in kwargs.items():
                    check_id(PATH_IDS[name], value)
                params = Params(request)
                return view(request, fmt, params, key_account(params), **kwargs)
            except Open311Error as error:
                return render_error(error.status, error.descriptions, fmt)
            except Exception:
                # A bug, not bad input: logged with its traceback, answered in the client's format.
                logger.exception("Open311 %s %s failed", request.method, request.path)
                return render_error(500, [_("服务器内部错误，请稍后重试。")], fmt)

        return wrapper

    return decorate


def key_account(params: Params) -> User | None:
    """The service account of ``api_key``, if one is given; a bad or revoked key is refused
    wherever it is sent, even where a key is optional."""
    raw = params.get("api_key")
    if not raw:
        return None
    user = user_for_key(raw)
    if user is None:
        raise Open311Error(403, _("api_key 无效或已吊销。"))
    return user


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str, params: Params, account: User | None) -> HttpResponse:
    changed = w3c(changeset())
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"}))
    data = {
        "changeset": changed,
        "contact": settings.LIANXIN.get("OPEN311_CONTACT")
        or _("如需帮助，请联系连心桥平台管理员。"),
        "key_service": settings.LIANXIN.get("OPEN311_KEY_SERVICE")
        or _("接口密钥（api_key）由平台管理员创建：manage.py create_api_key 系统名称。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.removesuffix("services.xml").rstrip("/"),
                "changeset": changed,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, "discovery")


@endpoint("GET")
def services(request: HttpRequest, fmt: str, params: Params, account: User | None) -> HttpResponse:
    return render([s.as_data() for s in load_services().values()], fmt, "services")


@endpoint("GET")
def service_definition(
    request: HttpRequest, fmt: str, params: Params, account: User | None, code: str
) -> HttpResponse:
    service = load_services().get(code)
    if service is None:
        raise Open311Error(404, _("服务 %(code)s 不存在。") % {"code": code})
    return render(definition_data(service, region_choices()), fmt, "service_definition")


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str, params: Params, account: User | None) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt, params, account)
    queryset = filter_requests(listed_cases(account), params)
    cases = list(request_queryset(queryset).order_by("-reported_at", "-pk")[page_slice(params)])
    return render(requests_data(cases, request), fmt, "service_requests")


def _create(request: HttpRequest, fmt: str, params: Params, account: User | None) -> HttpResponse:
    if account is None:
        raise Open311Error(403, _("缺少 api_key，无法提交诉求。"))
    submission = read_submission(params, request, account)
    case, token = submit(submission, actor=account)
    # The acknowledgement kept with the token: a retry is told what the first POST was told.
    data = [
        {
            "service_request_id": case.number,
            "service_notice": token.service_notice or None,
            "account_id": submission.account_id,
            "token": token.token,
            "expected_datetime": w3c(token.expected_datetime),
        }
    ]
    return render(data, fmt, "service_requests")


@endpoint("GET")
def request_detail(
    request: HttpRequest, fmt: str, params: Params, account: User | None, request_id: str
) -> HttpResponse:
    queryset = listed_cases(account).filter(number=request_id)
    cases = list(request_queryset(queryset))
    if not cases:
        raise Open311Error(404, _("诉求 %(id)s 不存在。") % {"id": request_id})
    return render(requests_data(cases, request), fmt, "service_requests")


@endpoint("GET")
def token_status(
    request: HttpRequest, fmt: str, params: Params, account: User | None, token: str
) -> HttpResponse:
    found = RequestToken.objects.select_related("case").filter(token=token).first()
    if found is None:
        raise Open311Error(404, _("令牌 %(token)s 不存在。") % {"token": token})
    data = [{"service_request_id": found.case.number, "token": found.token}]
    return render(data, fmt, "service_requests")


@endpoint("GET")
def request_updates(
    request: HttpRequest, fmt: str, params: Params, account: User | None
) -> HttpResponse:
    queryset = filter_updates(listed_events(account), params)
    events = list(update_queryset(queryset).order_by("created_at", "pk")[page_slice(params)])
    return render(updates_data(events, request), fmt, "service_request_updates")


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under the endpoint: a 404 in the error format (JSON if asked for)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return render_error(404, [_("没有这个接口：%(path)s") % {"path": path}], fmt)
