"""The check stage: the arithmetic invariants of a result form (domain.md 1-5, 6 in part).

Pure functions from readings to `Check`s and `Finding`s. A check whose inputs could not
be read is UNKNOWN with the reason, never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pipeline.codes import FindingCode
from pipeline.model import (
    BBox,
    CandidateRow,
    Check,
    CheckStatus,
    Evidence,
    FieldReading,
    Finding,
    finding,
)
from pipeline.templates import Template

HIGH_TURNOUT = 0.80  # FAFEN investigates stations above this turnout
# a row's columns that disagree are reported as a wrong form only when every figure was
# read at least this surely; below it the row is a reading to check (FIELD_UNREADABLE).
# The digit network's confidence is calibrated: on seed 9002 (85164a8) vote figures given
# at 0.90-0.95 were 91.9% exact, at 0.95-0.99 95.6%, at 0.99 and above 99.7%.
SURE_FIGURE = 0.99


@dataclass(frozen=True)
class FormFigures:
    """What the checks look at: a whole form's readings (all its pages)."""

    header: Mapping[str, FieldReading]
    candidates: Sequence[CandidateRow]
    totals: Mapping[str, FieldReading]
    pages_without_candidates: Sequence[int] = ()  # pages (1 = first) whose table was not found


def _int(reading: FieldReading | None) -> int | None:
    if reading is None or not isinstance(reading.value, int) or isinstance(reading.value, bool):
        return None
    return reading.value


def _as_read(reading: FieldReading | None) -> int | None:
    """The field's value, or when it was withheld, the number its text was read as."""
    if reading is None or _int(reading) is not None:
        return _int(reading)
    digits = re.sub(r"\D", "", reading.text or "")
    return int(digits) if digits else None


def _boxes(*readings: FieldReading | None) -> tuple[BBox, ...]:
    return tuple(r.bbox for r in readings if r is not None and r.bbox is not None)


def one_digit_apart(a: int, b: int) -> bool:
    """One digit changed, added or dropped: what one misread digit does to a figure."""
    return one_edit_apart(str(a), str(b))


def one_edit_apart(a: str, b: str) -> bool:
    """One character changed, added or dropped."""
    x, y = sorted((a, b), key=len)
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    return len(y) == len(x) + 1 and any(y[:i] + y[i + 1 :] == x for i in range(len(y)))


def one_digit_variants(value: int) -> set[int]:
    """Every figure one digit away from `value` (one_digit_apart of it)."""
    text, digits = str(value), "0123456789"
    out = {text[:i] + d + text[i + 1 :] for i in range(len(text)) for d in digits}
    out |= {text[:i] + text[i + 1 :] for i in range(len(text))}
    out |= {text[:i] + d + text[i:] for i in range(len(text) + 1) for d in digits}
    return {int(t) for t in out if t} - {value}


def misread_suspect(
    parts: Sequence[FieldReading], whole: FieldReading, excess: int
) -> tuple[int, int] | None:
    """Which figure of an equation that fails by `excess` (parts minus whole), read under
    SURE_FIGURE, would make it hold read one digit differently: (its index, parts
    first and the whole last, and the value it would have), or None.

    A misread changes a digit, or adds or drops one; an entry altered on the form can do
    the same, so such a mismatch goes to a person with both numbers rather than out as
    a wrong form. Differences no single misread digit explains, or figures all read
    surely, stay findings. The digits are taken as read: "010" for 1010 lost one digit
    (its value, 10, is two from 1010)."""
    for index, part in enumerate(parts):
        value = _int(part)
        if value is None or part.confidence >= SURE_FIGURE or value - excess < 0:
            continue
        if one_edit_apart(_digits_read(part, value), str(value - excess)):
            return index, value - excess
    value = _int(whole)
    if (
        value is not None
        and whole.confidence < SURE_FIGURE
        and value + excess >= 0
        and one_edit_apart(_digits_read(whole, value), str(value + excess))
    ):
        return len(parts), value + excess
    return None


