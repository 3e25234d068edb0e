#!/usr/bin/env bash
# Production start: gunicorn with N web workers and M task workers, settings from the
# environment only (DEBUG off). See DEVELOPERS.md "Production".
#
#   DJANGO_SECRET_KEY=… DATABASE_URL=postgres://… DJANGO_ALLOWED_HOSTS=lianxin.example.cn \
#   LIANXIN_REDIS_URL=redis://127.0.0.1:6379/0 LIANXIN_TASK_BACKEND=django_tasks_rq.RQBackend \
#   scripts/prod.sh
#
# LIANXIN_WEB_WORKERS (2), LIANXIN_TASK_WORKERS (2), LIANXIN_BIND (127.0.0.1:8000),
# LIANXIN_MIGRATE (1: apply migrations first; set 0 on all but one machine),
# LIANXIN_ROLE (all | web | tasks: run only the web processes or only the workers on a machine).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "No .venv: run 'make prod' (installs the runtime) or 'make demo' first." >&2; exit 1; }
unset DJANGO_DEBUG
: "${DJANGO_SECRET_KEY:?DJANGO_SECRET_KEY must be set (a long random string, never in the repository)}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://user@host:5432/lianxin)}"
WEB_WORKERS="${LIANXIN_WEB_WORKERS:-2}"
TASK_WORKERS="${LIANXIN_TASK_WORKERS:-2}"
BIND="${LIANXIN_BIND:-127.0.0.1:8000}"
ROLE="${LIANXIN_ROLE:-all}"
BACKEND="${LIANXIN_TASK_BACKEND:-config.tasks.DatabaseBackend}"

$PY manage.py check --deploy --fail-level ERROR >/dev/null
if [ "${LIANXIN_MIGRATE:-1}" = "1" ]; then
  $PY manage.py migrate --noinput
fi
# Static files are served by WhiteNoise inside gunicorn, from the collected (hashed) copy.
$PY manage.py collectstatic --noinput >/dev/null

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop EXIT INT TERM

if [ "$ROLE" = "all" ] || [ "$ROLE" = "tasks" ]; then
  # The periodic rounds re-enqueue themselves; scheduling them twice is harmless (each round
  # finds nothing left to do), so every machine may run this.
  $PY manage.py sweep_overdue --schedule
  $PY manage.py notify_visits_due --schedule
  $PY manage.py detect_hotspots --schedule
  for i in $(seq 1 "$TASK_WORKERS"); do
    if [ "$BACKEND" = "django_tasks_rq.RQBackend" ]; then
      $PY manage.py rqworker default --with-scheduler --job-class django_tasks_rq.backend.Job \
        --name "lianxin-$(hostname)-$$-$i" &
    else
      $PY manage.py db_worker --interval 2 --no-reload --queue-name '*' &
    fi
    pids+=($!)
  done
  echo "任务进程 ${TASK_WORKERS} 个已启动 (${BACKEND})" >&2
fi
if [ "$ROLE" = "all" ] || [ "$ROLE" = "web" ]; then
  .venv/bin/gunicorn config.wsgi:application \
    --bind "$BIND" --workers "$WEB_WORKERS" --worker-class sync --preload \
    --timeout 60 --graceful-timeout 20 --max-requests 5000 --max-requests-jitter 500 \
    --access-logfile - --access-logformat '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s' &
  pids+=($!)
  echo "Lianxin 生产模式: http://${BIND}/ (web ${WEB_WORKERS} 个进程)" >&2
fi
wait -n "${pids[@]}"
