"""Shared pieces for benchmarks: timing with peak memory, a printed table, the RESULT line."""
from __future__ import annotations

import resource
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Stage:
    """One measured stage: its name, rows processed, wall seconds and peak traced memory (MB)."""

    name: str
    rows: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0


@dataclass
class Timer:
    """Collects stages; ``with timer.stage("read", rows=n): ...`` measures one.

    trace_memory: measure each stage's peak with tracemalloc (exact for Python and numpy allocations, but it
    slows Python-heavy code); when False, peak_mb is the process's peak resident memory at the end of the stage.
    """

    trace_memory: bool = False
    stages: list[Stage] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, rows: int = 0):
        record = Stage(name, rows)
        if self.trace_memory:
            tracemalloc.start()
        start = time.perf_counter()
        try:
            yield record
        finally:
            record.seconds = time.perf_counter() - start
            if self.trace_memory:
                record.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
            else:
                record.peak_mb = max_rss_mb()
            self.stages.append(record)

    def print_table(self) -> None:
        print(f"{'stage':<28}{'rows':>12}{'seconds':>10}{'peak MB':>10}")
        for s in self.stages:
            print(f"{s.name:<28}{s.rows:>12,}{s.seconds:>10.3f}{s.peak_mb:>10.1f}")


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_result(**figures) -> None:
    """Print the last line: ``RESULT key=value ...`` (floats with 4 significant digits)."""
    parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()]
    print("RESULT " + " ".join(parts))
