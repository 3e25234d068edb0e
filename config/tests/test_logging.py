"""Request errors and the project's own messages reach stderr with DEBUG off, where the service
manager's journal keeps them (Django alone would print a 500 only with DEBUG on)."""

from __future__ import annotations

import subprocess
import sys

from config.tests.environment import ROOT, STRONG_KEY, clean_env, load

SCRIPT = """
import django, logging
django.setup()
logging.getLogger("django.request").error("Internal Server Error: /cases/1/")
logging.getLogger("django.request").warning("Not Found: /favicon.ico")
logging.getLogger("django.security.DisallowedHost").error("Invalid HTTP_HOST header: 'evil'")
logging.getLogger("lianxin.sweep").info("sweep: 3 cases overdue")
logging.getLogger("lianxin.sweep").debug("sweep: looked at case 1")
"""


def test_server_errors_and_the_projects_messages_go_to_stderr(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=clean_env(
            tmp_path, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY=STRONG_KEY
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR django.request Internal Server Error: /cases/1/" in result.stderr
    assert "ERROR django.security.DisallowedHost Invalid HTTP_HOST header" in result.stderr
    assert "INFO lianxin.sweep sweep: 3 cases overdue" in result.stderr
    # Not found is not an error worth a line; debug messages wait for LIANXIN_LOG_LEVEL=DEBUG.
    assert "Not Found" not in result.stderr
    assert "looked at case 1" not in result.stderr
    assert result.stdout == ""


def test_with_debug_on_a_server_error_is_not_printed_twice(monkeypatch, tmp_path):
    # With DEBUG on, Django's own "django" console handler would print it a second time.
    settings = load(monkeypatch, tmp_path, DJANGO_DEBUG="1")
    assert settings["LOGGING"]["loggers"]["django.request"]["propagate"] is False
