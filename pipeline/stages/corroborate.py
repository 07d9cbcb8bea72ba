"""The corroborate stage: figures the form's own arithmetic vouches for.

A handwritten figure read below the acceptance line is withheld (value None, its best
reading kept as `text`). A result form is full of sums, though: the candidates' votes
add up to the total valid votes, valid plus rejected to the votes polled, and so on (the
equations the template's checks name). When an equation holds exactly with the figures'
readings, at most one of them withheld (`MAX_WITHHELD`) and all of them clean (digits
only), a misread would have to be cancelled by another misread to the unit: the withheld
reading is accepted at `CONFIRMED_CONFIDENCE`, and every figure of the equation carries
its name in `confirmed_by`. Two withheld figures in one sum could cancel (42 and 56 read
for 43 and 55): one sum vouches for one figure, or for two of its parts (never its whole:
the same hand's 7 misread as 2 in a part and in the whole would cancel) when no pair of
figures the reader offered for them instead (`alternatives`) adds up the same.

A partly read figure ("2?") whose equation is otherwise read surely is solved from it,
and accepted only if the solution fits the digits read (21, not 31). A withheld figure
read in full ("52") whose equation fails with it, all else read surely, is solved the
same way and accepted only if the solution is a figure the reader offered for its ink
(one digit read as its runner-up, `FieldReading.alternatives`: "57" if the 2 might be
a 7), and no other equation of its figures fails with it.

Nothing else is changed: a figure is never given a value its ink was not read as. A withheld
figure that a failing equation pins as its culprit (every other figure there vouched
for) is vouched for by no other equation: two misreads could make that one hold (42 and
56 for 43 and 55). One failing equation does not lock every figure in it, though: a
candidate sum that one misread figure breaks still lets each other row's own columns
vouch for its withheld total (on seed 9002 at 8841f21, 378 more handwritten figures
accepted, 93.16% -> 94.87% exact, none of them wrong). An equation that reduces to "this figure
equals that one" (a candidate's votes and its total with nothing tendered or challenged)
confirms a withheld figure only against one read surely or confirmed elsewhere: the same
hand writing the same number twice may be misread the same way twice. Confirmation
spreads: a total confirmed by the column sum then vouches for the row it closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.model import VOTE_COLUMNS, FieldReading
from pipeline.stages.check import (
    REGISTER_PARTS,
    REGISTER_WHOLE,
    TOTALS_SUMS,
    best_figure,
    candidate_total_key,
)
from pipeline.stages.read import FormReadings
from pipeline.templates import Template

# a figure the form's sums vouch for is as sure as one read surely (check.SURE_FIGURE):
# of 20,395 such figures on seed 9002 (85164a8) 2 were wrong, both vouched for by a figure
# read at 0.98, which no longer vouches
CONFIRMED_CONFIDENCE = 0.99
MAX_WITHHELD = 1
# a withheld figure is solved from an equation whose other figures are sure only to a
# figure the reader offered for its ink at least this likely (`FieldReading.alternatives`)
RUNNER_UP_FLOOR = 0.01

# A figure's place on a multi-page form: ("totals" or "header", page, key), or ("row",
# page, row, column).
Ref = tuple[str | int, ...]


@dataclass(frozen=True)
class Equation:
    """sum(parts) == whole, over figures of one form."""

    name: str
    parts: tuple[Ref, ...]
    whole: Ref


def form_equations(
    pages: Sequence[FormReadings], template: Template, *, every_table_found: bool = True
) -> tuple[Equation, ...]:
    """The equations among a form's figures that the template's checks assert.

    A row missing a vote column the template prints (not found on the page) takes part in
    no equation: its figures would be summed without that column. When a page's
    candidates table was not found (`every_table_found` false), the candidates' sum is no
    equation: the rows read are not all the candidates.
    """
    columns = template.candidates.columns if template.candidates is not None else ()
    printed = frozenset(c.key for c in columns)
    rows = [
        (page, index, row)
        for page, readings in enumerate(pages)
        for index, row in enumerate(readings.candidates)
    ]
    complete = [
        (p, i, row)
        for p, i, row in rows
        if all(getattr(row, key) is not None for key in VOTE_COLUMNS if key in printed)
    ]
    last = len(pages) - 1
    equations: list[Equation] = []
    if (
        "candidate_sum" in template.checks
        and every_table_found
        and rows
        and len(complete) == len(rows)
    ):
        equations.append(
            Equation(
                name="candidate_sum",
                parts=tuple(("row", p, i, candidate_total_key(row)) for p, i, row in rows),
                whole=("totals", last, "total_valid_votes"),
            )
        )
    if "candidate_columns" in template.checks:
        for p, i, row in complete:
            if row.total_valid_votes is None:
                continue
            parts = tuple(
                ("row", p, i, key) for key in VOTE_COLUMNS[:3] if getattr(row, key) is not None
            )
            whole = ("row", p, i, "total_valid_votes")
            equations.append(Equation(name="candidate_columns", parts=parts, whole=whole))
    for name, (parts, whole) in TOTALS_SUMS.items():
        if name in template.checks:
            equations.append(
                Equation(
                    name=name,
                    parts=tuple(("totals", last, key) for key in parts),
                    whole=("totals", last, whole),
                )
            )
    if "registered_sum" in template.checks:  # the header is read on the form's first page
        equations.append(
            Equation(
                name="registered_sum",
                parts=tuple(("header", 0, key) for key in REGISTER_PARTS),
                whole=("header", 0, REGISTER_WHOLE),
            )
        )
    return tuple(equations)


def _reading(pages: Sequence[FormReadings], ref: Ref) -> FieldReading | None:
    if ref[0] in ("totals", "header"):
        _, page, key = ref
        section = pages[int(page)].totals if ref[0] == "totals" else pages[int(page)].header
        return section.get(str(key))
    _, page, index, key = ref
    return getattr(pages[int(page)].candidates[int(index)], str(key))


def _vouched(reading: FieldReading) -> bool:
    """Read with confidence, or confirmed already: it can vouch for a figure equal to it."""
    return reading.value is not None and (
        reading.confidence >= CONFIRMED_CONFIDENCE or bool(reading.confirmed_by)
    )


def _holds(equation: Equation, pages: Sequence[FormReadings]) -> bool | None:
    """Whether the equation holds with the figures' readings (None: one is unreadable)."""
    figures = [best_figure(_reading(pages, ref)) for ref in (*equation.parts, equation.whole)]
    if any(f is None for f in figures):
        return None
    *parts, whole = (f for f in figures if f is not None)
    return sum(parts) == whole


