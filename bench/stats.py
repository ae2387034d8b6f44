"""Latency summaries shared by the benchmark scripts (no third-party imports)."""

from __future__ import annotations

import statistics


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def summarize(values: list[float]) -> dict:
    """Count and p50/p95/p99/mean in milliseconds of latencies given in seconds."""
    values = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
    }
