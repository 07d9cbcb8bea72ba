"""`tallyscope synth OUT --count N --seed S`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def synth(
    out: Annotated[Path, typer.Argument(help="Folder to write the forms and their truth into.")],
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="Polling-station forms.")] = 12,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same corpus.")] = 0,
) -> None:
    """Generate synthetic Form 45s and Form 47s with exact ground truth (deterministic)."""
    from rich.progress import Progress

    from pipeline.synth.corpus import generate_corpus

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("rendering forms", total=None)
        manifest = generate_corpus(
            out, count=count, seed=seed, progress=lambda _name: bar.advance(task)
        )
    typer.echo(
        f"wrote {len(manifest.files)} files ({count} polling stations, "
        f"{len(manifest.constituencies)} constituencies) to {out}",
        err=True,
    )