def _digits_read(reading: FieldReading, value: int) -> str:
    """The figure's digits as the reader saw them, leading zeros kept ("010"); its value
    written out when the text says something else (a figure the form's sums vouched for)."""
    digits = re.sub(r"\D", "", reading.text or "")
    return digits if digits and int(digits) == value else str(value)


# the totals' equations: check name -> (the two parts, the whole), keys of `totals`
TOTALS_SUMS: dict[str, tuple[tuple[str, str], str]] = {
    "valid_plus_rejected": (("total_valid_votes", "rejected_votes"), "total_votes_polled"),
    "gender_sum": (("votes_polled_male", "votes_polled_female"), "total_votes_polled"),
}
# the header's equation: the register of voters, by sex and in all, keys of `header`
REGISTER_PARTS, REGISTER_WHOLE = (
    ("registered_voters_male", "registered_voters_female"),
    "registered_voters",
)


def candidate_total_key(row: CandidateRow) -> str:
    """Where a candidate's total valid votes are: its own column when printed, else its votes."""
    return "total_valid_votes" if row.total_valid_votes is not None else "votes"


def _candidate_total(row: CandidateRow) -> FieldReading:
    reading: FieldReading = getattr(row, candidate_total_key(row))
    return reading


def _unknown(name: str, description: str, reason: str, fields: tuple[str, ...]) -> Check:
    return Check(
        name=name, status=CheckStatus.UNKNOWN, description=description, reason=reason, fields=fields
    )


CheckResult = tuple[Check, tuple[Finding, ...]]


def best_figure(reading: FieldReading | None) -> int | None:
    """The figure a reading stands for: its value, or the best reading of a withheld
    figure when every digit of it was read ("57", or "-" for 0), else None."""
    if reading is None:
        return None
    if _int(reading) is not None:
        return _int(reading)
    if reading.value is None and reading.text.isdigit():
        return int(reading.text)
    if reading.value is None and reading.text == "-":
        return 0
    return None


def _columns_sum(row: CandidateRow) -> int | None:
    """valid + tendered + challenged of a row that prints a total column, each read or
    withheld with every digit read (its best reading)."""
    if row.total_valid_votes is None:
        return None
    parts = (row.votes, row.tendered_votes, row.challenged_votes)
    values = [best_figure(p) for p in parts if p is not None]
    if not values or None in values:
        return None
    return sum(v for v in values if v is not None)


def odd_totals(form: FormFigures) -> dict[int, int]:
    """Rows whose total cell alone disagrees with two equations that agree with each
    other: its own columns add up to X, and with X in its place the candidates add up
    to the form's total valid votes. Row index -> X. Such a cell was misread (or is a
    slip of the pen that no total depends on): a reader checks it; the form's sums hold.
    A column withheld by the digit reader counts with its best reading: the two sums
    agreeing to the unit on it is what makes the total cell the odd one."""
    totals = [_int(_candidate_total(row)) for row in form.candidates]
    expected = _int(form.totals.get("total_valid_votes"))
    if expected is None or None in totals or form.pages_without_candidates:
        return {}  # a figure unread: no row can be shown to be the only one at odds
    actual = sum(t for t in totals if t is not None)
    out = {}
    for index, row in enumerate(form.candidates):
        columns, total = _columns_sum(row), totals[index]
        if (
            columns is not None
            and total is not None
            and columns != total
            and actual - total + columns == expected
        ):
            out[index] = columns
    return out


def _odd_totalfinding(form: FormFigures, index: int, would_be: int) -> Finding:
    row = form.candidates[index]
    reading = _candidate_total(row)
    serial = row.serial.value or index + 1
    message = (
        f"candidate {serial}'s total valid votes read as {reading.value}: its columns add "
        f"up to {would_be}, and so do the candidates to the form's total valid votes with "
        f"{would_be} there. Read that figure"
    )
    evidence = Evidence(
        bbox=reading.bbox,
        boxes=_boxes(row.votes, row.tendered_votes, row.challenged_votes, reading),
        values={"serial": str(serial), "read": _int(reading), "would_be": would_be},
    )
    return finding(FindingCode.FIELD_UNREADABLE, message, evidence)


