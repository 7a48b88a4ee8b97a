#!/usr/bin/env bash
# Start the whole system on this machine: schema, demo data when empty, the API on 127.0.0.1:5000,
# the scheduler process and the certificate batch worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
FLASK=.venv/bin/flask
$FLASK db upgrade
$FLASK lms demo-data --if-empty
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
$FLASK lms scheduler &
pids+=($!)
$FLASK lms certificates process-batches --loop &
pids+=($!)
.venv/bin/gunicorn --bind "${BIND:-127.0.0.1:5000}" --workers "${WORKERS:-2}" --access-logfile - wsgi:app &
pids+=($!)
wait -n "${pids[@]}"
