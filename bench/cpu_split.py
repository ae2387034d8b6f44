"""Where the machine's CPU went during a benchmark phase, by kind of process.

    cpu_split.py snap FILE                 # before the phase: CPU time of every process now
    cpu_split.py diff FILE [--per N]       # after it: seconds per kind (and ms per request)

Kinds: the app server (gunicorn), PostgreSQL, the task worker, the load generator and the rest,
plus the idle time of all cores. A process that ended during the phase (a load generator run as
a child of the shell) is not counted by kind; its share is in ``unaccounted`` (total − idle −
the kinds); the load generators report their own CPU time (``client_cpu_s``). Also the part
of each kind's time the kernel spent on its behalf (``system_cpu_ms_per_request``: system
calls, page faults, writing files into the page cache). Reads /proc only (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = (("gunicorn", "server"), ("postgres", "postgresql"), ("run_worker", "task_worker"))
LOAD = ("loadgen.py", "submit_api_load.py", "submit_load.py")


def _kind(command: str) -> str:
    for needle, kind in KINDS:
        if needle in command:
            return kind
    return "load_generator" if any(name in command for name in LOAD) else "other"


def snapshot() -> dict:
    processes = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # utime and stime (fields 14 and 15 of stat(5)); not the children's, which a shell would
        # count again for the load generators it waited for
        processes[pid] = [
            _kind(command),
            (int(fields[11]) + int(fields[12])) / TICKS,
            int(fields[12]) / TICKS,
        ]
    cpu = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return {"processes": processes, "cpu": cpu}


def difference(before: dict, after: dict, per: int | None) -> dict:
    seconds: dict[str, float] = {}
    system: dict[str, float] = {}  # of it in the kernel on the processes' behalf
    for pid, (kind, used, in_kernel) in after["processes"].items():
        earlier = before["processes"].get(pid)
        same = earlier is not None and earlier[0] == kind
        seconds[kind] = seconds.get(kind, 0.0) + used - (earlier[1] if same else 0.0)
        system[kind] = system.get(kind, 0.0) + in_kernel - (earlier[2] if same else 0.0)
    total = (sum(after["cpu"]) - sum(before["cpu"])) / TICKS
    idle = (after["cpu"][3] + after["cpu"][4] - before["cpu"][3] - before["cpu"][4]) / TICKS
    seconds["unaccounted"] = max(0.0, total - idle - sum(seconds.values()))
    result = {"cpu_seconds": {kind: round(value, 2) for kind, value in sorted(seconds.items())}}
    result |= {"idle_seconds": round(idle, 2), "total_seconds": round(total, 2)}
    if per:
        result["requests"] = per
        result["cpu_ms_per_request"] = {
            kind: round(1000 * value / per, 3) for kind, value in sorted(seconds.items()) if value > 0
        }
        result["system_cpu_ms_per_request"] = {
            kind: round(1000 * value / per, 3) for kind, value in sorted(system.items()) if value > 0
        }
        result["busy_ms_per_request"] = round(1000 * (total - idle) / per, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["snap", "diff"])
    parser.add_argument("file")
    parser.add_argument("--per", type=int, help="requests made in the phase: also ms per request")
    args = parser.parse_args()
    if args.action == "snap":
        Path(args.file).write_text(json.dumps(snapshot()))
    else:
        print(json.dumps(difference(json.loads(Path(args.file).read_text()), snapshot(), args.per)))


if __name__ == "__main__":
    main()
