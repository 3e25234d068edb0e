"""Run the settings as a fresh process would, with a chosen environment and nothing else."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"
STRONG_KEY = "k3y-" + "x9Qw7Lm2" * 7


def clean_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """The process environment without this project's variables or pytest's marker, plus ``env``."""
    result = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "LIANXIN_", "PYTEST_")) and name != "DATABASE_URL"
    }
    result["LIANXIN_VAR_DIR"] = str(tmp_path)
    result.update(env)
    return result


def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """The settings module's names as a process started with ``env`` (and nothing else) sees them."""
    wanted = clean_env(tmp_path, **env)
    for name in set(os.environ) - set(wanted):
        monkeypatch.delenv(name)
    for name, value in wanted.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))
