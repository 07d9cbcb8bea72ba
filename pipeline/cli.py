"""The command line: a thin typer layer over the library.

JSON goes to stdout, progress and messages to stderr. Library code raises typed
`TallyscopeError`s; `main` is the one place they become an exit code and one line.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import ExitCode, TallyscopeError

app = typer.Typer(
    name="tallyscope",
    help="Offline OCR and forensics for scanned election result forms (Form 45 / Form 47).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks and debug logs.")
    ] = False,
) -> None:
    """tallyscope: read result forms, check them, and find what is wrong, with evidence."""


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A scan or photo: PNG, JPEG, TIFF, GIF or PDF.")],
    template: Annotated[
        str | None, typer.Option("--template", "-t", help="Template name or YAML path.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result on stdout.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSON here.")] = None,
    overlay: Annotated[
        Path | None, typer.Option("--overlay", help="Write an annotated PNG of the scan here.")
    ] = None,
    evidence_dir: Annotated[
        Path | None, typer.Option("--evidence-dir", help="Write evidence crops (PNG) here.")
    ] = None,
    debug_dir: Annotated[
        Path | None, typer.Option("--debug-dir", help="Write every stage's images here.")
    ] = None,
    fail_on_findings: Annotated[
        bool, typer.Option("--fail-on-findings", help="Exit 1 when a form needs review.")
    ] = False,
) -> None:
    """Read one form: header, candidates, totals, stamps, signatures, checks and findings."""
    from pipeline.emit import results_json, write_overlays
    from pipeline.inspect import process_file
    from pipeline.options import Options
    from pipeline.summary import print_summary

    options = Options(template=template, evidence_dir=evidence_dir, debug_dir=debug_dir)
    results = process_file(file, options)
    text = results_json(results)
    if output is not None:
        from pipeline.atomic import write_text_atomic

        write_text_atomic(output, text + "\n")
    if overlay is not None:
        for path in write_overlays(file, results, overlay, options):
            typer.echo(f"overlay: {path}", err=True)
    if as_json:
        sys.stdout.write(text + "\n")
    else:
        print_summary(results)
    if fail_on_findings and any(r.needs_review for r in results):
        raise typer.Exit(ExitCode.FINDINGS)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a result (what `inspect --json` and forms.jsonl hold)."""
    from pipeline.emit import result_schema

    sys.stdout.write(json.dumps(result_schema(), indent=2) + "\n")


@app.command()
def templates() -> None:
    """List the bundled form templates."""
    from pipeline.templates import bundled_templates

    for template in bundled_templates():
        typer.echo(
            f"{template.name:14} {template.type:10} {template.country:3} {template.description}"
        )


@app.command("eval")
def evaluate_command(
    results: Annotated[Path, typer.Argument(help="Result JSON, JSONL, or a folder of them.")],
    truth: Annotated[Path, typer.Argument(help="A *.truth.json file or a folder of them.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the metrics JSON here.")
    ] = None,
) -> None:
    """Score results against synthetic ground truth: fields, forms, anomaly codes."""
    from pipeline.atomic import write_text_atomic
    from pipeline.evaluate import evaluate, format_metrics, load_results, load_truth

    metrics = evaluate(load_results(results), load_truth(truth))
    typer.echo(format_metrics(metrics))
    if output is not None:
        write_text_atomic(output, metrics.model_dump_json(indent=2) + "\n")


def _register_optional_commands() -> None:
    """Commands that live beside their stage (synth, batch, reconcile)."""
    from pipeline.batch.command import batch, reconcile
    from pipeline.synth.command import synth

    app.command()(synth)
    app.command()(batch)
    app.command()(reconcile)


_register_optional_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn every failure into one line and an exit code.

    Typer handles usage errors itself (exit 2); our typed errors and unexpected
    exceptions propagate to here.
    """
    args = sys.argv[1:] if argv is None else argv
    verbose = bool(args) and args[0] in ("-v", "--verbose")
    try:
        app(args=args, prog_name="tallyscope")
    except SystemExit as exc:
        return (
            exc.code if isinstance(exc.code, int) else int(ExitCode.OK if exc.code is None else 1)
        )
    except TallyscopeError as exc:
        if verbose:
            traceback.print_exc()
        sys.stderr.write(f"tallyscope: error: {exc.message}\n")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("tallyscope: interrupted\n")
        return int(ExitCode.CTRL_C)
    except Exception as exc:  # the tool failing, not the input: say so in one line
        if verbose:
            traceback.print_exc()
        sys.stderr.write(
            f"tallyscope: internal error: {type(exc).__name__}: {exc} "
            "(run with -v for the traceback)\n"
        )
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


def run() -> None:
    sys.exit(main())
