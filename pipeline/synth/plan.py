"""Plan an election: constituencies, stations, counts, and the irregularities to inject.

Pure and seeded: the same seed plans the same election. Produces `FormSheet`s, the
written content of every Form 45 (and its copies) and every Form 47.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from pipeline.codes import FindingCode
from pipeline.model import SignatureRole, SignatureStatus, StampShape
from pipeline.synth import names
from pipeline.synth.sheet import (
    AnomalyPlan,
    CandidateLine,
    Figure,
    FormSheet,
    SignaturePlan,
    StampPlan,
    TamperPlan,
)

# chance per Form 45 of each single-form irregularity
FORM_ANOMALY_RATES = {
    FindingCode.STAMP_MISSING: 0.05,
    FindingCode.SIGNATURE_MISSING: 0.05,
    FindingCode.AGENT_SIGNATURES_MISSING: 0.07,
    FindingCode.FIGURE_OVERWRITTEN: 0.06,
    FindingCode.CORRECTION_FLUID: 0.05,
    FindingCode.CANDIDATE_SUM_MISMATCH: 0.05,
    FindingCode.POLLED_SUM_MISMATCH: 0.04,
    FindingCode.TURNOUT_OVER_100: 0.03,
}
# chance per Form 45 of a digital clone edit (drawn from its own stream, so that adding it
# left every other form of a seed's corpus as it was)
TAMPER_RATE = 0.06
# chance per stamped Form 45 of its stamp pressed away from the officers' boxes (its own
# stream too)
STAMP_ASTRAY_RATE = 0.04
# chance per constituency of each cross-form irregularity
CONSTITUENCY_ANOMALY_RATES = {
    FindingCode.STAMP_DUPLICATE: 0.4,
    FindingCode.SIGNATURE_DUPLICATE: 0.35,
    FindingCode.COPY_DIVERGENCE: 0.5,
    FindingCode.FORM47_MISMATCH: 0.35,
    FindingCode.DUPLICATE_FORM: 0.25,
}


@dataclass(frozen=True)
class Candidate:
    serial: int
    name: str
    name_urdu: str
    party: str


@dataclass(frozen=True)
class Count:
    """What really happened at a station."""

    votes: tuple[int, ...]  # per candidate, valid votes (excluding tendered/challenged)
    tendered: tuple[int, ...]
    challenged: tuple[int, ...]
    rejected: int
    polled_male: int
    polled_female: int
    registered_male: int
    registered_female: int

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(
            v + t + c for v, t, c in zip(self.votes, self.tendered, self.challenged, strict=True)
        )


@dataclass(frozen=True)
class ConstituencyPlan:
    code: str
    name: str
    name_urdu: str
    candidates: tuple[Candidate, ...]
    sheets: tuple[FormSheet, ...]  # Form 45s (with copies), then the Form 47
    duplicate_scans: tuple[str, ...]  # form_ids whose file is submitted twice


def _candidates(rng: np.random.Generator) -> tuple[Candidate, ...]:
    # domain.md: 8 to 46 candidates per constituency in 2024; a third run over two pages
    n = int(rng.integers(16, 47)) if rng.random() < 0.33 else int(rng.integers(2, 16))
    parties = list(rng.permutation(names.PARTIES))
    out = []
    for serial in range(1, n + 1):
        first = names.FIRST_NAMES[int(rng.integers(len(names.FIRST_NAMES)))]
        last = names.LAST_NAMES[int(rng.integers(len(names.LAST_NAMES)))]
        party = (
            str(parties[serial - 1])
            if serial <= len(parties) and rng.random() < 0.8
            else names.INDEPENDENT
        )
        out.append(Candidate(serial, f"{first[0]} {last[0]}", f"{first[1]} {last[1]}", party))
    return tuple(out)


def _count(rng: np.random.Generator, n: int) -> Count:
    reg_m, reg_f = int(rng.integers(300, 1400)), int(rng.integers(250, 1300))
    turnout = rng.uniform(0.3, 0.72)
    polled = int((reg_m + reg_f) * turnout)
    male = int(polled * rng.uniform(0.5, 0.65))
    rejected = int(polled * rng.uniform(0.0, 0.04))
    valid = polled - rejected
    popularity = rng.dirichlet(np.full(n, 0.6))
    totals = rng.multinomial(valid, popularity)
    tendered = np.where(rng.random(n) < 0.1, rng.integers(0, 3, n), 0)
    challenged = np.where(rng.random(n) < 0.1, rng.integers(0, 3, n), 0)
    tendered = np.minimum(tendered, totals)
    challenged = np.minimum(challenged, totals - tendered)
    votes = totals - tendered - challenged
    return Count(
        tuple(int(v) for v in votes),
        tuple(int(v) for v in tendered),
        tuple(int(v) for v in challenged),
        rejected,
        male,
        polled - male,
        reg_m,
        reg_f,
    )


def _changed_digit(value: int, rng: np.random.Generator) -> tuple[int, int]:
    """An overwrite: (original figure, figure after one digit was written over)."""
    text = str(max(value, 10))
    position = int(rng.integers(len(text)))
    choices = [d for d in "0123456789" if d != text[position] and not (position == 0 and d == "0")]
    new = text[:position] + str(rng.choice(choices)) + text[position + 1 :]
    return int(text), int(new)


def _signatures(
    station: str,
    candidates: tuple[Candidate, ...],
    rng: np.random.Generator,
    *,
    po_missing: bool,
    agents_missing: bool,
) -> list[SignaturePlan]:
    plans = []
    for role, who in (
        (SignatureRole.PRESIDING_OFFICER, "po"),
        (SignatureRole.ASSISTANT_PRESIDING_OFFICER, "apo"),
    ):
        status = SignatureStatus.ABSENT if (po_missing and who == "po") else SignatureStatus.PRESENT
        plans.append(SignaturePlan(role, who.upper(), status, f"{station}-{who}"))
        plans.append(
            SignaturePlan(role, who.upper(), status, f"{station}-{who}", kind="thumb_impression")
        )
    missing = set()
    if agents_missing:
        k = int(rng.integers(1, max(2, len(candidates) // 2 + 1)))
        missing = set(
            rng.choice(len(candidates), size=min(k, len(candidates)), replace=False).tolist()
        )
    for i, cand in enumerate(candidates):
        if i in missing:
            status = SignatureStatus.ABSENT
        else:
            status = SignatureStatus.REFUSED if rng.random() < 0.12 else SignatureStatus.PRESENT
        plans.append(
            SignaturePlan(
                SignatureRole.POLLING_AGENT,
                f"{cand.serial}. {cand.name}",
                status,
                f"{station}-agent{cand.serial}",
            )
        )
    return plans


def _turnout_over(polled: int, registered: int) -> AnomalyPlan:
    """More votes polled than the sheet's register of voters."""
    return AnomalyPlan(
        FindingCode.TURNOUT_OVER_100,
        f"{polled} polled, {registered} registered",
        "totals.total_votes_polled",
        {"total_votes_polled": polled, "registered_voters": registered},
    )