def odd_form_totals(form: FormFigures) -> dict[str, int]:
    """Form totals that both of their equations contradict while agreeing with each other
    on one figure, one digit from the reading (a misread 1 for 7, or a pen stroke that
    made it one): key -> that figure. Total valid votes: the candidates' totals and polled
    minus rejected; votes polled: valid plus rejected and men plus women. The total itself
    is read surely; the parts may be withheld figures read in full (their best reading):
    two routes landing on one figure are evidence enough that the total was misread."""
    best = {key: best_figure(reading) for key, reading in form.totals.items()}
    valid, rejected, polled = (
        best.get(k) for k in ("total_valid_votes", "rejected_votes", "total_votes_polled")
    )
    male, female = (best.get(k) for k in TOTALS_SUMS["gender_sum"][0])
    candidates = [_int(_candidate_total(row)) for row in form.candidates]
    sure_valid = _int(form.totals.get("total_valid_votes"))
    sure_polled = _int(form.totals.get("total_votes_polled"))
    out: dict[str, int] = {}
    if rejected is None:
        return out
    known = [c for c in candidates if c is not None]
    if (
        sure_valid is not None
        and polled is not None
        and candidates
        and len(known) == len(candidates)
        and not form.pages_without_candidates
    ):
        agreed = sum(known)
        if agreed == polled - rejected != sure_valid and one_digit_apart(sure_valid, agreed):
            out["total_valid_votes"] = agreed
    if sure_polled is not None and valid is not None and male is not None and female is not None:
        agreed = valid + rejected
        if agreed == male + female != sure_polled and one_digit_apart(sure_polled, agreed):
            out["total_votes_polled"] = agreed
    return out


def _odd_form_totalfinding(form: FormFigures, key: str, would_be: int) -> Finding:
    reading = form.totals[key]
    words = key.replace("_", " ")
    message = (
        f"{words} read as {reading.value}: both of its sums say {would_be}. Read that figure "
        "(misread, or altered on the form)"
    )
    evidence = Evidence(
        bbox=reading.bbox,
        boxes=_boxes(reading),
        values={"field": key, "read": _int(reading), "would_be": would_be},
    )
    return finding(FindingCode.FIELD_UNREADABLE, message, evidence)


