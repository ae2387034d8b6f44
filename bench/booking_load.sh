#!/usr/bin/env bash
# Bookings under contention (issue 4): the production server (gunicorn gthread, 2 workers × 4
# threads) on PostgreSQL, loaded from a second process on loopback by 200 clients — each a citizen
# with an API token — that POST bookings of random 60-minute slots of 20 resources over the next
# 3 days (bench/booking_load.py), so clients collide on the same slots and the pool runs full.
# 201 = booked, 409 "taken" = correct refusal, anything else = error. In the same run: the floor
# (one primary-key query) with bench/loadgen.py at 32 clients, before and after. Afterwards SQL
# counts overlapping active occupancies per unit (must be 0) and bookings vs 201 answers (equal).
# Usage: bench/booking_load.sh   (needs PostgreSQL at 127.0.0.1:5432, trust auth)
#   BOOK_SECONDS (default 30), BOOK_ATTEMPTS (default 20000), BOOK_DAYS (default 3),
#   FLOOR_SECONDS (default 15), BENCH_THREADS (default 4), BENCH_PORT (default 8794)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8794}
DB=rathaus_bench_booking
BOOK_SECONDS=${BOOK_SECONDS:-30}
BOOK_ATTEMPTS=${BOOK_ATTEMPTS:-20000}
BOOK_DAYS=${BOOK_DAYS:-3}
FLOOR_SECONDS=${FLOOR_SECONDS:-15}
RESULTS=bench/results
TMP=$(mktemp -d /tmp/rathaus-bench-booking.XXXXXX)
mkdir -p $RESULTS
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB BENCH_ENDPOINTS=1 DEMO_MODE=1 DEBUG=0
export MEDIA_ROOT=$TMP/media
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
.venv/bin/python bench/booking_load.py setup --out $TMP/setup.json --days $BOOK_DAYS
.venv/bin/gunicorn rathaus.wsgi --workers 2 --worker-class gthread --threads ${BENCH_THREADS:-4} \
  --bind 127.0.0.1:$PORT --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf $TMP' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/bench/floor >/dev/null && break; sleep 0.2; done
OUT=$RESULTS/booking_load.jsonl
: > $OUT
note() { echo "{\"note\": \"$1\", \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"at\": \"$(date -Is)\"}" | tee -a $OUT; }
floor() {
  .venv/bin/python bench/loadgen.py "http://127.0.0.1:$PORT/bench/floor" --concurrency 32 --requests 6000 \
    --seconds $FLOOR_SECONDS | tee -a $OUT
}
note start
floor
note "before bookings"
.venv/bin/python bench/booking_load.py load --base http://127.0.0.1:$PORT --setup $TMP/setup.json \
  --concurrency 200 --attempts $BOOK_ATTEMPTS --seconds $BOOK_SECONDS --out $TMP/load.json | tee -a $OUT
note "after bookings"
floor
note end
.venv/bin/python bench/booking_load.py verify --load-result $TMP/load.json | tee -a $OUT
