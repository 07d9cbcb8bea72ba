"""Test doubles for the batch machinery: workers that answer from the synthetic truth
instead of running the pipeline, so resume, crash and archive handling are tested fast."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline.batch.inputs import InputItem
from pipeline.batch.work import WorkOutcome, content_hash
from pipeline.emit import dumps_line
from pipeline.evaluate import result_from_truth
from pipeline.model import FormIdentity, FormResult, Source
from pipeline.options import Options
from pipeline.truth import FileTruth


def truth_worker(item: InputItem, options: Options) -> WorkOutcome:
    """A perfect reader: the truth beside the file, as FormResults."""
    sha = content_hash(item)
    delay = float(os.environ.get("TALLYSCOPE_TEST_DELAY", "0"))
    if delay:
        time.sleep(delay)
    if item.path is not None and item.path.with_suffix(".truth.json").exists():
        truth = FileTruth.model_validate_json(item.path.with_suffix(".truth.json").read_bytes())
        results = [
            result_from_truth(page).model_copy(
                update={
                    "source": Source(
                        path=item.name,
                        sha256=sha,
                        page=page.page,
                        page_count=len(truth.pages),
                        width=page.width,
                        height=page.height,
                    )
                }
            )
            for page in truth.pages
        ]
    else:
        results = [
            FormResult(
                source=Source(path=item.name, sha256=sha, width=1, height=1), form=FormIdentity()
            )
        ]
    return WorkOutcome(name=item.name, sha256=sha, lines=tuple(dumps_line(r) for r in results))


def crashing_worker(item: InputItem, options: Options) -> WorkOutcome:
    """Kills its own process on files named crash*: a segfault in a native library."""
    if Path(item.name).name.startswith("crash"):
        os._exit(139)
    return truth_worker(item, options)
