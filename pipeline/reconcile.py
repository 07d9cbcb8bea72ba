"""Reconciliation: station forms (Form 45) against the constituency aggregate (Form 47).

Pure functions over results. Stations are grouped by constituency and polling station
number; copies of one station are compared with each other (COPY_DIVERGENCE,
FIGURES_SWAPPED); each Form 47 candidate total is compared with the sum over the
stations (FORM47_MISMATCH, with the stations behind the sum); the station count and
the rejected votes against the winning margin are checked.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from pipeline.codes import FindingCode
from pipeline.model import CandidateRow, Evidence, FieldReading, Finding, FormResult, finding
from pipeline.stages.check import (
    SURE_FIGURE,
    one_digit_apart,
    one_digit_variants,
    one_edit_apart,
)
from pipeline.stages.labels import similarity
from pipeline.stages.read import ASSEMBLIES

WEAK_CODE = 0.5  # a constituency code read under this is not trusted over the name
NAME_SUPPORT = 2  # forms that must read a name with one code before the name decides
NAME_SHARE = 2 / 3  # ... and the share of that name's forms that read that code
ASSEMBLY = re.compile(rf"\s*({ASSEMBLIES})", re.IGNORECASE)
NUMERAL = re.compile(r"x{0,3}(ix|iv|v?i{0,3})")  # a seat's number in a name, casefolded


class ReconciledFinding(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituency: str
    polling_station_number: int | None = None
    forms: list[str]
    finding: Finding


class ConstituencySummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituency: str
    form45_stations: int
    form45_pages: int
    form47_present: bool
    form47_stations: int | None = None
    candidates: dict[str, dict[str, int | None]] = Field(default_factory=dict)


class Reconciliation(BaseModel):
    model_config = ConfigDict(frozen=True)
    constituencies: list[ConstituencySummary]
    findings: list[ReconciledFinding]
    unplaced: list[str] = Field(
        default_factory=list,
        description="Form 45s whose constituency could not be read (neither code nor name): "
        "any Form 47 may be missing them",
    )


def _value(field: FieldReading | None) -> int | None:
    if field is None or not isinstance(field.value, int):
        return None
    return field.value


@dataclass(frozen=True)
class Vote:
    """One candidate's figure on one form, as reconciliation uses it."""

    value: int | None
    name: str
    sure: bool  # read at SURE_FIGURE or better, or vouched for by the form's sums
    page: str = ""  # "path#page" of the page its row is on


def _vote(row: CandidateRow, page: str = "") -> Vote:
    """A handwritten figure is sure when its own form's sums vouch for it (a misread can
    be read at 0.99 too: the form's sums are what catch it); a printed one, read surely."""
    field = row.total_valid_votes if row.total_valid_votes is not None else row.votes
    value = _value(field)
    sure = (
        value is not None
        and field is not None
        and field.confidence >= SURE_FIGURE
        and (field.source != "handwritten" or bool(field.confirmed_by))
    )
    return Vote(value, str(row.name.value or "").casefold(), sure, page)


def _key(row: CandidateRow, fallback: int) -> str:
    serial = _value(row.serial)
    return str(serial) if serial is not None else f"row{fallback}"


def candidate_votes(result: FormResult) -> dict[str, tuple[int | None, str]]:
    """Serial -> (votes, name) on one form."""
    return {key: (vote.value, vote.name) for key, vote in _page_votes(result) if key is not None}


def _page_votes(result: FormResult) -> list[tuple[str, Vote]]:
    page = _where(result)
    return [(_key(row, i), _vote(row, page)) for i, row in enumerate(result.candidates)]


def same_candidate(a: str, b: str) -> bool:
    """Names that OCR read slightly differently still match."""
    return not a or not b or similarity(a, b) > 0.7


def _where(result: FormResult) -> str:
    return f"{result.source.path}#{result.source.page}"


def _text(field: FieldReading | None) -> str | None:
    if field is None or field.value is None:
        return None
    return "".join(str(field.value).split()).casefold() or None


@dataclass(frozen=True)
class _Identity:
    code: str | None  # the constituency code as read
    weak: bool  # not read (derived from elsewhere, or too unsure to trust)
    name: str | None  # the constituency's name, normalised
    label: str | None = None  # the name as read
    withheld: str = ""  # the digits of a code read too unsurely to be given ("NAC130": 130)
    assembly: str = ""  # ... and the assembly it begins with ("PK?": PK)


