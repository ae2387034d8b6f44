#!/usr/bin/env bash
# Online submissions benchmark (issue 3): the production server (gunicorn, 2 workers) on
# PostgreSQL with a task worker, loaded from a second process on loopback by 32 clients that each
# submit a 20-field form with a 200 KB PDF. In the same run: the floor (one primary-key query)
# and the catalogue search (page and API) with bench/loadgen.py. Afterwards the database must
# hold exactly one case per ok submission.
# Modes:
#   browser  the 7 requests a browser makes (start, step with the PDF, summary, submit, ...),
#            each client a logged-in citizen session (bench/submit_load.py)
#   api      one multipart POST /api/v1/cases/submissions/ per application with the 20 answers,
#            the PDF and an Idempotency-Key, each client its own API token (bench/submit_api_load.py)
# The task worker renders the receipts after the commits (issue 3: not in the request). It runs
# with nice 10 (WORKER_NICE) so that on this 2-core machine it takes the CPU the server leaves,
# or with WORKER_SCHED=idle under Linux's idle scheduling class (only CPU nobody else wants);
# after the run the script waits up to DRAIN_SECONDS for it to finish the backlog and reports
# how many receipts were still waiting and how long draining took.
# Usage: bench/submissions.sh [browser|api] [sync|gthread]   (PostgreSQL at 127.0.0.1:5432, trust)
#   defaults: browser sync; SUBMIT_SECONDS (30), SEARCH_SECONDS (15), BENCH_PORT (8793),
#   WORKER_NICE (10), WORKER_SCHED (nice|idle), DRAIN_SECONDS (300), WARM_MEMORY (1), BENCH_BASE
#   (/tmp/rathaus-bench: each run's files, kept until the next run), REPEAT_EVERY (api: every
#   Nth submission sent twice, 0)
# The floor and the submissions are each measured with bench/cpu_split.py: CPU milliseconds per
# request of the server, PostgreSQL, the task worker and the load generator.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=browser
WORKER_CLASS=sync
for arg in "$@"; do
  case $arg in
    browser|api) MODE=$arg ;;
    sync|gthread) WORKER_CLASS=$arg ;;
    *) echo "usage: bench/submissions.sh [browser|api] [sync|gthread]" >&2; exit 2 ;;
  esac
done
PORT=${BENCH_PORT:-8793}
DB=rathaus_bench_submit
SUBMIT_SECONDS=${SUBMIT_SECONDS:-30}
SEARCH_SECONDS=${SEARCH_SECONDS:-15}
RESULTS=bench/results
# The files of a run (uploads, receipts) stay until the next run has measured its submissions
# and searches, and go while its task worker drains, more than ten minutes before the run after
# it submits. On this machine's ext4 without a journal, creating a file next to many recently
# deleted ones costs several times as much (bench/file_create.py says why; bench/RESULTS.md,
# twelfth pass): a run should not pay for the previous run's cleanup.
BENCH_BASE=${BENCH_BASE:-/tmp/rathaus-bench}
mkdir -p $BENCH_BASE
EARLIER_RUNS=$(find $BENCH_BASE -mindepth 1 -maxdepth 1 -name 'submit.*')
TMP=$(mktemp -d $BENCH_BASE/submit.XXXXXX)
mkdir -p $RESULTS
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB BENCH_ENDPOINTS=1 DEMO_MODE=1 DEBUG=0
export MEDIA_ROOT=$TMP/media
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
if [ "$MODE" = browser ]; then
  .venv/bin/python bench/submit_load.py setup --sessions $TMP/sessions.json
else
  .venv/bin/python bench/submit_api_load.py setup --tokens $TMP/tokens.json
