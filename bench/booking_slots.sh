#!/usr/bin/env bash
# Free-slot benchmark (issue 4 target: free slots of one resource over 90 days with a full season
# plan, p95 < 30 ms). Runs in-process on PostgreSQL (database rathaus_bench_booking) and on SQLite.
# Usage: bench/booking_slots.sh   (needs the PostgreSQL server at 127.0.0.1:5432, trust auth)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=rathaus_bench_booking
mkdir -p bench/results var
OUT=bench/results/booking_slots.jsonl
: > $OUT
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB .venv/bin/rathaus migrate -v 0
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB .venv/bin/python bench/booking_slots.py | tee -a $OUT
SQLITE=var/bench_booking.sqlite3
rm -f $SQLITE
DATABASE_URL=sqlite:///$PWD/$SQLITE .venv/bin/rathaus migrate -v 0
DATABASE_URL=sqlite:///$PWD/$SQLITE .venv/bin/python bench/booking_slots.py | tee -a $OUT
