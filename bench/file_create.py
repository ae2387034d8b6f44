"""What storing a 200 KB upload costs the kernel right after many files were deleted.

    python bench/file_create.py DIR [--files 6000] [--rounds 3] [--spread]

Each round creates FILES files of 200 KB (as a submission stores its upload) in a new directory
under DIR, deleting the previous round's directory first, and prints the CPU microseconds per
file (the kernel's work included) for every thousand files.

Why: this machine's root filesystem is ext4 without a journal. There, creating a file skips
every free inode of its block group that was deleted less than a minute ago (six minutes while
the inode's block is dirty, which the new files make it), reading each one's inode block
(``recently_deleted`` in ``fs/ext4/ialloc.c``), so that an inode whose deletion may not be on
disk yet is not reused. Once a round's allocations reach the inodes the previous round
deleted, each file costs several times as much. The submissions benchmark keeps each run's files until the next
run has measured its submissions (``bench/submissions.sh``), so that no run pays for the
previous run's cleanup.

``--spread`` marks DIR as a top of directory hierarchies (``chattr +T``), so that ext4 places
each round's directory in a block group of its own choosing, mostly not the one the previous
round deleted from: the comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

UPLOAD_BYTES = 200_000


def create(directory: Path, files: int, data: bytes, per: int = 1000) -> list[int]:
    """CPU microseconds per file, for each ``per`` files."""
    costs = []
    started = time.thread_time()
    for index in range(files):
        fd = os.open(directory / f"upload-{index}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        if (index + 1) % per == 0:
            now = time.thread_time()
            costs.append(round(1e6 * (now - started) / per))
            started = now
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spread", action="store_true")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.spread:
        subprocess.run(["chattr", "+T", str(args.dir)], check=True)
    data = os.urandom(UPLOAD_BYTES)
    previous = None
    for number in range(1, args.rounds + 1):
        if previous is not None:
            shutil.rmtree(previous)
        previous = Path(tempfile.mkdtemp(prefix="file-create.", dir=args.dir))
        costs = create(previous, args.files, data)
        print(
            json.dumps(
                {
                    "round": number,
                    "spread": args.spread,
                    "files": args.files,
                    "cpu_us_per_file_per_1000": costs,
                }
            )
        )
    shutil.rmtree(previous)


if __name__ == "__main__":
    main()