@dataclass(frozen=True, slots=True)
class _Page:
    """What grouping needs of a page: where it is, its form type, its constituency as read
    (a few hundred bytes, where the page's result is tens of kilobytes)."""

    index: int  # in the results
    path: str
    page: int
    sha256: str
    type: str
    identity: _Identity  # this page's alone (code None: not on this page)

    @property
    def where(self) -> str:
        return f"{self.path}#{self.page}"


def _page(index: int, result: FormResult) -> _Page:
    code_field = result.header.get("constituency")
    name_field = result.header.get("constituency_name")
    name = _text(name_field)
    code = str(code_field.value) if code_field is not None and _text(code_field) else None
    identity = _Identity(
        code=code,
        weak=code_field is None
        or code_field.source == "derived"
        or code_field.confidence < WEAK_CODE,
        name=name,
        label=str(name_field.value) if name_field is not None and name is not None else None,
        withheld=_digits(code_field.text) if code_field is not None and code is None else "",
        assembly=_assembly(code_field.text) if code_field is not None and code is None else "",
    )
    source = result.source
    return _Page(index, source.path, source.page, source.sha256, result.form.type, identity)


def _digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isdecimal())


def _assembly(text: str | None) -> str:
    """The assembly a code read too unsurely to be given begins with ("PK?", "PK": PK), or
    "" ("PRT")."""
    found = ASSEMBLY.match(text or "")
    return found.group(1).upper() if found else ""


def _identity(pages: list[_Page]) -> _Identity:
    """A form's: the code of its first page that reads one, the name likewise."""
    coded = next((p.identity for p in pages if p.identity.code is not None), None)
    named = next((p.identity for p in pages if p.identity.name is not None), None)
    name, label = (named.name, named.label) if named is not None else (None, None)
    if coded is None:
        withheld = next((p.identity.withheld for p in pages if p.identity.withheld), "")
        assembly = next((p.identity.assembly for p in pages if p.identity.assembly), "")
        return _Identity(None, True, name, label, withheld, assembly)
    return _Identity(coded.code, coded.weak, name, label)


def _codes_by_name(identities: Sequence[_Identity]) -> dict[str, Counter[str]]:
    """Constituency name -> how many forms bearing it surely read each code."""
    by_name: dict[str, Counter[str]] = defaultdict(Counter)
    for identity in identities:
        if identity.name is not None and identity.code is not None and not identity.weak:
            by_name[identity.name][identity.code] += 1
    return by_name


def _by_withheld_code(identity: _Identity, by_name: dict[str, Counter[str]]) -> str | None:
    """Of the codes a shared name is read with, the one whose number and assembly the
    form's withheld code reads, as far as it reads them (seed 9004: NA-130's Form 47, its
    code read "NAC130" and withheld, its name "Karachi-VIII" also NA-144's; grouped under
    the name, it counted no station; seed 9009's PK-7 forms, "PK?", their name PP-54's)."""
    if not (identity.withheld or identity.assembly) or identity.name is None:
        return None
    fits = [
        c
        for c in by_name.get(identity.name, ())
        if _digits(c) == (identity.withheld or _digits(c))
        and _prefix(c) == (identity.assembly or _prefix(c))
    ]
    return fits[0] if len(fits) == 1 else None


def _of_another_seat(identity: _Identity, named: str, by_name: dict[str, Counter[str]]) -> bool:
    """Whether a form's unread code begins with another assembly than `named`'s, and a
    seat bearing the form's name is of it or the code's digits read are not `named`'s
    (seed 9006's NA-121_ps233, "Mardan-XII" read "Mardan-XIII", PP-43's, its code "NA?21")."""
    if identity.assembly in ("", _prefix(named)):
        return False
    shared = by_name.get(identity.name or "", Counter())
    other_digits = bool(identity.withheld) and identity.withheld != _digits(named)
    return other_digits or any(_prefix(code) == identity.assembly for code in shared)


