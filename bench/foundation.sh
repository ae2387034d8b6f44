#!/usr/bin/env bash
# Foundation benchmark: the production server (gunicorn, 2 workers) on PostgreSQL, loaded from a
# second process on loopback. Reports the floor (one primary-key query) next to real pages.
# Usage: bench/foundation.sh   (needs the PostgreSQL server at 127.0.0.1:5432, trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8791}
DB=rathaus_bench
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB BENCH_ENDPOINTS=1 DEMO_MODE=1 DEBUG=0
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
.venv/bin/gunicorn rathaus.wsgi --workers 2 --bind 127.0.0.1:$PORT --log-level warning &
SERVER=$!
.venv/bin/rathaus run_worker --interval 1 >/dev/null 2>&1 &
WORKER=$!
trap 'kill $SERVER $WORKER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
mkdir -p bench/results
OUT=bench/results/foundation.jsonl
: > $OUT
for path in /bench/floor / /konto/anmelden/ /seite/datenschutz/ /healthz; do
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT$path" --concurrency 32 --requests 6000 --seconds 15 | tee -a $OUT
done
