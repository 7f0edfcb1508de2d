"""The engines that run a study's tasks: a local process pool, or Dask.

``"local"`` — a ``concurrent.futures.ProcessPoolExecutor`` (``workers`` processes; 0 runs
in-process); ``"dask"`` — a ``distributed.LocalCluster`` of ``workers`` processes, or the
running cluster at ``scheduler`` (``tcp://host:port``). Both hand each finished task's
rows to ``sink`` in the parent, in completion order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from earlywarn.io.study import StudyError
from earlywarn.run.sampling import RunTask

__all__ = ["ENGINES", "Sink", "Work", "dask", "local"]

ENGINES = ("local", "dask")

Work = Callable[[RunTask], list[dict[str, Any]]]
"""One run: a task in, its rows out (a picklable module-level function)."""
Sink = Callable[[RunTask, list[dict[str, Any]]], None]
"""Receives each finished task with its rows, in the parent process."""


def local(work: Work, tasks: Sequence[RunTask], workers: int, sink: Sink) -> None:
    """``work`` every task in a pool of ``workers`` spawned processes (0: in this one)."""
    if workers <= 0 or len(tasks) <= 1:
        for t in tasks:
            sink(t, work(t))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futs = {pool.submit(work, t): t for t in tasks}
        for fut in as_completed(futs):
            sink(futs[fut], fut.result())


_IN_FLIGHT_PER_WORKER = 4


def dask(
    work: Work, tasks: Sequence[RunTask], workers: int, scheduler: str | None, sink: Sink
) -> None:
    """``work`` every task on a Dask ``LocalCluster`` of ``workers`` processes, or on the
    running cluster at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StudyError(
            "the dask engine needs dask[distributed] (pip install 'earlywarn[bench]' or "
            "pip install 'dask[distributed]')"
        ) from exc
    import dask as dask_

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # the workers' statistical profiler samples every task's stack 100 times a second
        # (for the dashboard, which is off here): ~6 % of a run's time, so it is turned off
        with dask_.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=None,
            )  # fmt: skip
        client = Client(cluster)
    try:
        # a few runs in flight per worker, each result released once written: with every
        # run submitted at once, a 1,000-run study ran ~25 % slower than its first runs
        todo = iter(tasks)
        by_key: dict[Any, RunTask] = {}
        done = as_completed()

        def submit_next() -> None:
            t = next(todo, None)
            if t is not None:
                fut = client.submit(work, t, pure=False)
                by_key[fut.key] = t
                done.add(fut)

        n_workers = len(client.scheduler_info().get("workers", {})) or max(1, workers)
        for _ in range(_IN_FLIGHT_PER_WORKER * n_workers):
            submit_next()
        for fut in done:
            sink(by_key.pop(fut.key), fut.result())
            fut.release()
            submit_next()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
