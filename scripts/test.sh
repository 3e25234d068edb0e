#!/usr/bin/env bash
# The whole check: lint, migrations, layer contracts, then the test suite on SQLite and PostgreSQL.
# Every test runs: `-m ""` lifts pyproject's `-m 'not slow'`, so fuzzing, 10,000-case, demo and
# browser tests run here and in CI (arguments after it still narrow the run, e.g. `-m slow`);
# The suite runs on every core (pytest-xdist), except the browser and PostgreSQL race tests, which
# time themselves and run afterwards in one process.
# In CI (CI=true) PostgreSQL is required and started if it is down; elsewhere it is skipped, visibly,
# when no server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export LIANXIN_FAST_PASSWORDS=1
PG_URL="${LIANXIN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== ruff, types, migrations, import contracts"
$BIN/ruff check .
$BIN/ruff format --check . >/dev/null \
  || { $BIN/ruff format --check . >&2; echo "Unformatted files: run .venv/bin/ruff format ." >&2; exit 1; }
# mypy loads the settings, which refuse to start without a secret key unless DEBUG is on.
DJANGO_DEBUG=1 $BIN/mypy .
# DJANGO_DEBUG=1: outside pytest the settings refuse to start without a secret key or DEBUG.
env -u DATABASE_URL DJANGO_DEBUG=1 $BIN/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Model changes without migrations: run manage.py makemigrations" >&2; exit 1; }
$BIN/lint-imports

echo "== tests on SQLite (all, slow ones included)"
# pytest's 5 ("no tests collected") is not a failure: arguments may narrow a run to one half.
run_pytest() { $BIN/python -m pytest "$@" || { rc=$?; [ "$rc" -eq 5 ] || return "$rc"; }; }
suite() {
  run_pytest -m "not browser and not postgres_only" -n "${LIANXIN_TEST_WORKERS:-auto}" "$@"
  run_pytest -m "browser or postgres_only" -n 0 "$@"
}
(unset DATABASE_URL; suite "$@")

pg_answers() {
  DATABASE_URL="$PG_URL" $BIN/python - <<'PY' 2>/dev/null
import os, sys, psycopg
try:
    psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

if ! pg_answers; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is down: starting it (CI requires the PostgreSQL pass)"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 1 30); do pg_answers && break; sleep 1; done
    pg_answers || { echo "PostgreSQL did not start" >&2; exit 1; }
  else
    echo "== SKIPPED: tests on PostgreSQL (no server answers at $PG_URL; set LIANXIN_TEST_POSTGRES_URL)"
    exit 0
  fi
fi
echo "== tests on PostgreSQL (all, slow ones included)"
DATABASE_URL="$PG_URL" suite "$@"