def _station_sheet(
    code: str,
    cons_name: str,
    station_no: int,
    station_name: str,
    candidates: tuple[Candidate, ...],
    count: Count,
    rng: np.random.Generator,
    *,
    handwritten: bool,
    printing_seed: int,
    anomalies: set[FindingCode],
) -> FormSheet:
    form_id = f"{code}-PS{station_no:03d}"
    votes = [Figure(v) for v in count.votes]
    totals_fig = list(count.totals)
    plans: list[AnomalyPlan] = []
    registered = count.registered_male + count.registered_female
    polled = count.polled_male + count.polled_female
    total_valid = sum(count.totals)
    rejected = count.rejected
    if FindingCode.FIGURE_OVERWRITTEN in anomalies:
        i = int(np.argmax(count.votes))
        original, new = _changed_digit(count.votes[i], rng)
        votes[i] = Figure(new, overwritten_from=original)
        plans.append(
            AnomalyPlan(
                FindingCode.FIGURE_OVERWRITTEN,
                f"candidate {i + 1}: {original} overwritten to read {new}",
                f"candidates[{i}].votes",
                {"original": original, "visible": new},
            )
        )
        totals_fig[i] = new + count.tendered[i] + count.challenged[i]
    if FindingCode.CORRECTION_FLUID in anomalies:
        i = int(rng.integers(len(candidates)))
        if votes[i].overwritten_from is None:
            votes[i] = Figure(votes[i].value, correction_fluid=True)
            plans.append(
                AnomalyPlan(
                    FindingCode.CORRECTION_FLUID,
                    f"candidate {i + 1}: figure written over correction fluid",
                    f"candidates[{i}].votes",
                    {"visible": votes[i].value},
                )
            )
    if FindingCode.TURNOUT_OVER_100 in anomalies:
        registered = max(1, int(polled * rng.uniform(0.7, 0.95)))
        plans.append(_turnout_over(polled, registered))
    written_valid = total_valid
    if FindingCode.CANDIDATE_SUM_MISMATCH in anomalies:
        written_valid = total_valid + int(rng.choice([-1, 1]) * rng.integers(5, 120))
        rejected = max(0, polled - written_valid)
        plans.append(
            AnomalyPlan(
                FindingCode.CANDIDATE_SUM_MISMATCH,
                f"candidates add up to {sum(totals_fig)}, form says {written_valid}",
                "totals.total_valid_votes",
                {"sum_of_candidates": sum(totals_fig), "total_valid_votes": written_valid},
            )
        )
        polled_written = written_valid + rejected
    else:
        written_valid = sum(totals_fig)
        polled_written = written_valid + rejected
    if FindingCode.POLLED_SUM_MISMATCH in anomalies:
        polled_written = written_valid + rejected + int(rng.integers(10, 200))
        plans.append(
            AnomalyPlan(
                FindingCode.POLLED_SUM_MISMATCH,
                f"{written_valid} + {rejected} != {polled_written}",
                "totals.total_votes_polled",
                {
                    "total_valid_votes": written_valid,
                    "rejected_votes": rejected,
                    "total_votes_polled": polled_written,
                },
            )
        )
    male = int(polled_written * count.polled_male / max(1, polled))
    female = polled_written - male
    if FindingCode.TURNOUT_OVER_100 not in anomalies and polled_written > registered:
        registered = polled_written + int(rng.integers(50, 400))
    reg_m = int(
        registered * count.registered_male / max(1, count.registered_male + count.registered_female)
    )
    header: dict[str, str | int] = {
        "constituency": code,
        "constituency_name": cons_name,
        "polling_station_number": station_no,
        "polling_station_name": station_name,
        "registered_voters_male": reg_m,
        "registered_voters_female": registered - reg_m,
        "registered_voters": registered,
        "date": "08-02-2024",
        "time": f"{int(rng.integers(19, 24)):02d}:{int(rng.integers(0, 60)):02d}",
    }
    lines = tuple(
        CandidateLine(
            c.serial,
            c.name,
            c.name_urdu if rng.random() < 0.5 else None,
            c.party,
            votes[i],
            Figure(count.tendered[i]),
            Figure(count.challenged[i]),
            Figure(totals_fig[i]),
        )
        for i, c in enumerate(candidates)
    )
    station_key = f"{code}-PS{station_no:03d}"
    signatures = _signatures(
        station_key,
        candidates,
        rng,
        po_missing=FindingCode.SIGNATURE_MISSING in anomalies,
        agents_missing=FindingCode.AGENT_SIGNATURES_MISSING in anomalies,
    )
    if FindingCode.SIGNATURE_MISSING in anomalies:
        plans.append(
            AnomalyPlan(
                FindingCode.SIGNATURE_MISSING,
                "presiding officer did not sign",
                "signature.presiding_officer",
            )
        )
    if FindingCode.AGENT_SIGNATURES_MISSING in anomalies:
        empty = sum(
            1
            for s in signatures
            if s.role is SignatureRole.POLLING_AGENT and s.status is SignatureStatus.ABSENT
        )
        plans.append(
            AnomalyPlan(
                FindingCode.AGENT_SIGNATURES_MISSING,
                f"{empty} of {len(candidates)} agents' boxes empty",
                "signature.agents",
                {"missing": empty, "agents": len(candidates)},
            )
        )
    stamp = None
    if FindingCode.STAMP_MISSING in anomalies:
        plans.append(
            AnomalyPlan(FindingCode.STAMP_MISSING, "no presiding officer's stamp", "stamp_area")
        )
    else:
        stamp = StampPlan(
            physical_stamp_id=f"{station_key}-stamp",
            impression_id=f"{form_id}-imp",
            colour=str(rng.choice(["blue", "violet", "black"], p=[0.45, 0.4, 0.15])),
            shape=StampShape.OVAL if rng.random() < 0.3 else StampShape.ROUND,
            ring_text=f"PRESIDING OFFICER * {station_name.upper()} * {code}",
            centre_lines=(f"PS {station_no}", code),
        )
    tamper, tamper_anomaly = _clone_tamper(signatures, printing_seed, station_no)
    astray = stamp is not None and _stamp_astray(printing_seed, station_no)
    if astray:
        plans.append(
            AnomalyPlan(
                FindingCode.STAMP_MISPLACED,
                "the stamp pressed at the foot of the page, away from the officers' boxes",
                "stamp",
            )
        )
    return FormSheet(
        form_id=form_id,
        template_name="pk-form45",
        form_type="form45",
        constituency=code,
        polling_station_number=station_no,
        copy_label="original",
        header=header,
        header_handwritten=frozenset(
            {"registered_voters_male", "registered_voters_female", "registered_voters"}
            if rng.random() < 0.3
            else ()
        ),
        candidates=lines,
        totals={
            "total_valid_votes": Figure(written_valid),
            "rejected_votes": Figure(rejected),
            "total_votes_polled": Figure(polled_written),
            "votes_polled_male": Figure(male),
            "votes_polled_female": Figure(female),
        },
        handwritten=handwritten,
        signatures=tuple(signatures),
        stamp=stamp,
        anomalies=tuple(plans) + ((tamper_anomaly,) if tamper_anomaly else ()),
        printing_seed=printing_seed,
        tamper=tamper,
        stamp_astray=astray,
    )