def _contradicted(equations: Sequence[Equation], pages: Sequence[FormReadings]) -> set[Ref]:
    """Figures in an equation that fails: no partly read figure is solved from them."""
    return {
        ref
        for equation in equations
        if _holds(equation, pages) is False
        for ref in (*equation.parts, equation.whole)
    }


def _pinned(equations: Sequence[Equation], pages: Sequence[FormReadings], ref: Ref) -> bool:
    """Whether a failing equation names this withheld figure as its culprit: every other
    figure in it was read surely, confirmed, or read as 0."""
    for equation in equations:
        refs = (*equation.parts, equation.whole)
        if ref not in refs or _holds(equation, pages) is not False:
            continue
        others = [_reading(pages, other) for other in refs if other != ref]
        if all(r is None or _vouched(r) or r.value == 0 for r in others):
            return True
    return False


def _two_parts_alone(
    equation: Equation, pages: Sequence[FormReadings], withheld: list[Ref]
) -> bool:
    """Two withheld parts of a holding sum that no other pair of readings offered for
    their ink would make hold as well (43 and 55 for 42 and 56 would)."""
    if len(withheld) != 2 or equation.whole in withheld:
        return False
    first, second = (_reading(pages, ref) for ref in withheld)
    assert first is not None and second is not None
    both = (best_figure(first) or 0) + (best_figure(second) or 0)
    return not any(
        int(a) + int(b) == both
        for a, _ in first.alternatives
        for b, _ in second.alternatives
        if isinstance(a, int) and isinstance(b, int)
    )


def _confirming(
    equation: Equation, pages: Sequence[FormReadings], equations: Sequence[Equation]
) -> bool:
    refs = (*equation.parts, equation.whole)
    if not _holds(equation, pages):
        return False
    readings = [_reading(pages, ref) for ref in refs]
    figures = [best_figure(r) for r in readings]
    withheld = [
        ref for ref, r in zip(refs, readings, strict=True) if r is not None and r.value is None
    ]
    if len(withheld) > MAX_WITHHELD and not _two_parts_alone(equation, pages, withheld):
        return False
    if any(_pinned(equations, pages, ref) for ref in withheld):
        return False
    nonzero = [r for r, f in zip(readings, figures, strict=True) if r is not None and f]
    if len(nonzero) <= 2:  # "a == b": one of them must have been read surely
        return any(_vouched(r) for r in nonzero) or not nonzero
    return True


def _fits(pattern: str, figure: int) -> bool:
    """Whether a figure agrees with a partial reading such as "?38" (same length, and the
    same digit wherever one was read)."""
    text = str(figure)
    if len(text) != len(pattern):
        return False
    return all(p in ("?", t) for p, t in zip(pattern, text, strict=True))


