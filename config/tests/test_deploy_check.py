"""``manage.py check --deploy`` is clean for a production set-up made only of environment variables:
DEBUG off, a real key, HTTPS behind a proxy, secure cookies, HSTS."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from config.tests.environment import ROOT, STRONG_KEY, clean_env

PRODUCTION = {
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "lianxin.example.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://lianxin.example.cn",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
}


def test_the_deploy_checks_pass_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(tmp_path, **PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_without_them_the_same_checks_warn():
    # The test session runs with none of the variables: the check above is not vacuous.
    with pytest.raises(SystemCheckError) as warned:
        call_command("check", "--deploy", "--fail-level", "WARNING")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in str(warned.value)
