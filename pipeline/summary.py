"""A readable terminal summary of results (`inspect` without --json)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from pipeline.codes import Severity
from pipeline.model import CheckStatus, FieldReading, FormResult

SUMS_HOLD = "+"  # after a confidence: the form's sums hold with this figure (confirmed_by)


def _value(reading: FieldReading | None) -> str:
    if reading is None:
        return ""
    if reading.value is None:
        return "[bold red]?[/]"
    text = str(reading.value)
    return text if reading.confidence >= 0.5 else f"[yellow]{text}[/]"


def _confidence(reading: FieldReading | None) -> str:
    if reading is None or reading.value is None:
        return ""
    colour = (
        "green" if reading.confidence >= 0.9 else "yellow" if reading.confidence >= 0.5 else "red"
    )
    mark = SUMS_HOLD if reading.confirmed_by else ""
    return f"[{colour}]{reading.confidence:.2f}{mark}[/]"


def print_summary(results: Sequence[FormResult], console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    for result in results:
        src = result.source
        console.rule(f"{src.path}  page {src.page + 1}/{src.page_count}")
        console.print(
            f"form: [bold]{result.form.type}[/] (template {result.form.template}, "
            f"confidence {result.form.confidence:.2f})"
        )
        for key, reading in result.header.items():
            console.print(f"  {key:28} {_value(reading)}  {_confidence(reading)}")
        if result.candidates:
            table = Table(show_lines=False)
            for column in ("#", "candidate", "party", "votes", "conf", "total valid", "conf"):
                table.add_column(column)
            for row in result.candidates:
                table.add_row(
                    _value(row.serial),
                    _value(row.name),
                    _value(row.party),
                    _value(row.votes),
                    _confidence(row.votes),
                    _value(row.total_valid_votes),
                    _confidence(row.total_valid_votes),
                )
            console.print(table)
            console.print(f"  ({SUMS_HOLD}: the form's sums hold with this figure)")
        for key, reading in result.totals.items():
            console.print(f"  {key:28} {_value(reading)}  {_confidence(reading)}")
        console.print(
            f"stamps: {len(result.stamps)}  signatures: "
            + ", ".join(f"{s.role.value}={s.status.value}" for s in result.signatures)
        )
        for check in result.checks:
            colour = {
                CheckStatus.PASS: "green",
                CheckStatus.FAIL: "bold red",
                CheckStatus.UNKNOWN: "yellow",
            }[check.status]
            detail = check.reason or (
                f"expected {check.expected}, got {check.actual}"
                if check.status is CheckStatus.FAIL
                else ""
            )
            console.print(f"  check {check.name:22} [{colour}]{check.status.value}[/] {detail}")
        for finding in result.findings:
            colour = {
                Severity.ERROR: "bold red",
                Severity.WARNING: "yellow",
                Severity.INFO: "cyan",
            }[finding.severity]
            console.print(f"  [{colour}]{finding.code.value}[/] {finding.message}")
        verdict = "[bold red]NEEDS REVIEW[/]" if result.needs_review else "[green]ok[/]"
        console.print(f"verdict: {verdict}")
        for reason in result.review_reasons:
            console.print(f"  - {reason}")