def _stamp_astray(printing_seed: int, station_no: int) -> bool:
    """Sometimes, the stamp pressed at the foot of the page, away from the officers'
    boxes (its own stream, so that adding it left every other form of a seed as it was)."""
    return bool(np.random.default_rng([printing_seed, station_no, 47]).random() < STAMP_ASTRAY_RATE)


def _clone_tamper(
    signatures: list[SignaturePlan], printing_seed: int, station_no: int
) -> tuple[TamperPlan | None, AnomalyPlan | None]:
    """Sometimes, an agent's signature cloned over another agent's box in the scan."""
    rng = np.random.default_rng([printing_seed, station_no, 45])
    signed = [
        i
        for i, s in enumerate(signatures)
        if s.role is SignatureRole.POLLING_AGENT
        and s.status is SignatureStatus.PRESENT
        and s.kind == "signature"
    ]
    if rng.random() >= TAMPER_RATE or len(signed) < 2:
        return None, None
    source, target = (int(i) for i in rng.choice(signed, size=2, replace=False))
    plan = TamperPlan(source=f"signatures[{source}]", target=f"signatures[{target}]")
    anomaly = AnomalyPlan(
        FindingCode.TAMPER_SUSPECTED,
        f"{signatures[target].label}: box overwritten in the scan with a copy of "
        f"{signatures[source].label}'s signature",
        plan.target,
        {"copied_from": plan.source},
    )
    return plan, anomaly


