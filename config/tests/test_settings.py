"""config/settings.py read with a given environment: DEBUG, the secret key, HTTPS behind a proxy,
request size. Each test runs the settings file afresh, as a process starting with that environment."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.tests.environment import ROOT, STRONG_KEY, clean_env, load


def test_debug_is_off_when_nothing_asks_for_it(monkeypatch, tmp_path):
    assert load(monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY)["DEBUG"] is False


@pytest.mark.parametrize(("value", "debug"), [("1", True), ("true", True), ("0", False)])
def test_django_debug_turns_it_on(monkeypatch, tmp_path, value, debug):
    settings = load(monkeypatch, tmp_path, DJANGO_DEBUG=value, DJANGO_SECRET_KEY=STRONG_KEY)
    assert settings["DEBUG"] is debug


def test_the_serve_script_of_make_demo_and_make_serve_turns_debug_on():
    assert 'export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"' in (ROOT / "scripts" / "serve.sh").read_text()


def test_without_a_secret_key_production_refuses_to_start(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is not set"):
        load(monkeypatch, tmp_path)


def test_manage_py_check_says_which_variable_is_missing(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    assert "DJANGO_SECRET_KEY_FILE" in result.stderr and "DJANGO_DEBUG=1" in result.stderr


def test_the_secret_key_may_come_from_a_file(monkeypatch, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(STRONG_KEY + "\n", encoding="utf-8")
    settings = load(monkeypatch, tmp_path, DJANGO_SECRET_KEY_FILE=str(key_file))
    assert settings["SECRET_KEY"] == STRONG_KEY


def test_an_unreadable_key_file_is_named_in_the_error(monkeypatch, tmp_path):
    missing = tmp_path / "no-such-file"
    with pytest.raises(ImproperlyConfigured, match=f"DJANGO_SECRET_KEY_FILE={missing}"):
        load(monkeypatch, tmp_path, DJANGO_SECRET_KEY_FILE=str(missing))


@pytest.mark.parametrize("env", [{"DJANGO_DEBUG": "1"}, {"PYTEST_VERSION": "9.0"}])
def test_the_demo_and_the_tests_run_with_the_insecure_key(monkeypatch, tmp_path, env):
    assert load(monkeypatch, tmp_path, **env)["SECRET_KEY"].startswith("dev-only-insecure")


def test_a_set_key_wins_even_with_debug_on(monkeypatch, tmp_path):
    settings = load(monkeypatch, tmp_path, DJANGO_DEBUG="1", DJANGO_SECRET_KEY=STRONG_KEY)
    assert settings["SECRET_KEY"] == STRONG_KEY


def test_https_is_off_by_default_for_plain_http_closed_networks(monkeypatch, tmp_path):
    settings = load(monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY)
    assert "SECURE_PROXY_SSL_HEADER" not in settings
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["CSRF_TRUSTED_ORIGINS"] == []


@pytest.mark.parametrize(
    "header", ["X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO", "x-forwarded-proto"]
)
def test_the_proxy_ssl_header_is_named_as_the_proxy_sends_it(monkeypatch, tmp_path, header):
    settings = load(
        monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_SECURE_PROXY_SSL_HEADER=header
    )
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_https_settings_come_from_the_environment(monkeypatch, tmp_path):
    settings = load(
        monkeypatch,
        tmp_path,
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_CSRF_TRUSTED_ORIGINS="https://lianxin.example.cn, https://12345.example.cn",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_COOKIES="1",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )
    assert settings["CSRF_TRUSTED_ORIGINS"] == [
        "https://lianxin.example.cn",
        "https://12345.example.cn",
    ]
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 3600
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is settings["SECURE_HSTS_PRELOAD"] is True


def test_the_request_body_is_capped_at_2_5_mb_unless_configured(monkeypatch, tmp_path):
    settings = load(monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY)
    assert settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2_621_440
    settings = load(
        monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, LIANXIN_MAX_BODY_BYTES="1000000"
    )
    assert settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 1_000_000


def test_the_attachment_limit_is_a_setting(monkeypatch, tmp_path):
    settings = load(
        monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY, LIANXIN_MAX_ATTACHMENT_BYTES="5242880"
    )
    assert settings["LIANXIN"]["MAX_ATTACHMENT_BYTES"] == 5 * 1024 * 1024
    # Files above the in-memory threshold go to a temporary file, never all into memory.
    assert settings["FILE_UPLOAD_MAX_MEMORY_SIZE"] <= settings["LIANXIN"]["MAX_ATTACHMENT_BYTES"]


def test_the_sign_in_lockout_comes_from_the_environment(monkeypatch, tmp_path):
    settings = load(monkeypatch, tmp_path, DJANGO_SECRET_KEY=STRONG_KEY)
    assert (settings["AXES_FAILURE_LIMIT"], settings["AXES_COOLOFF_TIME"]) == (
        5,
        timedelta(minutes=15),
    )
    settings = load(
        monkeypatch,
        tmp_path,
        DJANGO_SECRET_KEY=STRONG_KEY,
        LIANXIN_LOGIN_FAILURE_LIMIT="3",
        LIANXIN_LOGIN_LOCKOUT_MINUTES="60",
    )
    assert (settings["AXES_FAILURE_LIMIT"], settings["AXES_COOLOFF_TIME"]) == (
        3,
        timedelta(hours=1),
    )