def _name_codes(
    by_name: dict[str, Counter[str]], names: dict[str, set[str]], seats: frozenset[str]
) -> dict[str, tuple[str, int]]:
    """Constituency name -> the code most forms bearing that name were read with, and how
    many did. Names repeat across assemblies (a National and a Provincial constituency
    may both be "Hyderabad-VI"): a name whose forms are split between codes maps to none,
    but for codes that are the main one misread (`_misreadings`)."""
    out: dict[str, tuple[str, int]] = {}
    for name, codes in by_name.items():
        code, count = codes.most_common(1)[0]
        misread = sum(codes[c] for c in _misreadings(code, name, by_name, names, seats))
        if count >= NAME_SUPPORT and count + misread >= NAME_SHARE * codes.total():
            out[name] = (code, count)
    return out


def _named_otherwise(code: str, name: str, by_name: dict[str, Counter[str]]) -> bool:
    """Whether the forms reading this code mostly bear a name far from this one (not a
    letter apart, as "Mardan-XII" and "Mardan-XIII" are): the code is that constituency's,
    this form's is misread (seed 9006's NA-121_ps154, "Mardan-XII" read surely, its code
    "NA21" read as NA-21, whose forms all name Peshawar-VII)."""
    bearing = Counter({other: codes[code] for other, codes in by_name.items() if codes[code]})
    if not bearing or not name:
        return False
    main = bearing.most_common(1)[0][0]
    return main != name and not one_edit_apart(main, name)


def _names_by_code(by_name: dict[str, Counter[str]]) -> dict[str, set[str]]:
    """Code -> the names forms reading it surely bear."""
    names: dict[str, set[str]] = defaultdict(set)
    for name, codes in by_name.items():
        for code in codes:
            names[code].add(name)
    return names


def _misreadings(
    code: str,
    name: str,
    by_name: dict[str, Counter[str]],
    names: dict[str, set[str]],
    seats: frozenset[str],
) -> set[str]:
    """Codes read with this name that are its main code misread: one character from it,
    by fewer forms, and read with no other name (seed 9006: Lahore-III's NA-31 read
    "NA-81" on three of its eight forms, no form naming another place NA-81; its Form 47
    then counted three stations missing and summed without them). A code a Form 47 reads
    surely (`seats`) is a constituency's own, not another's misread: seed 9060's NA-143
    and NA-145, both "Karachi-XIV", 9 forms and 10, each with its Form 47, were taken for
    one and both Form 47s accused of miscounting."""
    codes = by_name.get(name, Counter())
    return {
        other
        for other in codes
        if other != code
        and codes[other] < codes[code]
        and one_edit_apart(other, code)
        and names[other] == {name}
        and other not in seats
    }


def _known_name(
    name: str | None, name_codes: dict[str, tuple[str, int]], by_name: dict[str, Counter[str]]
) -> str:
    """The name as read, or the one name that maps to a code it is a letter from (seed
    9002's "Bahawaipur-IV" for "Bahawalpur-IV", on a form whose code was not read). A
    name other forms bear with a code read surely is a constituency's own, not another's
    misread, though it maps to no code (two seats share it): "Bahawalpur-III" is a letter
    from "Bahawalpur-XII" (seed 9009: GBA-1's and PP-57's forms, their codes unread, were
    counted as NA-83's stations, its Form 47 accused of counting too few)."""
    if not name or name in name_codes or name in by_name:
        return name or ""
    near = [
        known
        for known in name_codes
        if one_edit_apart(name, known) and not _other_numerals(name, known)
    ]
    return near[0] if len(near) == 1 else name


def _other_numerals(name: str, other: str) -> bool:
    """Whether two names end in two different Roman numerals, each well formed: two
    seats of one district ("Karachi-VII", "Karachi-VIII"), not a misreading ("Gilgit-VIN")."""
    mine, theirs = name.rpartition("-")[2], other.rpartition("-")[2]
    return mine != theirs and all(NUMERAL.fullmatch(n) for n in (mine, theirs))


def _prefix(code: str) -> str:
    return code.split("-")[0]


