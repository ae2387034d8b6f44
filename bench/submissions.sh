#!/usr/bin/env bash
# Online submissions benchmark (issue 3): the production server (gunicorn, 2 workers) on
# PostgreSQL with a task worker, loaded from a second process on loopback by 32 clients that each
# submit a 20-field form with a 200 KB PDF the way a browser does (bench/submit_load.py). In the
# same run: the floor (one primary-key query) and the catalogue search (page and API) with
# bench/loadgen.py. Afterwards the database must hold exactly one case per ok submission.
# Usage: bench/submissions.sh [sync|gthread]   (needs PostgreSQL at 127.0.0.1:5432, trust auth)
#   SUBMIT_SECONDS (default 30), SEARCH_SECONDS (default 15), BENCH_PORT (default 8793)
set -euo pipefail
cd "$(dirname "$0")/.."
WORKER_CLASS=${1:-sync}
PORT=${BENCH_PORT:-8793}
DB=rathaus_bench_submit
SUBMIT_SECONDS=${SUBMIT_SECONDS:-30}
SEARCH_SECONDS=${SEARCH_SECONDS:-15}
RESULTS=bench/results
TMP=$(mktemp -d /tmp/rathaus-bench-submit.XXXXXX)
mkdir -p $RESULTS
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB BENCH_ENDPOINTS=1 DEMO_MODE=1 DEBUG=0
export MEDIA_ROOT=$TMP/media
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
.venv/bin/python bench/submit_load.py setup --sessions $TMP/sessions.json
.venv/bin/python bench/submit_load.py pdf --out $TMP/evidence.pdf
case $WORKER_CLASS in
  sync) SERVER_ARGS=(--workers 2) ;;
  gthread) SERVER_ARGS=(--workers 2 --worker-class gthread --threads ${BENCH_THREADS:-4}) ;;
  *) echo "worker class must be sync or gthread" >&2; exit 2 ;;
esac
.venv/bin/gunicorn rathaus.wsgi "${SERVER_ARGS[@]}" --bind 127.0.0.1:$PORT --log-level warning &
SERVER=$!
.venv/bin/rathaus run_worker --interval 1 >/dev/null 2>&1 &
WORKER=$!
trap 'kill $SERVER $WORKER 2>/dev/null || true; rm -rf $TMP' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/leistungen/?q=parken" | grep -q '/leistungen/bewohnerparkausweis/' \
  || { echo "submissions.sh: the search for parken finds nothing" >&2; exit 1; }
OUT=$RESULTS/submissions-$WORKER_CLASS.jsonl
: > $OUT
note() { echo "{\"note\": \"$1\", \"worker_class\": \"$WORKER_CLASS\", \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"at\": \"$(date -Is)\"}" | tee -a $OUT; }
search() {
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT$1" --concurrency 32 --requests 6000 --seconds $SEARCH_SECONDS \
    | .venv/bin/python -c 'import json, sys; r = json.loads(sys.stdin.read()); r["url"] = sys.argv[1]; print(json.dumps(r))' "$1" \
    | tee -a $OUT
}
note start
search /bench/floor
.venv/bin/python bench/submit_load.py load --base http://127.0.0.1:$PORT --sessions $TMP/sessions.json \
  --pdf $TMP/evidence.pdf --concurrency 32 --submissions 100000 --seconds $SUBMIT_SECONDS --out $TMP/load.json | tee -a $OUT
note "after submissions"
search "/leistungen/?q=parken"
search "/api/v1/catalog/services/?q=hundesteuer"
search /bench/floor
note end
# Let the task worker and on-commit work settle, then check the database against the clients.
sleep 2
.venv/bin/python bench/submit_load.py verify --load-result $TMP/load.json | tee -a $OUT