def check_candidate_sum(form: FormFigures) -> CheckResult:
    """Invariant 1: the candidates' total valid votes add up to the form's total valid."""
    desc = "sum of candidates' total valid votes = total valid votes"
    fields = ("candidates[*].total_valid_votes", "totals.total_valid_votes")
    total = form.totals.get("total_valid_votes")
    if not form.candidates:
        return _unknown("candidate_sum", desc, "no candidate rows were read", fields), ()
    if form.pages_without_candidates:  # some candidates' rows may be on them
        pages = ", ".join(str(p) for p in form.pages_without_candidates)
        reason = f"the candidates table was not found on page {pages} of the form"
        return _unknown("candidate_sum", desc, reason, fields), ()
    values = [_int(_candidate_total(row)) for row in form.candidates]
    missing = [i for i, v in enumerate(values) if v is None]
    if missing:
        serials = ", ".join(str(form.candidates[i].serial.value or i + 1) for i in missing)
        return _unknown(
            "candidate_sum", desc, f"unreadable figures for candidates {serials}", fields
        ), ()
    if _int(total) is None:
        return _unknown("candidate_sum", desc, "total valid votes unreadable", fields), ()
    actual = sum(v for v in values if v is not None)
    expected = _int(total)
    assert expected is not None and total is not None
    if actual == expected:
        return Check(
            name="candidate_sum",
            status=CheckStatus.PASS,
            description=desc,
            expected=expected,
            actual=actual,
            fields=fields,
        ), ()
    if "total_valid_votes" in (odd_form := odd_form_totals(form)):
        would_be = odd_form["total_valid_votes"]
        reason = f"total valid votes read as {expected}, both of its sums say {would_be}"
        return _unknown("candidate_sum", desc, reason, fields), (
            _odd_form_totalfinding(form, "total_valid_votes", would_be),
        )
    figures = [_candidate_total(row) for row in form.candidates]
    evidence = Evidence(
        bbox=total.bbox,
        boxes=_boxes(total, *figures),
        values={
            "sum_of_candidates": actual,
            "total_valid_votes": expected,
            "difference": actual - expected,
        },
    )
    if odd := odd_totals(form):
        reason = f"candidates add up to {actual}, the form says {expected}: one row's total"
        return _unknown("candidate_sum", desc, reason, fields), tuple(
            _odd_totalfinding(form, i, v) for i, v in sorted(odd.items())
        )
    restored = _valid_restored_by_polled(form)
    if restored is not None:  # that check names the figure for a reader
        reason = (
            f"candidates add up to {actual}, the form says {expected}: total valid votes, "
            f"read unsurely, would make valid + rejected = polled hold as {restored}"
        )
        return _unknown("candidate_sum", desc, reason, fields), ()
    suspect = misread_suspect(figures, total, actual - expected)
    if suspect is not None:
        index, would_be = suspect
        where = (
            "total valid votes"
            if index == len(figures)
            else f"candidate {form.candidates[index].serial.value or index + 1}'s figure"
        )
        reading = total if index == len(figures) else figures[index]
        reason = (
            f"candidates add up to {actual}, the form says {expected}: {where}, read "
            f"unsurely as {reading.value}, would make it hold as {would_be}"
        )
        return _unknown("candidate_sum", desc, reason, fields), (
            finding(
                FindingCode.FIELD_UNREADABLE,
                reason,
                evidence.model_copy(
                    update={
                        "bbox": reading.bbox,
                        "values": {**evidence.values, "unsure_figure": where, "would_be": would_be},
                    }
                ),
            ),
        )
    check = Check(
        name="candidate_sum",
        status=CheckStatus.FAIL,
        description=desc,
        expected=expected,
        actual=actual,
        fields=fields,
    )
    return check, (
        finding(
            FindingCode.CANDIDATE_SUM_MISMATCH,
            f"candidates add up to {actual}, the form says {expected} valid votes",
            evidence,
        ),
    )


def _valid_restored_by_polled(form: FormFigures) -> int | None:
    """The total valid votes that valid + rejected = polled says, when the total valid
    was read unsurely and one misread digit of it explains that sum failing."""
    (valid_key, rejected_key), polled_key = TOTALS_SUMS["valid_plus_rejected"]
    valid, rejected, polled = (form.totals.get(k) for k in (valid_key, rejected_key, polled_key))
    if valid is None or rejected is None or polled is None:
        return None
    va, vr, vp = _int(valid), _int(rejected), _int(polled)
    if va is None or vr is None or vp is None or va + vr == vp:
        return None
    suspect = misread_suspect((valid, rejected), polled, va + vr - vp)
    return suspect[1] if suspect is not None and suspect[0] == 0 else None


def _form_sums_hold(form: FormFigures) -> bool:
    """Every candidate's total read, adding up to the form's total valid votes, and
    valid plus rejected to the votes polled."""
    rows = [_int(_candidate_total(row)) for row in form.candidates]
    valid, rejected, polled = (
        _int(form.totals.get(k))
        for k in ("total_valid_votes", "rejected_votes", "total_votes_polled")
    )
    if not rows or valid is None or rejected is None or polled is None:
        return False
    if form.pages_without_candidates:
        return False
    read = [v for v in rows if v is not None]
    return len(read) == len(rows) and sum(read) == valid and valid + rejected == polled