fi
.venv/bin/python bench/submit_load.py pdf --out $TMP/evidence.pdf
# The host backs this virtual machine's memory on first touch, which made every write into new
# memory (uploads, table and WAL pages) cost up to ten times as much as on a machine that has
# run for a while; touch it first (bench/warm_memory.py; WARM_MEMORY=0 skips it).
WARMED='{"warmed_gib": 0}'
if [ "${WARM_MEMORY:-1}" != 0 ]; then WARMED=$(.venv/bin/python bench/warm_memory.py $TMP); fi
case $WORKER_CLASS in
  sync) SERVER_ARGS=(--workers 2) ;;
  gthread) SERVER_ARGS=(--workers 2 --worker-class gthread --threads ${BENCH_THREADS:-4}) ;;
esac
.venv/bin/gunicorn rathaus.wsgi "${SERVER_ARGS[@]}" --bind 127.0.0.1:$PORT --log-level warning &
SERVER=$!
if [ "${WORKER_SCHED:-nice}" = idle ]; then
  chrt --idle 0 .venv/bin/rathaus run_worker --interval 1 >/dev/null 2>&1 &
else
  nice -n ${WORKER_NICE:-10} .venv/bin/rathaus run_worker --interval 1 >/dev/null 2>&1 &
fi
WORKER=$!
trap 'kill $SERVER $WORKER 2>/dev/null || true; wait $SERVER $WORKER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/leistungen/?q=parken" | grep -q '/leistungen/bewohnerparkausweis/' \
  || { echo "submissions.sh: the search for parken finds nothing" >&2; exit 1; }
if [ "$MODE" = browser ]; then OUT=$RESULTS/submissions-$WORKER_CLASS.jsonl; else OUT=$RESULTS/submissions-api-$WORKER_CLASS.jsonl; fi
: > $OUT
echo "$WARMED" | tee -a $OUT
note() { echo "{\"note\": \"$1\", \"mode\": \"$MODE\", \"worker_class\": \"$WORKER_CLASS\", \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"at\": \"$(date -Is)\"}" | tee -a $OUT; }
search() {
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT$1" --concurrency 32 --requests 6000 --seconds $SEARCH_SECONDS \
    | .venv/bin/python -c 'import json, sys; r = json.loads(sys.stdin.read()); r["url"] = sys.argv[1]; print(json.dumps(r))' "$1" \
    | tee -a $OUT
}
# Warm-up, not recorded: the workers import most of the code on their first requests, which made
# the first floor run up to twice as slow as the last one.
for url in /bench/floor "/leistungen/?q=parken" "/api/v1/catalog/services/?q=hundesteuer"; do
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT$url" --concurrency 8 --requests 400 --seconds 3 >/dev/null
done
# Let the task worker finish what the setup left it (the demo's receipts, sealing the audit
# entries of the demo data): working through it made the first floor run up to twice as slow.
for _ in $(seq 90); do
  [ "$(.venv/bin/python bench/submit_api_load.py backlog)" = 0 ] && break
  sleep 2
done
note start
split() {  # split FILE RESULT-LINE-FILE COUNT-KEY: the CPU of the phase by kind of process
  .venv/bin/python bench/cpu_split.py diff "$1" --per "$(.venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$2" "$3")" \
    | .venv/bin/python -c 'import json, sys; r = json.loads(sys.stdin.read()); c = json.load(open(sys.argv[1])); r["load_generator_cpu_ms_per_request"] = round(1000 * c["client_cpu_s"] / r["requests"], 3); r["phase"] = sys.argv[2]; print(json.dumps(r))' "$2" "$4" \
    | tee -a $OUT
}
.venv/bin/python bench/cpu_split.py snap $TMP/cpu-floor
search /bench/floor | tee $TMP/floor.json >/dev/null
split $TMP/cpu-floor $TMP/floor.json requests floor
.venv/bin/python bench/cpu_split.py snap $TMP/cpu-submit
if [ "$MODE" = browser ]; then
  .venv/bin/python bench/submit_load.py load --base http://127.0.0.1:$PORT --sessions $TMP/sessions.json \
    --pdf $TMP/evidence.pdf --concurrency 32 --submissions 100000 --seconds $SUBMIT_SECONDS --out $TMP/load.json | tee -a $OUT | tee $TMP/load-line.json