def _form_groups(pages: Sequence[_Page]) -> dict[str, list[list[_Page]]]:
    """Constituency -> forms (each a list of its pages, in page order), from the pages in
    the order of their files' names and pages.

    A form is grouped under the code its header reads, unless that code looks misread
    and the constituency's name says which it is: the name is a dozen characters, the
    code five, and a misread code takes a form out of its constituency (its Form 47 then
    counts a station missing and sums without it). The name decides where the form's
    code is missing; where it is weak (derived from the stamp, or barely read) and not
    of another assembly than the name's code; and where it is read surely but one
    character away from the name's code and borne by at most a third as many forms.
    A name maps to a code only when most forms bearing it read that code; a name read
    one letter off the only such name within a letter maps as it does. A form with no
    code and a name that maps to none goes under the one code of that name whose number
    its withheld code reads, else under the name as read; one with neither is under ""
    (unplaced).
    """
    forms: dict[tuple[str, str], list[_Page]] = defaultdict(list)
    for page in pages:
        forms[(page.sha256, page.path)].append(page)
    pages_of = list(forms.values())
    for form in pages_of:
        form.sort(key=lambda p: p.page)
    identities = [_identity(form) for form in pages_of]
    by_name = _codes_by_name(identities)
    names = _names_by_code(by_name)
    seats = frozenset(
        i.code
        for form, i in zip(pages_of, identities, strict=True)
        if form[0].type == "form47" and i.code is not None and not i.weak
    )
    name_codes = _name_codes(by_name, names, seats)
    code_counts = Counter(i.code for i in identities if i.code is not None)
    prefixes = {_prefix(i.code) for i in identities if i.code is not None and not i.weak}
    by_constituency: dict[str, list[list[_Page]]] = defaultdict(list)
    for form, identity in zip(pages_of, identities, strict=True):
        named, support = name_codes.get(_known_name(identity.name, name_codes, by_name), (None, 0))
        code = identity.code
        if code is None:
            # a name two seats share maps to one; the code's assembly, when read, may
            # say it is the other's (seed 9009: PK-7's forms, "PK?", "Karachi-VII", were
            # counted as PP-54's stations); an assembly no seat of that name is of is
            # misread ("PS" for PK-56's "Sukkur-II")
            if named is not None and _of_another_seat(identity, named, by_name):
                named = None
            code = named or _by_withheld_code(identity, by_name) or identity.label
        elif named is not None and code != named:
            if identity.weak:
                misread = _prefix(code) == _prefix(named) or _prefix(code) not in prefixes
            else:
                misread = one_edit_apart(code, named) and 3 * code_counts[code] <= support
                misread = misread and code not in seats  # a seat's own Form 47 reads it
                known = identity.name or ""
                misread = misread or code in _misreadings(named, known, by_name, names, seats)
                misread = misread or (
                    one_edit_apart(code, named) and _named_otherwise(code, known, by_name)
                )
            code = named if misread else code
        by_constituency[code or ""].append(form)
    return by_constituency


def _astray(groups: dict[str, list[list[_Page]]]) -> dict[str, int]:
    """Codes under which Form 45s but no Form 47 were found, and how many Form 45s: a
    code misread on a form whose constituency's name could not correct it (not read, or
    shared by two seats)."""
    out = {}
    for code, forms in groups.items():
        types = {form[0].type for form in forms}
        if "form47" not in types and "form45" in types:
            out[code] = sum(form[0].type == "form45" for form in forms)
    return out


def _merged_votes(pages: list[FormResult]) -> dict[str, Vote]:
    """Serial -> vote over a form's pages. A serial read on two rows of one form (a
    misread "11" as "1") is left out: which row it names is not known."""
    votes: dict[str, Vote] = {}
    seen: Counter[str] = Counter()
    for page in pages:
        for key, vote in _page_votes(page):
            votes[key] = vote
            seen[key] += 1
    return {key: vote for key, vote in votes.items() if seen[key] == 1}


def _station_votes(copies: list[list[FormResult]]) -> dict[str, Vote]:
    """Serial -> vote for one station over its copies: the first copy's, except where it
    was not read, or read unsurely and a later copy reads surely a figure one digit from
    it (the same count, misread on the first). Copies further apart are two different
    counts (COPY_DIVERGENCE): the first stands."""
    votes = _merged_votes(copies[0])
    for other in copies[1:]:
        for key, vote in _merged_votes(other).items():
            mine = votes.get(key)
            if vote.value is None:
                continue
            misread = (
                mine is not None
                and mine.value is not None
                and vote.sure
                and not mine.sure
                and one_digit_apart(mine.value, vote.value)
            )
            if mine is None or mine.value is None or misread:
                votes[key] = vote
    return votes


