"""Where the work runs: a local process pool, or an existing Dask distributed cluster.

Both take the same picklable `process_item` and yield outcomes as they complete, with a
bounded number of submissions in flight so memory stays flat however many files there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pipeline.batch.inputs import InputItem
from pipeline.batch.work import WorkOutcome
from pipeline.options import Options

Worker = Callable[[InputItem, Options], WorkOutcome]


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"


def run_local(
    items: Iterable[InputItem], worker: Worker, options: Options, *, workers: int
) -> Iterator[WorkOutcome]:
    """Process items in `workers` processes; a crashed worker is recorded, the pool renewed."""
    in_flight: dict[Future[WorkOutcome], InputItem] = {}
    pending = iter(items)
    limit = workers * 2
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)
    try:
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < limit:
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                in_flight[pool.submit(worker, item, options)] = item
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                item = in_flight.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    yield WorkOutcome(
                        name=item.name,
                        sha256="",
                        error_code="WORKER_CRASHED",
                        reason="the worker process died on this form",
                    )
            if broken:  # the other forms in flight died with it: record them, renew the pool
                for item in in_flight.values():
                    yield WorkOutcome(
                        name=item.name,
                        sha256="",
                        error_code="WORKER_CRASHED",
                        reason="the worker process died while this form was queued",
                    )
                in_flight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(
    items: Iterable[InputItem], worker: Worker, options: Options, *, scheduler: str
) -> Iterator[WorkOutcome]:
    """Process items on a Dask distributed cluster at `scheduler` (tcp://host:port)."""
    from distributed import Client, as_completed

    client = Client(scheduler, timeout="30s")
    try:
        limit = max(4, 2 * sum(client.nthreads().values()))
        pending = iter(items)
        futures: Any = as_completed()
        for submitted, item in enumerate(pending, start=1):
            futures.add(client.submit(worker, item, options, pure=False))
            if submitted >= limit:
                break
        for future in futures:
            yield future.result()
            following = next(pending, None)
            if following is not None:
                futures.add(client.submit(worker, following, options, pure=False))
    finally:
        client.close()
