"""The unit of work a worker process (or Dask worker) runs: one input, all its pages."""

from __future__ import annotations

import hashlib
import signal
import traceback
from dataclasses import dataclass
from types import FrameType

from pipeline.batch.inputs import InputItem
from pipeline.emit import dumps_line
from pipeline.errors import ProcessingTimeout, TallyscopeError
from pipeline.options import Options


@dataclass(frozen=True)
class WorkOutcome:
    name: str
    sha256: str
    lines: tuple[str, ...] = ()  # one FormResult JSON line per page
    error_code: str | None = None
    reason: str = ""


class _Alarm:
    """The per-form timer; remembers firing, since a stage may wrap the exception it raises."""

    def __init__(self) -> None:
        self.fired = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.fired = True
        raise ProcessingTimeout("processing took longer than the per-form limit")


def content_hash(item: InputItem) -> str:
    data = item.data if item.data is not None else (item.path.read_bytes() if item.path else b"")
    return hashlib.sha256(data).hexdigest()


def process_item(item: InputItem, options: Options) -> WorkOutcome:
    """Process one input; every failure becomes an outcome with a code, never a raise."""
    from pipeline.inspect import process_bytes, process_file

    sha = ""
    alarm = _Alarm()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, options.per_form_timeout_s)
    try:
        sha = content_hash(item)
        if item.data is not None:
            results = process_bytes(item.data, item.name, options)
        else:
            assert item.path is not None
            results = process_file(item.path, options)
        return WorkOutcome(name=item.name, sha256=sha, lines=tuple(dumps_line(r) for r in results))
    except Exception as exc:
        if alarm.fired:  # a loader may have wrapped the timeout as a corrupt input
            return WorkOutcome(
                name=item.name,
                sha256=sha,
                error_code=ProcessingTimeout.code,
                reason=f"over the per-form limit of {options.per_form_timeout_s} s",
            )
        return _failure(item, sha, exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failure(item: InputItem, sha: str, exc: Exception) -> WorkOutcome:
    """An outcome for an exception: its own code, or INTERNAL_ERROR with where it came from."""
    if isinstance(exc, TallyscopeError):
        return WorkOutcome(name=item.name, sha256=sha, error_code=exc.code, reason=exc.message)
    if isinstance(exc, MemoryError):
        return WorkOutcome(
            name=item.name,
            sha256=sha,
            error_code="OUT_OF_MEMORY",
            reason="the form needed more memory than available",
        )
    last = traceback.extract_tb(exc.__traceback__)[-1]  # a bug on one form: batch goes on
    return WorkOutcome(
        name=item.name,
        sha256=sha,
        error_code="INTERNAL_ERROR",
        reason=f"{type(exc).__name__}: {exc} ({last.filename}:{last.lineno})",
    )