def check_candidate_columns(
    form: FormFigures, printed: frozenset[str] | None = None
) -> CheckResult:
    """Invariant 2: per candidate, valid + tendered + challenged = total valid.

    A row that disagrees with a figure read under SURE_FIGURE is a reading for a person to
    check (FIELD_UNREADABLE), not a claim that the form is wrong.

    `printed`: the vote columns the template says the form prints; one of them without
    a reading was not found on the page, and the row is unknown, not summed without it."""
    desc = "per candidate: valid + tendered + challenged = total valid"
    fields = (
        "candidates[*].votes",
        "candidates[*].tendered_votes",
        "candidates[*].challenged_votes",
        "candidates[*].total_valid_votes",
    )
    rows = [r for r in form.candidates if r.total_valid_votes is not None]
    if not rows:
        return _unknown(
            "candidate_columns", desc, "the form has no per-candidate total column", fields
        ), ()
    findings: list[Finding] = []
    unknown: list[str] = []
    doubtful: list[str] = []
    odd = odd_totals(form)
    # the form's sums hold: a row whose columns disagree with its total has a column
    # misread, or a slip of the pen that no total depends on; a reading to check, not a
    # wrong form. (Totals altered to agree while a column kept the old figure break the
    # polled sum, unless that was altered too: the row is still put to a reader.)
    totals_hold = _form_sums_hold(form)
    for row in rows:
        parts = [row.votes, row.tendered_votes, row.challenged_votes]
        # A column the form does not print is None; a printed column whose figure was
        # withheld has a reading with no value: the row is then unknown, never summed as 0.
        values = [_int(p) for p in parts if p is not None]
        total = _int(row.total_valid_votes)
        serial = str(row.serial.value or "?")
        unlocated = printed is not None and any(
            part is None and key in printed
            for key, part in zip(
                ("votes", "tendered_votes", "challenged_votes"), parts, strict=True
            )
        )
        if total is None or None in values or unlocated:
            unknown.append(serial)
            continue
        got = sum(v for v in values if v is not None)
        if got == total:
            continue
        figures = [p for p in (*parts, row.total_valid_votes) if p is not None]
        unsure = min(f.confidence for f in figures) < SURE_FIGURE
        evidence = Evidence(
            bbox=row.row_bbox,
            boxes=_boxes(*parts, row.total_valid_votes),
            values={"serial": serial, "sum_of_columns": got, "total_valid_votes": total},
        )
        index = next(i for i, r in enumerate(form.candidates) if r is row)
        if index in odd:  # the total cell alone disagrees: a reading to check
            doubtful.append(serial)
            findings.append(_odd_totalfinding(form, index, odd[index]))
            continue
        if totals_hold:  # the total agrees with the form's sum: its columns are to read
            doubtful.append(serial)
            findings.append(
                finding(
                    FindingCode.FIELD_UNREADABLE,
                    f"candidate {serial}: columns read as adding up to {got}, but its total "
                    f"{total} is what the candidates' totals add up to the form's total valid "
                    "votes with: read the columns",
                    evidence,
                )
            )
            continue
        # as likely a misread as a wrong form, a person reads the row: a figure read
        # unsurely, or the row's two copies of one number (nothing tendered or
        # challenged) one digit apart, what one misread digit does even read surely
        # (seed 9002 at 6184fa0: all 21 rows so flagged on forms without such an error)
        one_digit = one_digit_apart(got, total)
        if unsure or one_digit:
            doubtful.append(serial)
            why = "some of them unsurely" if unsure else "one digit apart"
            findings.append(
                finding(
                    FindingCode.FIELD_UNREADABLE,
                    f"candidate {serial}: columns read as adding up to {got}, total valid "
                    f"read as {total}, {why}: read the row",
                    evidence,
                )
            )
            continue
        findings.append(
            finding(
                FindingCode.CANDIDATE_COLUMNS_MISMATCH,
                f"candidate {serial}: columns add up to {got}, total valid says {total}",
                evidence,
            )
        )
    mismatches = len(findings) - len(doubtful)
    if mismatches:
        return Check(
            name="candidate_columns",
            status=CheckStatus.FAIL,
            description=desc,
            fields=fields,
            reason=f"{mismatches} candidate(s) disagree",
        ), tuple(findings)
    if doubtful:
        return _unknown(
            "candidate_columns",
            desc,
            f"figures that disagree were read unsurely for candidates {', '.join(doubtful)}",
            fields,
        ), tuple(findings)
    if unknown:
        return _unknown(
            "candidate_columns",
            desc,
            f"unreadable figures for candidates {', '.join(unknown)}",
            fields,
        ), ()
    return Check(
        name="candidate_columns", status=CheckStatus.PASS, description=desc, fields=fields
    ), ()


