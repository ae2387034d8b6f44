#!/usr/bin/env bash
# Instructions per API submission and per floor request in the Django process, counted by
# callgrind (issue 3): repeatable to about a percent on a machine whose timings are not
# (string hashing fixed with PYTHONHASHSEED=0, so that dictionaries are laid out alike).
# PostgreSQL at 127.0.0.1:5432 (trust); valgrind from Debian. Usage:
#   bench/submit_instructions.sh [N]     (N submissions, 5·N floor requests; default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-40}
DB=rathaus_bench_instructions
TMP=$(mktemp -d /tmp/rathaus-bench-instr.XXXXXX)
trap 'rm -rf $TMP' EXIT
command -v valgrind >/dev/null || { echo "submit_instructions.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB BENCH_ENDPOINTS=1 DEMO_MODE=1 DEBUG=0
export MEDIA_ROOT=$TMP/media
.venv/bin/rathaus migrate -v 0
.venv/bin/rathaus load_demo --quiet-logins >/dev/null
.venv/bin/python bench/submit_api_load.py setup --tokens $TMP/tokens.json >/dev/null
PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$TMP/cg.%p.out \
  .venv/bin/python bench/submit_instructions.py "$N" $TMP > $TMP/log 2>&1 &
RUN=$!
wait_for() {
  while [ ! -e "$TMP/$1" ]; do
    kill -0 $RUN 2>/dev/null || { tail -20 $TMP/log >&2; exit 1; }
    sleep 0.5
  done
}
wait_for ready; callgrind_control -i on $RUN >/dev/null; callgrind_control -z $RUN >/dev/null; touch $TMP/ready.go
wait_for mid; callgrind_control -d submissions $RUN >/dev/null; callgrind_control -z $RUN >/dev/null; touch $TMP/mid.go
wait_for done; callgrind_control -d floor $RUN >/dev/null
wait $RUN
SUB=$(grep -l "dump submissions" $TMP/cg.*.out.* | xargs grep -h -m1 "^totals:\|^summary:" | awk '{print $2}')
FLOOR=$(grep -l "dump floor" $TMP/cg.*.out.* | xargs grep -h -m1 "^totals:\|^summary:" | awk '{print $2}')
python3 -c "
import json, subprocess, sys
n, sub, floor = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
print(json.dumps({'commit': commit, 'submissions': n, 'instructions_per_submission': round(sub / n), 'instructions_per_floor_request': round(floor / (5 * n)), 'submission_in_floors': round(sub / n / (floor / (5 * n)), 2)}))
" "$N" "$SUB" "$FLOOR"
