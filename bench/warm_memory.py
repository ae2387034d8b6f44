"""Touch the machine's free memory before a benchmark, by writing files and deleting them.

Why: on the virtual machines these benchmarks run on, the host backs the guest's memory only
when the guest first touches it. Writing into memory the guest has never used cost up to ten
times as much CPU as writing into pages it had used and freed (2.2–2.4 against 0.23–0.50 ms per
MiB; a 200 KB upload stored by Django: 0.64 against 0.20 ms; measured 2026-11-29). A server that has run for a while has touched its
memory; a freshly booted benchmark machine has not. A load that writes (the submissions' uploads,
PostgreSQL's table and WAL pages: about 1.5 GB in a 30 s run) pays that first touch in every
request, a load that only reads (the floor) does not, so the share between them depended on
how long the machine had been up. After this script the freed pages are the ones the kernel
hands out next.

Its limit (measured 2026-11-29, session 13): this machine's kernel reports free memory back to
the host ("Free page reporting enabled" at boot; ``/sys/module/page_reporting``), which then
backs it anew on the next touch. Of 7.4 GiB written and freed by this script, 7.9 GB were
reported within 30 s. After that, the first 400 MB of new 200 KB files cost 89 µs of CPU each,
the next 400 MB 380 µs (on a machine that had not been warmed: 224 µs). So the warmth covers
the first few hundred MB a run writes, not the 1.5 GB of a whole submissions phase; the rest
of the run writes at the cost of first touch, as it did before this script existed. The
benchmarks do not change the kernel's settings to prevent it.

    python bench/warm_memory.py DIR [--gib N]

Writes N GiB (default: a third of the available memory, at most 8) in 64 MiB files under DIR,
deletes them, and prints one JSON line: the GiB written and the milliseconds per MiB of the
first write into the memory and of writing the same amount again into the freed pages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

FILE_MIB = 64


def available_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def write_files(directory: Path, count: int, block: bytes) -> float:
    """CPU milliseconds per MiB to write ``count`` files of FILE_MIB (the kernel's work
    included: it is the copy into the page cache that differs)."""
    started = time.thread_time()
    for index in range(count):
        with (directory / f"warm-{index}").open("wb") as file:
            for _ in range(FILE_MIB):
                file.write(block)
    return 1000 * (time.thread_time() - started) / (count * FILE_MIB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--gib", type=float, default=None)
    args = parser.parse_args()
    gib = args.gib if args.gib is not None else min(8.0, available_gib() / 3)
    count = max(1, int(gib * 1024 / FILE_MIB))
    block = os.urandom(1024 * 1024)
    args.dir.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="warm-memory.", dir=args.dir))
    try:
        first = write_files(directory, count, block)
        shutil.rmtree(directory)
        directory.mkdir()
        # The same amount again, into the freed pages: what a write costs on a warm machine.
        again = write_files(directory, min(count, 16), block)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(
        json.dumps(
            {
                "warmed_gib": round(count * FILE_MIB / 1024, 2),
                "first_write_cpu_ms_per_mib": round(first, 3),
                "write_into_freed_pages_cpu_ms_per_mib": round(again, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