def _sum_check(
    form: FormFigures,
    *,
    name: str,
    code: FindingCode,
    desc: str,
    parts: tuple[str, str],
    whole: str,
    words: tuple[str, str, str],
    section: str = "totals",
    sure_only: bool = False,
) -> CheckResult:
    """parts[0] + parts[1] = whole among the fields of `section` ("totals" or "header").
    With `sure_only` (the register, which no second equation checks), a mismatch with a
    figure read under SURE_FIGURE, or one digit apart (what one misread digit does, read
    surely or not), is unknown (a person reads the three), not a finding."""
    fields_of = form.totals if section == "totals" else form.header
    a, b, total = (fields_of.get(parts[0]), fields_of.get(parts[1]), fields_of.get(whole))
    fields = tuple(f"{section}.{k}" for k in (*parts, whole))
    if a is None and b is None:
        return _unknown(name, desc, f"the form has no {parts[0]} / {parts[1]} fields", fields), ()
    va, vb, vt = _int(a), _int(b), _int(total)
    if va is None or vb is None or vt is None:
        unreadable = [k for k, v in zip((*parts, whole), (va, vb, vt), strict=True) if v is None]
        return _unknown(name, desc, f"unreadable: {', '.join(unreadable)}", fields), ()
    if va + vb == vt:
        return Check(
            name=name,
            status=CheckStatus.PASS,
            description=desc,
            expected=vt,
            actual=va + vb,
            fields=fields,
        ), ()
    assert a is not None and b is not None and total is not None
    odd = odd_form_totals(form) if section == "totals" else {}
    if odd.keys() & {*parts, whole}:
        key = next(k for k in (*parts, whole) if k in odd)
        reason = f"{key} read as {_int(fields_of[key])}, both of its sums say {odd[key]}"
        # said once, by the first of the sums whose whole it is
        first = next(n for n, (_, w) in TOTALS_SUMS.items() if w == key) if key == whole else ""
        found = (_odd_form_totalfinding(form, key, odd[key]),) if name == first else ()
        return _unknown(name, desc, reason, fields), found
    evidence = Evidence(
        bbox=total.bbox,
        boxes=_boxes(a, b, total),
        values={parts[0]: va, parts[1]: vb, whole: vt, "difference": va + vb - vt},
    )
    suspect = misread_suspect((a, b), total, va + vb - vt)
    if suspect is not None:
        index, would_be = suspect
        reading = (a, b, total)[index]
        reason = (
            f"{words[0]} {va} + {words[1]} {vb} = {va + vb}, {words[2]} {vt}: "
            f"{words[index]}, read unsurely as {reading.value}, would make it hold as {would_be}"
        )
        values = {**evidence.values, "unsure_figure": (*parts, whole)[index], "would_be": would_be}
        return _unknown(name, desc, reason, fields), (
            finding(
                FindingCode.FIELD_UNREADABLE,
                reason,
                evidence.model_copy(update={"bbox": reading.bbox, "values": values}),
            ),
        )
    unsure = [w for w, r in zip(words, (a, b, total), strict=True) if r.confidence < SURE_FIGURE]
    if len(unsure) >= 2 and not sure_only:  # each may be a misread digit off: none to blame
        reason = (
            f"{words[0]} {va} + {words[1]} {vb} = {va + vb}, {words[2]} {vt}: "
            f"{' and '.join(unsure)} read unsurely"
        )
        values = {**evidence.values, "unsure_figures": ", ".join(unsure)}
        return _unknown(name, desc, reason, fields), (
            finding(
                FindingCode.FIELD_UNREADABLE, reason, evidence.model_copy(update={"values": values})
            ),
        )
    if sure_only and min(r.confidence for r in (a, b, total)) < SURE_FIGURE:
        reason = f"{words[0]} {va} + {words[1]} {vb} = {va + vb}, {words[2]} {vt}, read unsurely"
        return _unknown(name, desc, reason, fields), ()
    if sure_only and one_digit_apart(va + vb, vt):
        reason = f"{words[0]} {va} + {words[1]} {vb} = {va + vb}, {words[2]} {vt}: one digit apart"
        return _unknown(name, desc, reason, fields), ()
    message = f"{words[0]} {va} + {words[1]} {vb} = {va + vb}, but {words[2]} is {vt}"
    return (
        Check(
            name=name,
            status=CheckStatus.FAIL,
            description=desc,
            expected=vt,
            actual=va + vb,
            fields=fields,
        ),
        (finding(code, message, evidence),),
    )