else
  .venv/bin/python bench/submit_api_load.py load --base http://127.0.0.1:$PORT --tokens $TMP/tokens.json \
    --pdf $TMP/evidence.pdf --concurrency 32 --submissions 100000 --seconds $SUBMIT_SECONDS \
    --repeat-every ${REPEAT_EVERY:-0} --out $TMP/load.json | tee -a $OUT | tee $TMP/load-line.json
fi
split $TMP/cpu-submit $TMP/load-line.json ok submissions
PENDING=$(.venv/bin/python bench/submit_api_load.py pending)
UNDELIVERED=$(.venv/bin/python bench/submit_api_load.py undelivered)
note "after submissions, receipts waiting for the task worker: $PENDING (of them without their mailbox message: $UNDELIVERED)"
search "/leistungen/?q=parken"
search "/leistungen/?q=parken+{n}"
search "/api/v1/catalog/services/?q=hundesteuer"
search "/api/v1/catalog/services/?q=hundesteuer+{n}"
search /bench/floor
note end
# The earlier runs' files go now (see BENCH_BASE above), while the task worker drains.
[ -z "$EARLIER_RUNS" ] || rm -rf $EARLIER_RUNS
# Let the task worker render the receipts' backlog, then check the database against the clients.
DRAIN_START=$(date +%s)
DRAIN_LIMIT=${DRAIN_SECONDS:-300}
DELIVERED_AFTER=""
while [ "$(.venv/bin/python bench/submit_api_load.py pending)" != 0 ] && [ $(( $(date +%s) - DRAIN_START )) -lt "$DRAIN_LIMIT" ]; do
  if [ -z "$DELIVERED_AFTER" ] && [ "$(.venv/bin/python bench/submit_api_load.py undelivered)" = 0 ]; then
    DELIVERED_AFTER=$(( $(date +%s) - DRAIN_START ))
    note "every receipt's mailbox message delivered, $DELIVERED_AFTER s after the searches"
  fi
  sleep 2
done
PENDING=$(.venv/bin/python bench/submit_api_load.py pending)
note "receipts still waiting: $PENDING, after $(( $(date +%s) - DRAIN_START )) s of draining"
# The searches above ran while the task worker rendered the submissions' receipts (as on a busy
# day); once it is idle, the same searches and the floor again (as on an ordinary day). Each
# search runs twice: the same query for every request (anonymous catalogue pages are cached, so
# this is a cached page after the first request), and a new query for every request ("+{n}":
# the search and the page rendered every time).
if [ "$PENDING" = 0 ]; then
  note "task worker idle"
  search /bench/floor
  search "/leistungen/?q=parken"
  search "/leistungen/?q=parken+{n}"
  search "/api/v1/catalog/services/?q=hundesteuer"
  search "/api/v1/catalog/services/?q=hundesteuer+{n}"
  search /bench/floor
fi
# The lower bound (api mode): the same requests to the check endpoint, which runs a submission's
# whole request path (login, body, file check, validation) and writes nothing. What a submission
# costs beyond it is the cost of storing it.
if [ "$MODE" = api ]; then
  .venv/bin/python bench/cpu_split.py snap $TMP/cpu-check
  .venv/bin/python bench/submit_api_load.py load --base http://127.0.0.1:$PORT --tokens $TMP/tokens.json \
    --pdf $TMP/evidence.pdf --concurrency 32 --submissions 100000 --seconds $SUBMIT_SECONDS --check \
    --out $TMP/check.json | tee -a $OUT | tee $TMP/check-line.json
  split $TMP/cpu-check $TMP/check-line.json ok checks
  search /bench/floor
fi
# Stop the task worker before counting files: one still rendering has stored a receipt's PDF
# whose row it has not updated yet, which would look orphaned. SIGTERM lets it finish its task.
kill $WORKER 2>/dev/null || true
wait $WORKER 2>/dev/null || true
if [ "$MODE" = browser ]; then
  .venv/bin/python bench/submit_load.py verify --load-result $TMP/load.json | tee -a $OUT
else
  .venv/bin/python bench/submit_api_load.py verify --load-result $TMP/load.json | tee -a $OUT
fi
