"""The engines that run a study's tasks: a local process pool, or Dask.

``"local"`` — a ``concurrent.futures.ProcessPoolExecutor`` (``workers`` processes; 0 runs
in-process); ``"dask"`` — a ``distributed.LocalCluster`` of ``workers`` processes, or the
running cluster at ``scheduler`` (``tcp://host:port``). Both hand each finished task's
rows to ``sink`` in the parent, in completion order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from earlywarn.io.study import StudyError
from earlywarn.run.sampling import RunTask

__all__ = ["ENGINES", "Sink", "Work", "check_scheduler", "dask", "local"]

ENGINES = ("local", "dask")

Work = Callable[[RunTask], list[dict[str, Any]]]
"""One run: a task in, its rows out (a picklable module-level function)."""
Sink = Callable[[RunTask, list[dict[str, Any]]], None]
"""Receives each finished task with its rows, in the parent process."""


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them (a terminal sends SIGINT to
    the whole process group)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local(work: Work, tasks: Iterable[RunTask], workers: int, sink: Sink) -> None:
    """``work`` every task in a pool of ``workers`` spawned processes (0: in this one).

    Tasks are drawn from the iterable as workers free up (a few in flight per worker), so
    a long study starts at once and holds only those. On any exception in the parent
    (Ctrl-C, SIGTERM turned into an exception, a failing sink) the workers are
    terminated before it propagates: none is left behind."""
    if workers <= 0:
        for t in tasks:
            sink(t, work(t))
        return
    import multiprocessing
    from collections import deque

    ctx = multiprocessing.get_context("spawn")
    pool = ctx.Pool(workers, initializer=_ignore_sigint)
    try:
        todo = iter(tasks)
        in_flight: deque[tuple[RunTask, Any]] = deque()

        def submit_next() -> None:
            t = next(todo, None)
            if t is not None:
                in_flight.append((t, pool.apply_async(work, (t,))))

        for _ in range(_IN_FLIGHT_PER_WORKER * workers):
            submit_next()
        while in_flight:
            t, res = in_flight[0]
            while not res.ready():
                res.wait(0.2)  # short waits: a signal in the parent is seen at once
            in_flight.popleft()
            sink(t, res.get())
            submit_next()
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


_IN_FLIGHT_PER_WORKER = 4


SCHEDULER_TIMEOUT_S = 10.0
"""How long to try to reach a running Dask scheduler before giving up."""


def check_scheduler(address: str) -> None:
    """A Dask scheduler address: ``tcp://HOST:PORT`` (or ``tls://``, ``inproc://``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    ok = parts.scheme in ("tcp", "tls") and bool(parts.hostname)
    try:
        ok = ok and parts.port is not None
    except ValueError:
        ok = False
    if not ok and parts.scheme != "inproc":
        raise StudyError(
            f"--scheduler: got {address!r}; expected a Dask scheduler address "
            "tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786)"
        )


def dask(
    work: Work, tasks: Iterable[RunTask], workers: int, scheduler: str | None, sink: Sink
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
        check_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise StudyError(
                f"--scheduler {scheduler}: no Dask scheduler answered within "
                f"{SCHEDULER_TIMEOUT_S:g} s ({type(exc).__name__}); start one "
                "(dask scheduler) or use the local pool"
            ) from None
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
