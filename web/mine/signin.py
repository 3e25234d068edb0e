"""短信验证码登录: a phone number, a code by SMS, signed in.

The page says the same whether the number is registered or not (a code goes only to a
registered one: ``people.otp``). The code is checked through ``authenticate`` so django-axes
counts every wrong code against the number as it counts wrong passwords, and locks it out the
same way; the code itself dies after five wrong tries.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from notify.sms import send_sms
from people import otp
from people.masking import mask_phone
from people.validators import clean_mobile

logger = logging.getLogger("lianxin.signin")

SESSION_PHONE = "signin_code_phone"
SESSION_NEXT = "signin_code_next"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "1xxxxxxxxxx"}
        ),
    )

    def clean_phone(self) -> str:
        try:
            phone = clean_mobile(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(_("请输入11位手机号码。"), code="invalid") from error
        if not phone:
            raise ValidationError(_("请输入11位手机号码。"), code="required")
        return phone


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=otp.CODE_DIGITS,
        min_length=otp.CODE_DIGITS,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "class": "code-input",
            }
        ),
        error_messages={"min_length": gettext_lazy("验证码为6位数字。")},
    )


def _refusal(error: otp.CodeRefused) -> str:
    if error.reason == "too_soon":
        return _("获取验证码过于频繁，请 %(n)s 秒后再试。") % {"n": error.wait_seconds}
    if error.reason == "daily_limit":
        return _("该手机号今天获取验证码的次数已达上限，请明天再试或用密码登录。")
    return _("验证码错误次数过多，请 %(n)s 分钟后再试。") % {"n": error.wait_minutes}


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else ""


@never_cache
@csrf_protect
def request_code(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code goes to it if it is registered (the same answer if not)."""
    if request.user.is_authenticated:
        return redirect("web:home")
    form = PhoneForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            issued = otp.issue_code(phone)
        except otp.CodeRefused as error:
            form.add_error(None, _refusal(error))
        else:
            if issued.deliver:
                minutes = max(1, int(otp.ttl().total_seconds() // 60))
                text = _(
                    "您的连心桥登录验证码为 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。"
                ) % {"code": issued.code, "minutes": minutes}
                result = send_sms(phone, text)
                if not result.ok:  # the page must not tell; the log does
                    logger.warning(
                        "Sign-in code to %s not sent: %s", mask_phone(phone), result.response
                    )
            request.session[SESSION_PHONE] = phone
            request.session[SESSION_NEXT] = _next_url(request)
            messages.success(
                request, _("如该手机号已注册，验证码已通过短信发送，请在5分钟内输入。")
            )
            return redirect("mine:signin-code")
    context = {"form": form, "next": _next_url(request)}
    return render(request, "web/mine/signin_phone.html", context)


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def enter_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code; right → signed in, wrong → counted (and locked out past the limit)."""
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect("mine:signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=phone, otp_code=form.cleaned_data["code"])
        if user is not None:
            next_url = request.session.pop(SESSION_NEXT, "") or reverse("web:home")
            request.session.pop(SESSION_PHONE, None)
            login(request, user)
            return redirect(next_url)
        if otp.locked_until(phone) is not None:
            form.add_error(None, _("验证码错误次数过多，请稍后重新获取。"))
        else:
            form.add_error(None, _("验证码不正确或已失效，请重新输入或重新获取。"))
    context = {"form": form, "masked_phone": mask_phone(phone), "phone": phone}
    return render(request, "web/mine/signin_code.html", context)
