#!/usr/bin/env bash
# Serve Lianxin on 127.0.0.1:8000 with its embedded background worker (django-tasks, database backend).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDR="${LIANXIN_ADDR:-127.0.0.1:8000}"
# A development server: DEBUG on (error pages, uploaded photos served, the insecure dev key).
# Production runs gunicorn with DJANGO_SECRET_KEY set and DEBUG off.
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"

# The overdue sweep runs once now and then re-enqueues itself every SWEEP_INTERVAL_SECONDS.
$PY manage.py sweep_overdue --schedule
# The outbox's round (回访到期 notices, lost deliveries) on the same rhythm.
$PY manage.py notify_visits_due --schedule
# Hot spots (热点预警): the same category rising at one place, every hour.
$PY manage.py detect_hotspots --schedule
$PY manage.py db_worker --interval 5 --no-reload --queue-name '*' >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "后台任务进程已启动 (pid $WORKER, 日志 var/worker.log)"
echo "Lianxin is serving on http://$ADDR/  (管理后台: http://$ADDR/admin/)"
$PY manage.py runserver "$ADDR" --noreload
