#!/usr/bin/env bash
# Strategy cockpit (issue 5): service time of its pages and heavy use cases with the demo, on a
# fresh PostgreSQL database. Usage: bash bench/strategy.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
DB=rathaus_bench_strategy
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB DEMO_MODE=1 DEBUG=0
export MEDIA_ROOT=$(mktemp -d)
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
mkdir -p bench/results
.venv/bin/python bench/strategy_timings.py --runs "${1:-20}" | tee bench/results/strategy.jsonl