def _swapped_pairs(differing: dict[str, tuple[int, int]]) -> list[tuple[str, str]]:
    keys = sorted(differing)
    return [
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if differing[a] == differing[b][::-1]
    ]


def _pages_of(
    keys: set[str], copies: tuple[list[FormResult], list[FormResult]], votes: list[dict[str, Vote]]
) -> list[str]:
    """The page of each copy where the first of these candidates' rows is (a form of two
    pages: the row's page, not the header's), its first page if not known."""
    first = min(keys, key=lambda k: (len(k), k))
    return [v[first].page or _where(c[0]) for c, v in zip(copies, votes, strict=True)]


def _copyfinding(
    where: tuple[str, int, list[str]],
    finding_code: FindingCode,
    differing: dict[str, tuple[int, int]],
    keys: set[str],
    message: str,
) -> ReconciledFinding:
    code, station, names = where
    values: dict[str, int | float | str | None] = {
        f"candidate_{k}": f"{differing[k][0]} vs {differing[k][1]}" for k in sorted(keys)
    }
    return ReconciledFinding(
        constituency=code,
        polling_station_number=station,
        forms=names,
        finding=finding(
            finding_code,
            f"{code} station {station}: {message} {', '.join(sorted(keys))}",
            Evidence(values=values, related=tuple(names)),
        ),
    )


def _compare_copies(
    code: str, station: int, copies: list[list[FormResult]], out: list[ReconciledFinding]
) -> None:
    """Copies of one station's form, figure by figure.

    Two copies that differ where both figures were read surely disagree
    (COPY_DIVERGENCE), and so do two figures exactly exchanged between the copies
    (FIGURES_SWAPPED), or two that differ by more than one digit: no misreading does
    that. Where the two differ in one digit (changed, added or dropped) and one of them
    was read less surely, the difference is as likely a misreading as an edit: it goes
    to a person (FIELD_UNREADABLE, both figures and both forms named), not out as an
    accusation.
    """
    first = copies[0]
    base = _merged_votes(first)
    for other in copies[1:]:
        theirs = _merged_votes(other)
        differing: dict[str, tuple[int, int]] = {}
        sure: set[str] = set()
        for key in base.keys() & theirs.keys():
            mine, their = base[key].value, theirs[key].value
            if mine is not None and their is not None and mine != their:
                differing[key] = (mine, their)
                if (base[key].sure and theirs[key].sure) or not one_digit_apart(mine, their):
                    sure.add(key)
        swaps = _swapped_pairs(differing)
        sure |= {key for pair in swaps for key in pair}
        both, votes = (first, other), [base, theirs]
        if sure:
            out.append(
                _copyfinding(
                    (code, station, _pages_of(sure, both, votes)),
                    FindingCode.COPY_DIVERGENCE,
                    differing,
                    sure,
                    "copies disagree for candidates",
                )
            )
        if unsure := set(differing) - sure:
            out.append(
                _copyfinding(
                    (code, station, _pages_of(unsure, both, votes)),
                    FindingCode.FIELD_UNREADABLE,
                    differing,
                    unsure,
                    "copies read differently (a figure read unsurely) for candidates",
                )
            )
        for one, another in swaps:
            pages = _pages_of({one, another}, both, votes)
            out.append(
                ReconciledFinding(
                    constituency=code,
                    polling_station_number=station,
                    forms=pages,
                    finding=finding(
                        FindingCode.FIGURES_SWAPPED,
                        f"{code} station {station}: candidates {one} and {another} "
                        "have each other's figures on the two copies",
                        Evidence(
                            values={
                                "candidate_a": one,
                                "candidate_b": another,
                                "figures": f"{differing[one]}",
                            },
                            related=tuple(pages),
                        ),
                    ),
                )
            )


