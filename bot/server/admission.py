"""How many questions are answered at once, and how many may wait: the rest are told the server is busy.

Answering is CPU-bound (torch, numpy, BM25), so more answers at once than the machine has cores only makes each
one slower. A question that finds every worker taken waits in a bounded queue for at most a few seconds; one that
finds the queue full, or waits too long, gets `Busy` at once, with an estimate of when to try again, instead of a
spinner that turns for a minute.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

SMOOTHING = 0.2  # weight of the latest answer's duration in the running average


class Busy(RuntimeError):
    """Every worker is taken and the queue is full (or the wait was too long)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"busy: try again in {retry_after} s")
        self.retry_after = retry_after


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class AnswerGate:
    """At most `workers` holders at once, at most `queue` more waiting (each up to `wait_seconds`)."""

    def __init__(self, workers: int, queue: int, wait_seconds: float) -> None:
        if workers < 1 or queue < 0 or wait_seconds <= 0:
            raise ValueError(f"workers must be >= 1, queue >= 0 and wait > 0, not {workers}, {queue}, {wait_seconds}")
        self.workers, self.queue, self.wait_seconds = workers, queue, wait_seconds
        self._slots = threading.Semaphore(workers)
        self._count_lock = threading.Lock()
        self._inside = 0  # holding a slot or waiting for one
        self._mean_seconds = 1.0

    @property
    def capacity(self) -> int:
        return self.workers + self.queue

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one worker slot for the body; raises Busy when none is free in time."""
        self._enter()
        try:
            if not self._slots.acquire(timeout=self.wait_seconds):
                raise Busy(self.retry_after())
            started = time.perf_counter()
            try:
                yield
            finally:
                self._slots.release()
                self._record(time.perf_counter() - started)
        finally:
            with self._count_lock:
                self._inside -= 1

    def retry_after(self) -> int:
        """Seconds until the work in hand is likely done: queued answers over the workers, times an answer's time."""
        with self._count_lock:
            rounds = max(self._inside, 1) / self.workers
            return max(1, math.ceil(rounds * self._mean_seconds))

    def _enter(self) -> None:
        with self._count_lock:
            full = self._inside >= self.capacity
            if not full:
                self._inside += 1
        if full:
            raise Busy(self.retry_after())

    def _record(self, seconds: float) -> None:
        with self._count_lock:
            self._mean_seconds += SMOOTHING * (seconds - self._mean_seconds)


def share_cores(workers: int) -> None:
    """Give each answer in flight its share of the cores. torch's default, a thread per core for every call, has
    two answers at once run four threads on two cores, each slowing the other; one thread each keeps both busy."""
    import torch

    torch.set_num_threads(max(1, default_workers() // workers))