def _figure_value(figure: Figure | None) -> int:
    return 0 if figure is None or figure.value is None else figure.value


def _shifted(figure: Figure | None, delta: int) -> Figure | None:
    return None if figure is None else Figure(_figure_value(figure) + delta)


def _agent_copy(
    sheet: FormSheet, rng: np.random.Generator, *, diverge: bool, swap: bool
) -> tuple[FormSheet, FormSheet]:
    """A second copy of a station's form (re-signed, re-stamped); maybe disagreeing."""
    copy_id = f"{sheet.form_id}-copy"
    lines = list(sheet.candidates)
    related_plans: list[AnomalyPlan] = []
    if swap and len(lines) >= 2:
        order = np.argsort([-(ln.votes.value or 0) for ln in lines])
        a, b = int(order[0]), int(order[1])
        la, lb = lines[a], lines[b]
        lines[a] = dataclasses.replace(
            la,
            votes=Figure(lb.votes.value),
            total=lb.total,
            tendered=lb.tendered,
            challenged=lb.challenged,
        )
        lines[b] = dataclasses.replace(
            lb,
            votes=Figure(la.votes.value),
            total=la.total,
            tendered=la.tendered,
            challenged=la.challenged,
        )
        related_plans.append(
            AnomalyPlan(
                FindingCode.FIGURES_SWAPPED,
                f"candidates {a + 1} and {b + 1} swapped on this copy",
                f"candidates[{a}].votes",
                {"serial_a": a + 1, "serial_b": b + 1},
                (sheet.form_id,),
            )
        )
    elif diverge:
        i = int(rng.integers(len(lines)))
        old = lines[i].votes.value or 0
        new = old + int(rng.integers(15, 300))
        lines[i] = dataclasses.replace(
            lines[i],
            votes=Figure(new),
            total=_shifted(lines[i].total, new - old),
        )
    changed = [
        i
        for i, (x, y) in enumerate(zip(sheet.candidates, lines, strict=True))
        if x.votes.value != y.votes.value
    ]
    totals = dict(sheet.totals)
    if diverge and not swap:
        delta = sum(
            (y.total.value or 0) - (x.total.value or 0)
            for x, y in zip(sheet.candidates, lines, strict=True)
            if x.total and y.total
        )
        for key in ("total_valid_votes", "total_votes_polled"):
            totals[key] = Figure((totals[key].value or 0) + delta)
        male = totals["votes_polled_male"].value or 0
        totals["votes_polled_male"] = Figure(male + delta)
    divergence = AnomalyPlan(
        FindingCode.COPY_DIVERGENCE,
        f"copies disagree for candidates {[i + 1 for i in changed]}",
        f"candidates[{changed[0] if changed else 0}].votes",
        {"candidates": ",".join(str(i + 1) for i in changed)},
    )
    stamp = sheet.stamp
    if stamp is not None:
        stamp = dataclasses.replace(stamp, impression_id=f"{copy_id}-imp")
    original_anomalies = sheet.anomalies
    # the copy is written out and stamped afresh: its figures are clean and its stamp is
    # its own impression, not the pasted one its original may carry
    copy_anomalies = tuple(
        a
        for a in sheet.anomalies
        if a.code
        not in (
            FindingCode.FIGURE_OVERWRITTEN,
            FindingCode.CORRECTION_FLUID,
            FindingCode.STAMP_DUPLICATE,
            FindingCode.STAMP_MISPLACED,
        )
    )
    if diverge or swap:
        original_anomalies += (dataclasses.replace(divergence, related=(copy_id,)),)
        copy_anomalies += (
            dataclasses.replace(divergence, related=(sheet.form_id,)),
            *related_plans,
        )
    clean_lines = tuple(dataclasses.replace(ln, votes=Figure(ln.votes.value)) for ln in lines)
    copy = dataclasses.replace(
        sheet,
        form_id=copy_id,
        copy_label="agent_copy",
        candidates=clean_lines,
        totals=totals,
        stamp=stamp,
        anomalies=tuple(a for a in copy_anomalies if a.code is not FindingCode.TAMPER_SUSPECTED),
        printing_seed=sheet.printing_seed,
        tamper=None,  # the edit was made to the original's file only
        stamp_astray=False,  # pressed afresh, where it belongs
    )
    return dataclasses.replace(sheet, anomalies=original_anomalies), copy