def _unsure_digit(
    total: Vote, summed: int, parts: list[tuple[int, Vote]], room: int = 0
) -> tuple[str, int, int] | None:
    """Which unsure figure, read one digit differently, would make the sum hold:
    (where, read, would-be value), or None. With `room` (what the stations not counted
    could add at most), a figure that would leave the sum short of the Form 47 by no more
    than that explains it too."""
    if total.value is None:
        return None
    if not total.sure:
        for wanted in sorted(one_digit_variants(total.value)):
            if wanted == summed or 0 < wanted - summed <= room:
                return ("Form 47", total.value, wanted)
    for number, vote in parts:
        if vote.value is None or vote.sure:
            continue
        for wanted in sorted(one_digit_variants(vote.value)):
            short = total.value - (summed - vote.value + wanted)
            if short == 0 or 0 < short <= room:
                return (f"station {number}", vote.value, wanted)
    return None


def _compare_form47(
    code: str,
    pages: list[FormResult],
    stations: dict[int, list[list[FormResult]]],
    unaccounted: int,
    out: list[ReconciledFinding],
) -> dict[str, dict[str, int | None]]:
    """Each Form 47 candidate total against the sum of the station forms present.

    With stations unaccounted for (the Form 47 counts more than are present, some have
    an unread number, or the candidate's figure was not read there) the sum can only
    fall short: a shortfall is a finding only when those stations would each have to
    give the candidate more than the largest figure any present station gives anyone.
    A difference that one digit of one unsure figure explains goes to a person
    (FIELD_UNREADABLE) rather than out as a mismatch.
    """
    where = [_where(p) for p in pages]
    station_votes = {n: _station_votes(copies) for n, copies in sorted(stations.items())}
    largest = max(
        (v.value for votes in station_votes.values() for v in votes.values() if v.value),
        default=0,
    )
    summary: dict[str, dict[str, int | None]] = {}
    for serial, declared in sorted(_merged_votes(pages).items()):
        parts = [
            (number, vote)
            for number, votes in station_votes.items()
            if (vote := votes.get(serial)) is not None
            and vote.value is not None
            and same_candidate(vote.name, declared.name)
        ]
        summed = sum(v.value or 0 for _, v in parts)
        missing = unaccounted + len(station_votes) - len(parts)
        total = declared.value
        summary[serial] = {"form47": total, "sum_of_form45": summed if not missing else None}
        if total is None or not parts or summed == total:
            continue
        if missing > 0 and summed < total <= summed + missing * largest:
            continue
        values: dict[str, int | float | str | None] = {
            "candidate": serial,
            "form47": total,
            "sum_of_form45": summed,
            "difference": total - summed,
            "stations": len(parts),
            "stations_unaccounted": missing,
        }
        behind = tuple(f"{n}:{_where(stations[n][0][0])}" for n in station_votes)
        message = f"{code} candidate {serial}: Form 47 says {total}, the {len(parts)} Form 45s "
        message += f"add up to {summed}"
        if missing and summed > total:
            message += f" without {missing} stations not counted"
        elif missing:
            message += f"; the {missing} stations not counted would need over {largest} each"
        finding_code = FindingCode.FORM47_MISMATCH
        if (misread := _unsure_digit(declared, summed, parts, missing * largest)) is not None:
            finding_code = FindingCode.FIELD_UNREADABLE
            message += f"; {misread[0]}'s {misread[1]}, read unsurely, as {misread[2]} would hold"
            values["unsure_figure"] = f"{misread[0]}: {misread[1]}"
        out.append(
            ReconciledFinding(
                constituency=code,
                forms=where,
                finding=finding(finding_code, message, Evidence(values=values, related=behind)),
            )
        )
    return summary


