"""`tallyscope batch` and `tallyscope reconcile`."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import BadArguments, ExitCode


def batch(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, zip/tar archives.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (resumable).")],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=0, help="Worker processes (0: all cores).")
    ] = 0,
    template: Annotated[str | None, typer.Option("--template", "-t")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT.")
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per form.")] = 300.0,
    overlays: Annotated[
        bool, typer.Option("--overlays/--no-overlays", help="Overlay PNGs of forms to review.")
    ] = True,
) -> None:
    """Process an archive of forms: results, errors, findings, reconciliation, report."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from pipeline.batch.run import run_batch
    from pipeline.options import Options

    if out.exists() and not out.is_dir():
        raise BadArguments(f"--out {out} exists and is not a folder")
    options = Options(template=template, per_form_timeout_s=timeout)
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} forms/min"),
        TimeRemainingColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        task = progress.add_task("forms", total=None, rate=0.0)
        started = time.perf_counter()

        def tick(_outcome: object) -> None:
            done = progress.tasks[0].completed + 1
            minutes = max(1e-6, (time.perf_counter() - started) / 60)
            progress.update(task, completed=done, rate=done / minutes)

        summary = run_batch(
            inputs,
            out,
            options,
            workers=workers or (os.cpu_count() or 1),
            scheduler=scheduler,
            on_outcome=tick,
            write_overlays=overlays,
        )
    console.print(
        f"processed {summary.processed}, resumed {summary.skipped_done}, duplicates "
        f"{summary.duplicate_inputs}, failed {summary.failed}, refused {summary.refused}; "
        f"{summary.pages} pages, {summary.forms_needing_review} need review, "
        f"{summary.seconds} s"
    )
    for code, count in sorted(summary.findings.items()):
        console.print(f"  {code:28} {count}")
    console.print(f"report: {out / 'report.html'}")
    if summary.failed or summary.refused:
        raise typer.Exit(int(ExitCode.PARTIAL_FAILURE))


def reconcile(
    results: Annotated[Path, typer.Argument(help="forms.jsonl (or a folder of results).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write JSON here (and .csv).")
    ] = None,
) -> None:
    """Compare Form 45s with each other and with their Form 47, per constituency."""
    from pipeline.atomic import write_text_atomic
    from pipeline.batch.results import LeanResults, cycle_collector_off
    from pipeline.evaluate import load_results
    from pipeline.reconcile import reconcile as reconcile_results
    from pipeline.reconcile import reconciliation_csv

    with cycle_collector_off():
        if results.is_file() and results.suffix == ".jsonl":  # a batch's: lean, compressed
            reconciliation = reconcile_results(LeanResults.read(results))
        else:
            reconciliation = reconcile_results(load_results(results))
    text = reconciliation.model_dump_json(indent=1)
    if out is None:
        sys.stdout.write(text + "\n")
        return
    write_text_atomic(out, text + "\n")
    write_text_atomic(out.with_suffix(".csv"), reconciliation_csv(reconciliation))
    typer.echo(
        f"{len(reconciliation.findings)} findings in "
        f"{len(reconciliation.constituencies)} constituencies: {out}",
        err=True,
    )