def _form47(
    code: str,
    cons_name: str,
    candidates: tuple[Candidate, ...],
    originals: list[FormSheet],
    rng: np.random.Generator,
    *,
    mismatch: bool,
    handwritten: bool,
    printing_seed: int,
) -> FormSheet:
    sums = [
        sum(_figure_value(s.candidates[i].total) for s in originals) for i in range(len(candidates))
    ]
    written = list(sums)
    plans: list[AnomalyPlan] = []
    if mismatch:
        i = int(np.argmax(sums))
        written[i] = sums[i] + int(rng.integers(500, 20000))
        plans.append(
            AnomalyPlan(
                FindingCode.FORM47_MISMATCH,
                f"candidate {i + 1}: Form 47 says {written[i]}, Form 45s add up to {sums[i]}",
                f"candidates[{i}].votes",
                {"form47": written[i], "sum_of_form45": sums[i], "serial": i + 1},
                tuple(s.form_id for s in originals),
            )
        )
    total_valid = sum(written)
    rejected = sum(s.totals["rejected_votes"].value or 0 for s in originals)
    male = sum(s.totals["votes_polled_male"].value or 0 for s in originals)
    polled = total_valid + rejected
    registered = sum(int(s.header["registered_voters"]) for s in originals)
    if polled > registered:  # an inflated figure can take the sheet past its own register
        plans.append(_turnout_over(polled, registered))
    lines = tuple(
        CandidateLine(c.serial, c.name, None, c.party, Figure(written[i]))
        for i, c in enumerate(candidates)
    )
    return FormSheet(
        form_id=f"{code}-F47",
        template_name="pk-form47",
        form_type="form47",
        constituency=code,
        polling_station_number=None,
        copy_label="original",
        header={
            "constituency": code,
            "constituency_name": cons_name,
            "number_of_polling_stations": len(originals),
            "registered_voters": registered,
            "date": "09-02-2024",
        },
        header_handwritten=frozenset(),
        candidates=lines,
        totals={
            "total_valid_votes": Figure(total_valid),
            "rejected_votes": Figure(rejected),
            "total_votes_polled": Figure(polled),
            "votes_polled_male": Figure(male),
            "votes_polled_female": Figure(polled - male),
        },
        handwritten=handwritten,
        signatures=(
            SignaturePlan(
                SignatureRole.RETURNING_OFFICER, "RO", SignatureStatus.PRESENT, f"{code}-ro"
            ),
        ),
        stamp=StampPlan(
            f"{code}-ro-stamp",
            f"{code}-F47-imp",
            "blue",
            StampShape.ROUND,
            f"RETURNING OFFICER * {cons_name.upper()} * {code}",
            ("RETURNING", "OFFICER"),
        ),
        anomalies=tuple(plans),
        printing_seed=printing_seed,
    )