def reconcile(results: Sequence[FormResult]) -> Reconciliation:
    """Compare every constituency's Form 45s with each other and with its Form 47.

    The results are taken in the order of their files' names and pages, not the order a
    batch's workers finished them in: which copy of a station comes first (the one the
    Form 47 is summed over where copies disagree) must not depend on timing. Each result
    is taken from `results` twice, one at a time: once for where it is and its
    constituency, once with the rest of its constituency (a batch's lean results are
    rebuilt on demand, so one constituency's are held at a time)."""
    findings: list[ReconciledFinding] = []
    summaries: list[ConstituencySummary] = []
    located = sorted(
        (_page(i, result) for i, result in enumerate(results)), key=lambda p: (p.path, p.page)
    )
    groups = _form_groups(located)
    unplaced = [form[0].where for form in groups.pop("", []) if form[0].type == "form45"]
    astray = _astray(groups)
    for code, grouped in sorted(groups.items()):
        forms = [[results[p.index] for p in form] for form in grouped]
        stations: dict[int, list[list[FormResult]]] = defaultdict(list)
        unnumbered = 0  # Form 45s whose station number could not be read
        form47s: list[list[FormResult]] = []
        for pages in forms:
            if pages[0].form.type == "form47":
                form47s.append(pages)
            elif pages[0].form.type == "form45":
                number = _value(pages[0].header.get("polling_station_number"))
                if number is not None:
                    stations[number].append(pages)
                else:
                    unnumbered += 1
        for station, copies in sorted(stations.items()):
            if len(copies) > 1:
                _compare_copies(code, station, copies, findings)
        summary_candidates: dict[str, dict[str, int | None]] = {}
        for pages in form47s:
            where = [_where(p) for p in pages]
            declared_stations = _value(pages[0].header.get("number_of_polling_stations"))
            summary_candidates |= _compare_form47(
                code,
                pages,
                stations,
                max(unnumbered, (declared_stations or 0) - len(stations)),
                findings,
            )
            # the batch's unplaced Form 45s may be some of this constituency's, and so
            # may those under a code one character from its own that no Form 47 bears
            near = sum(n for other, n in astray.items() if one_edit_apart(other, code))
            # none of its Form 45s in the batch: nothing to count (an archive of Form 47s
            # alone, or a Form 47 whose code was misread: seed 9008's PP-63 read "PP-8")
            present = bool(stations) or unnumbered > 0
            if (
                present
                and declared_stations is not None
                and not (
                    len(stations)
                    <= declared_stations
                    <= len(stations) + unnumbered + len(unplaced) + near
                )
            ):
                findings.append(
                    ReconciledFinding(
                        constituency=code,
                        forms=where,
                        finding=finding(
                            FindingCode.STATION_COUNT_MISMATCH,
                            f"{code}: Form 47 counts {declared_stations} stations, "
                            f"{len(stations)} Form 45s are present",
                            Evidence(
                                values={
                                    "form47_stations": declared_stations,
                                    "form45_present": len(stations),
                                    "form45_unnumbered": unnumbered,
                                    "form45_unplaced_in_batch": len(unplaced),
                                    "form45_under_a_code_one_character_away": near,
                                }
                            ),
                        ),
                    )
                )
            # the margin is known only when every candidate's figure is: one not read
            # may be the winner's
            figures = [v.value for v in _merged_votes(pages).values()]
            ranked = sorted((v for v in figures if v is not None), reverse=True)
            rejected = _value(pages[-1].totals.get("rejected_votes"))
            known = len(ranked) == len(figures) >= 2
            if known and rejected is not None and rejected > ranked[0] - ranked[1]:
                findings.append(
                    ReconciledFinding(
                        constituency=code,
                        forms=where,
                        finding=finding(
                            FindingCode.REJECTED_EXCEEDS_MARGIN,
                            f"{code}: {rejected} rejected votes exceed the winning "
                            f"margin of {ranked[0] - ranked[1]}",
                            Evidence(
                                values={"rejected_votes": rejected, "margin": ranked[0] - ranked[1]}
                            ),
                        ),
                    )
                )
        summaries.append(
            ConstituencySummary(
                constituency=code,
                form45_stations=len(stations),
                form45_pages=sum(len(c) for copies in stations.values() for c in copies),
                form47_present=bool(form47s),
                form47_stations=_value(form47s[0][0].header.get("number_of_polling_stations"))
                if form47s
                else None,
                candidates=summary_candidates,
            )
        )
    return Reconciliation(constituencies=summaries, findings=findings, unplaced=unplaced)


def reconciliation_csv(reconciliation: Reconciliation) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["constituency", "polling_station_number", "code", "severity", "message", "forms", "values"]
    )
    for item in reconciliation.findings:
        writer.writerow(
            [
                item.constituency,
                item.polling_station_number or "",
                item.finding.code.value,
                item.finding.severity.value,
                item.finding.message,
                " ".join(item.forms),
                "; ".join(f"{k}={v}" for k, v in item.finding.evidence.values.items()),
            ]
        )
    return out.getvalue()
