#!/usr/bin/env bash
# Catalogue search benchmark (issue 3 target: catalogue search p95 under 50 ms): the production
# server (gunicorn, 2 workers) on PostgreSQL with the demo catalogue, loaded from a second process
# on loopback. Reports the floor (one primary-key query) next to search pages and the search API.
# Usage: bench/catalog_search.sh   (needs the PostgreSQL server at 127.0.0.1:5432, trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8792}
DB=rathaus_bench_catalog
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
# The search must really find something: fail loudly instead of timing empty pages.
check() {
  for _ in $(seq 20); do curl -sf "http://127.0.0.1:$PORT$1" | grep -q "$2" && return 0; sleep 0.5; done
  echo "catalog_search.sh: $1 does not contain $2" >&2
  exit 1
}
check "/leistungen/?q=parken" '/leistungen/bewohnerparkausweis/'
check "/api/v1/catalog/services/?q=auto" '"slug":"kfz-zulassung"'
mkdir -p bench/results
OUT=bench/results/catalog_search.jsonl
: > $OUT
for path in /bench/floor "/leistungen/?q=parken" "/leistungen/?q=hundesteuer" "/api/v1/catalog/services/?q=auto"; do
  # loadgen reports the path only; keep the query string in the record.
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT$path" --concurrency 32 --requests 6000 --seconds 15 \
    | .venv/bin/python -c 'import json, sys; r = json.loads(sys.stdin.read()); r["url"] = sys.argv[1]; print(json.dumps(r))' "$path" \
    | tee -a $OUT
done