def check_valid_plus_rejected(form: FormFigures) -> CheckResult:
    """Invariant 3: total valid + excluded = total votes polled."""
    return _sum_check(
        form,
        name="valid_plus_rejected",
        code=FindingCode.POLLED_SUM_MISMATCH,
        desc="total valid + rejected = total votes polled",
        parts=TOTALS_SUMS["valid_plus_rejected"][0],
        whole=TOTALS_SUMS["valid_plus_rejected"][1],
        words=("valid", "rejected", "total polled"),
    )


def check_gender_sum(form: FormFigures) -> CheckResult:
    """Invariant 4: men's + women's votes polled = total votes polled."""
    return _sum_check(
        form,
        name="gender_sum",
        code=FindingCode.GENDER_SUM_MISMATCH,
        desc="votes polled by men + by women = total votes polled",
        parts=TOTALS_SUMS["gender_sum"][0],
        whole=TOTALS_SUMS["gender_sum"][1],
        words=("men", "women", "total polled"),
    )


def check_registered_sum(form: FormFigures) -> CheckResult:
    """Invariant 4b: registered men + registered women = registered voters (a mismatch
    read unsurely is unknown, not an error)."""
    return _sum_check(
        form,
        name="registered_sum",
        code=FindingCode.REGISTERED_SUM_MISMATCH,
        desc="registered men + registered women = registered voters",
        parts=REGISTER_PARTS,
        whole=REGISTER_WHOLE,
        words=("registered men", "women", "registered voters"),
        section="header",
        sure_only=True,
    )


def _register_in_doubt(form: FormFigures, registered: int) -> str | None:
    """Why the registered-voters reading cannot be trusted against its own parts, if so.
    A part withheld as unsure still says what it was read as: "782" beside a total read
    as "124" (for 1244) puts the total in doubt."""
    read = [_as_read(form.header.get(k)) for k in REGISTER_PARTS]
    if any(v is not None and v > registered for v in read):
        return f"registered voters read as {registered}, fewer than one sex's register alone"
    parts = {k: _int(form.header.get(k)) for k in REGISTER_PARTS}
    known = [v for v in parts.values() if v is not None]
    if len(known) == len(parts) and sum(known) != registered:
        return f"registered voters read as {registered}, not men + women registered"
    return None


def _polled_in_doubt(form: FormFigures, polled: int) -> str | None:
    """Why the votes-polled reading cannot be trusted, if a sum it is the whole of says
    it was misread (`misread_suspect`: read unsurely, and one digit read otherwise makes
    the sum hold): seed 9022's GBA-11_ps111, "7344" read at 0.97 beside valid 1333 and
    rejected 11. That sum asks a person to read it (FIELD_UNREADABLE); a turnout of 330%
    from it is no finding of its own."""
    whole = form.totals.get("total_votes_polled")
    sums = []  # each sum read whole: its parts, their readings and their sum
    for parts, _ in TOTALS_SUMS.values():
        a, b = (form.totals.get(k) for k in parts)
        va, vb = _int(a), _int(b)
        if a is not None and b is not None and va is not None and vb is not None:
            sums.append((parts, (a, b), va + vb))
    if whole is None or any(added == polled for _, _, added in sums):
        return None  # a sum that holds vouches for the reading
    for (first, second), readings, added in sums:
        suspect = misread_suspect(readings, whole, added - polled)
        if suspect is not None and suspect[0] == len(readings):
            return f"votes polled read as {polled}, {first} + {second} say {suspect[1]}"
    return None


