"""A bounded HTTP load generator for loopback benchmarks.

Runs C concurrent clients against one URL until N requests or T seconds, whichever comes first,
and prints requests/s, latency percentiles and the error count as one JSON line. ``{n}`` in the
URL is replaced by the request's number, so that every request asks something new (a search
that no cache has seen). It only talks
to 127.0.0.1/localhost: a benchmark here never sends traffic anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlparse

import aiohttp
from stats import percentile  # bench/ is on sys.path when a script runs

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


async def run(url: str, concurrency: int, max_requests: int, max_seconds: float) -> dict:
    if urlparse(url).hostname not in LOOPBACK:
        raise SystemExit("loadgen only targets loopback addresses")
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal issued, errors
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            target = url.replace("{n}", str(issued))
            started = time.perf_counter()
            try:
                async with session.get(target) as response:
                    await response.read()
                    if response.status >= 400:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        began = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "url": urlparse(url).path,  # the caller adds the query (submissions.sh)
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "client_cpu_s": round(time.process_time(), 2),  # for bench/cpu_split.py
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.concurrency, args.requests, args.seconds))))


if __name__ == "__main__":
    main()