def plan_constituency(index: int, stations: int, rng: np.random.Generator) -> ConstituencyPlan:
    """One constituency: its Form 45s (and copies) and its Form 47."""
    prefix = str(rng.choice(names.PROVINCE_PREFIXES, p=[0.4, 0.25, 0.12, 0.12, 0.08, 0.03]))
    code = f"{prefix}-{int(rng.integers(1, 260)) if prefix != 'GBA' else int(rng.integers(1, 25))}"
    code = f"{code}" if index == 0 else code
    district = names.DISTRICTS[int(rng.integers(len(names.DISTRICTS)))]
    roman = names.ROMAN[int(rng.integers(len(names.ROMAN)))]
    cons_name = f"{district[0]}-{roman}"
    candidates = _candidates(rng)
    printing = int(rng.integers(2**31))
    cons_anomalies = {c for c, p in CONSTITUENCY_ANOMALY_RATES.items() if rng.random() < p}
    sheets: list[FormSheet] = []
    numbers = sorted(rng.choice(np.arange(1, 240), size=stations, replace=False).tolist())
    for station_no in numbers:
        kind = names.STATION_KINDS[int(rng.integers(len(names.STATION_KINDS)))]
        village = names.VILLAGES[int(rng.integers(len(names.VILLAGES)))]
        anomalies = {c for c, p in FORM_ANOMALY_RATES.items() if rng.random() < p}
        sheets.append(
            _station_sheet(
                code,
                cons_name,
                int(station_no),
                f"{kind[0]} {village}",
                candidates,
                _count(rng, len(candidates)),
                rng,
                handwritten=rng.random() < 0.8,
                printing_seed=printing,
                anomalies=anomalies,
            )
        )
    with_stamp = [i for i, s in enumerate(sheets) if s.stamp is not None]
    if FindingCode.STAMP_DUPLICATE in cons_anomalies and len(with_stamp) >= 2:
        chosen = sorted(
            rng.choice(
                with_stamp, size=min(len(with_stamp), int(rng.integers(2, 4))), replace=False
            ).tolist()
        )
        source = sheets[chosen[0]]
        ids = tuple(sheets[i].form_id for i in chosen)
        for i in chosen:
            s = sheets[i]
            assert s.stamp is not None and source.stamp is not None
            plan = AnomalyPlan(
                FindingCode.STAMP_DUPLICATE,
                "the same stamp impression pasted",
                "stamp",
                {"impression_id": source.stamp.impression_id},
                tuple(x for x in ids if x != s.form_id),
            )
            extra: tuple[AnomalyPlan, ...] = (plan,)
            if i != chosen[0]:
                extra += (
                    AnomalyPlan(
                        FindingCode.STAMP_TEXT_MISMATCH,
                        "the pasted stamp names another polling station",
                        "stamp",
                        {"ring_text": source.stamp.ring_text},
                    ),
                )
            sheets[i] = dataclasses.replace(s, stamp=source.stamp, anomalies=s.anomalies + extra)
    if FindingCode.SIGNATURE_DUPLICATE in cons_anomalies and len(sheets) >= 2:
        chosen = sorted(
            rng.choice(
                len(sheets), size=min(len(sheets), int(rng.integers(2, 4))), replace=False
            ).tolist()
        )
        chosen = [i for i in chosen if sheets[i].signatures[0].status is SignatureStatus.PRESENT]
        ids = tuple(sheets[i].form_id for i in chosen)
        paste = f"{code}-pasted-po"
        for i in chosen if len(chosen) >= 2 else []:
            s = sheets[i]
            sigs = list(s.signatures)
            sigs[0] = dataclasses.replace(sigs[0], signer_id=f"{code}-paste-signer", paste_id=paste)
            plan = AnomalyPlan(
                FindingCode.SIGNATURE_DUPLICATE,
                "the same presiding officer signature image pasted",
                "signature.presiding_officer",
                {"image_id": paste},
                tuple(x for x in ids if x != s.form_id),
            )
            sheets[i] = dataclasses.replace(
                s, signatures=tuple(sigs), anomalies=(*s.anomalies, plan)
            )
    originals = list(sheets)
    out: list[FormSheet] = []
    diverging = (
        int(rng.integers(len(sheets))) if FindingCode.COPY_DIVERGENCE in cons_anomalies else -1
    )
    for i, sheet in enumerate(sheets):
        if i == diverging:
            swap = rng.random() < 0.5
            first, copy = _agent_copy(sheet, rng, diverge=not swap, swap=swap)
            out += [first, copy]
        elif rng.random() < 0.12:  # a faithful agent copy: re-stamped, re-signed, must agree
            first, copy = _agent_copy(sheet, rng, diverge=False, swap=False)
            out += [first, copy]
        else:
            out.append(sheet)
    out.append(
        _form47(
            code,
            cons_name,
            candidates,
            originals,
            rng,
            mismatch=FindingCode.FORM47_MISMATCH in cons_anomalies,
            handwritten=rng.random() < 0.5,
            printing_seed=int(rng.integers(2**31)),
        )
    )
    duplicates: tuple[str, ...] = ()
    if FindingCode.DUPLICATE_FORM in cons_anomalies:
        duplicates = (out[int(rng.integers(len(out) - 1))].form_id,)
    return ConstituencyPlan(
        code, cons_name, f"{district[1]}-{roman}", candidates, tuple(out), duplicates
    )