def check_turnout(form: FormFigures) -> CheckResult:
    """Invariant 5: votes polled <= registered voters (and flag turnout above 80%)."""
    desc = "total votes polled <= registered voters"
    fields = ("totals.total_votes_polled", "header.registered_voters")
    polled, registered = form.totals.get("total_votes_polled"), form.header.get("registered_voters")
    vp, vr = _int(polled), _int(registered)
    if vp is None or vr is None:
        missing = [
            k for k, v in (("total_votes_polled", vp), ("registered_voters", vr)) if v is None
        ]
        return _unknown("turnout", desc, f"unreadable: {', '.join(missing)}", fields), ()
    doubt = _register_in_doubt(form, vr) or _polled_in_doubt(form, vp)
    if "total_votes_polled" in (odd := odd_form_totals(form)):
        doubt = f"votes polled read as {vp}, both of its sums say {odd['total_votes_polled']}"
    if doubt is not None:
        return _unknown("turnout", desc, doubt, fields), ()
    turnout = vp / vr if vr > 0 else float("inf")
    evidence = Evidence(
        bbox=polled.bbox if polled else None,
        boxes=_boxes(polled, registered),
        values={
            "total_votes_polled": vp,
            "registered_voters": vr,
            "turnout": round(turnout, 4) if vr > 0 else None,
        },
    )
    if vp > vr:
        return (
            Check(
                name="turnout",
                status=CheckStatus.FAIL,
                description=desc,
                expected=vr,
                actual=vp,
                fields=fields,
            ),
            (
                finding(
                    FindingCode.TURNOUT_OVER_100,
                    f"{vp} votes polled but only {vr} registered voters (turnout {turnout:.0%})",
                    evidence,
                ),
            ),
        )
    findings: tuple[Finding, ...] = ()
    if turnout > HIGH_TURNOUT:
        findings = (
            finding(
                FindingCode.TURNOUT_HIGH,
                f"turnout {turnout:.0%} ({vp} of {vr} registered)",
                evidence,
            ),
        )
    return Check(
        name="turnout",
        status=CheckStatus.PASS,
        description=desc,
        expected=vr,
        actual=vp,
        fields=fields,
    ), findings


def check_required_fields(form: FormFigures, template: Template) -> CheckResult:
    """Invariant 6 (fields): every field the template requires was read."""
    desc = "required header and totals fields present"
    missing = [
        f"header.{spec.key}"
        for spec in template.header
        if spec.required
        and (form.header.get(spec.key) is None or form.header[spec.key].value is None)
    ]
    missing += [
        f"totals.{spec.key}"
        for spec in template.totals
        if spec.required
        and (form.totals.get(spec.key) is None or form.totals[spec.key].value is None)
    ]
    if not missing:
        return Check(name="required_fields", status=CheckStatus.PASS, description=desc), ()
    return (
        Check(
            name="required_fields",
            status=CheckStatus.FAIL,
            description=desc,
            fields=tuple(missing),
            reason=f"not read: {', '.join(missing)}",
        ),
        (
            finding(
                FindingCode.REQUIRED_FIELD_MISSING,
                f"required fields not found or unreadable: {', '.join(missing)}",
                Evidence(values={"missing": ", ".join(missing)}),
            ),
        ),
    )


_CHECKS: dict[str, Callable[[FormFigures], CheckResult]] = {
    "candidate_sum": check_candidate_sum,
    "candidate_columns": check_candidate_columns,
    "valid_plus_rejected": check_valid_plus_rejected,
    "gender_sum": check_gender_sum,
    "registered_sum": check_registered_sum,
    "turnout": check_turnout,
}


def check_form(
    form: FormFigures, template: Template
) -> tuple[tuple[Check, ...], tuple[Finding, ...]]:
    """Run every check the template names; return the checks and their findings."""
    checks: list[Check] = []
    findings: list[Finding] = []
    for name in template.checks:
        if name == "required_fields":
            check, found = check_required_fields(form, template)
        elif name == "candidate_columns" and template.candidates is not None:
            printed = frozenset(c.key for c in template.candidates.columns)
            check, found = check_candidate_columns(form, printed)
        else:
            check, found = _CHECKS[name](form)
        checks.append(check)
        findings.extend(found)
    return tuple(checks), tuple(findings)