def _one_unknown(
    equation: Equation, pages: Sequence[FormReadings]
) -> tuple[Ref, FieldReading, int, tuple[Ref, ...]] | None:
    """The one withheld figure of an equation and the value the other figures give it,
    when they were all read surely, confirmed, or read as 0: (its place, its reading,
    that value, the places of the figures that gave it)."""
    refs = (*equation.parts, equation.whole)
    readings = {ref: r for ref in refs if (r := _reading(pages, ref)) is not None}
    withheld = [ref for ref, r in readings.items() if r.value is None]
    if len(withheld) != 1:
        return None
    ref = withheld[0]
    known: dict[Ref, int] = {}
    for other, reading in readings.items():
        if other == ref:
            continue
        figure = best_figure(reading)
        if figure is None or (figure and not _vouched(reading)):
            return None
        known[other] = figure
    parts = sum(f for other, f in known.items() if other != equation.whole)
    solution = parts if ref == equation.whole else known.get(equation.whole, -1) - parts
    return (ref, readings[ref], solution, tuple(known)) if solution >= 0 else None


def _solved(
    equation: Equation, pages: Sequence[FormReadings], contradicted: set[Ref]
) -> tuple[Ref, int] | None:
    """The one partly read figure of an equation ("2?"), solved from the others when they
    were all read surely, if the solution fits what was read of it (21)."""
    if contradicted.intersection((*equation.parts, equation.whole)):
        return None
    unknown = _one_unknown(equation, pages)
    if unknown is None or "?" not in unknown[1].text:
        return None
    ref, reading, solution, _ = unknown
    return (ref, solution) if _fits(reading.text, solution) else None


def _runner_up(
    equation: Equation, pages: Sequence[FormReadings], equations: Sequence[Equation]
) -> tuple[Ref, int] | None:
    """The one withheld figure of an equation that fails with its best reading, solved
    from the others when they were all read surely, if the solution is a figure the
    reader offered for that ink (one digit read as its runner-up: `alternatives`, at
    least RUNNER_UP_FLOOR likely), no other equation of it fails with the solution, and
    no equation that fails holds a figure that vouched."""
    unknown = _one_unknown(equation, pages)
    if unknown is None or best_figure(unknown[1]) is None:
        return None
    ref, reading, solution, known = unknown
    offered = {figure: chance for figure, chance in reading.alternatives}
    if offered.get(solution, 0.0) < RUNNER_UP_FLOOR:
        return None
    trial = _with_reading(pages, ref, reading.model_copy(update={"value": solution}))
    involved = {ref, *known}
    related = [
        other
        for other in equations
        if other != equation and involved.intersection((*other.parts, other.whole))
    ]
    if any(_holds(other, trial) is False for other in related):
        return None
    return ref, solution


def _confirmed(reading: FieldReading, name: str, figure: int | None = None) -> FieldReading:
    return reading.model_copy(
        update={
            "value": best_figure(reading) if figure is None else figure,
            "confidence": max(reading.confidence, CONFIRMED_CONFIDENCE),
            "confirmed_by": (*reading.confirmed_by, name),
        }
    )


def _with_reading(
    pages: Sequence[FormReadings], ref: Ref, reading: FieldReading
) -> tuple[FormReadings, ...]:
    out = list(pages)
    if ref[0] in ("totals", "header"):
        _, page, key = ref
        at = out[int(page)]
        if ref[0] == "totals":
            out[int(page)] = replace(at, totals={**at.totals, str(key): reading})
        else:
            out[int(page)] = replace(at, header={**at.header, str(key): reading})
        return tuple(out)
    _, page, index, key = ref
    at = out[int(page)]
    rows = list(at.candidates)
    rows[int(index)] = rows[int(index)].model_copy(update={str(key): reading})
    out[int(page)] = replace(at, candidates=tuple(rows))
    return tuple(out)


def _confirm(equation: Equation, pages: tuple[FormReadings, ...]) -> tuple[FormReadings, ...]:
    for ref in (*equation.parts, equation.whole):
        reading = _reading(pages, ref)
        if reading is not None and equation.name not in reading.confirmed_by:
            pages = _with_reading(pages, ref, _confirmed(reading, equation.name))
    return pages


def corroborate(
    pages: Sequence[FormReadings], template: Template, *, every_table_found: bool = True
) -> tuple[FormReadings, ...]:
    """The pages of one form, with every figure a holding equation vouches for accepted
    (the equations among the template's checks; see `form_equations`)."""
    current = tuple(pages)
    equations = form_equations(current, template, every_table_found=every_table_found)
    contradicted = _contradicted(equations, current)
    pending = list(equations)
    while pending:
        holding = [e for e in pending if _confirming(e, current, equations)]
        for equation in holding:
            pending.remove(equation)
            current = _confirm(equation, current)
        if holding:
            continue
        solved = [
            (e, _solved(e, current, contradicted) or _runner_up(e, current, equations))
            for e in pending
        ]
        found = [(e, s) for e, s in solved if s is not None]
        if not found:
            break
        equation, (ref, figure) = found[0]
        reading = _reading(current, ref)
        assert reading is not None
        current = _with_reading(current, ref, _confirmed(reading, equation.name, figure))
        current = _confirm(equation, current)
        pending.remove(equation)
    return current
