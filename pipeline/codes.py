"""Finding codes: the one place they are defined. The README documents each.

A finding is something a person should look at on a form (or across forms), with its
evidence. Codes are UPPER_SNAKE string constants so they read the same in JSON, CSV and
the ground truth of the synthetic generator.
"""

from __future__ import annotations

from enum import StrEnum


class FindingCode(StrEnum):
    # Arithmetic on one form (domain.md invariants 1-5)
    CANDIDATE_SUM_MISMATCH = "CANDIDATE_SUM_MISMATCH"  # sum of candidates != total valid
    CANDIDATE_COLUMNS_MISMATCH = "CANDIDATE_COLUMNS_MISMATCH"  # valid+tendered+challenged != total
    POLLED_SUM_MISMATCH = "POLLED_SUM_MISMATCH"  # total valid + rejected != polled
    GENDER_SUM_MISMATCH = "GENDER_SUM_MISMATCH"  # men + women != polled
    REGISTERED_SUM_MISMATCH = "REGISTERED_SUM_MISMATCH"  # men + women registered != registered
    TURNOUT_OVER_100 = "TURNOUT_OVER_100"  # polled > registered
    TURNOUT_HIGH = "TURNOUT_HIGH"  # polled > 80% of registered (FAFEN's threshold)
    REQUIRED_FIELD_MISSING = "REQUIRED_FIELD_MISSING"
    FIELD_UNREADABLE = "FIELD_UNREADABLE"
    # Marks on one form (invariant 6)
    STAMP_MISSING = "STAMP_MISSING"
    STAMP_MISPLACED = "STAMP_MISPLACED"
    STAMP_TEXT_MISMATCH = "STAMP_TEXT_MISMATCH"
    SIGNATURE_MISSING = "SIGNATURE_MISSING"
    AGENT_SIGNATURES_MISSING = "AGENT_SIGNATURES_MISSING"
    # Tamper evidence on one form
    FIGURE_OVERWRITTEN = "FIGURE_OVERWRITTEN"
    CORRECTION_FLUID = "CORRECTION_FLUID"
    TAMPER_SUSPECTED = "TAMPER_SUSPECTED"
    # Across forms
    STAMP_DUPLICATE = "STAMP_DUPLICATE"
    SIGNATURE_DUPLICATE = "SIGNATURE_DUPLICATE"
    DUPLICATE_FORM = "DUPLICATE_FORM"
    COPY_DIVERGENCE = "COPY_DIVERGENCE"  # two copies of one station's form disagree
    FIGURES_SWAPPED = "FIGURES_SWAPPED"  # two candidates' figures exchanged between copies
    FORM47_MISMATCH = "FORM47_MISMATCH"  # Form 47 total != sum of the Form 45s
    STATION_COUNT_MISMATCH = "STATION_COUNT_MISMATCH"  # Form 47 station count != forms present
    REJECTED_EXCEEDS_MARGIN = "REJECTED_EXCEEDS_MARGIN"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


FINDING_DOCS: dict[FindingCode, tuple[Severity, str]] = {
    FindingCode.CANDIDATE_SUM_MISMATCH: (
        Severity.ERROR,
        "The candidates' votes do not add up to the total valid votes.",
    ),
    FindingCode.CANDIDATE_COLUMNS_MISMATCH: (
        Severity.ERROR,
        "A candidate's valid + tendered + challenged votes != their total, all read surely.",
    ),
    FindingCode.POLLED_SUM_MISMATCH: (
        Severity.ERROR,
        "Total valid votes + rejected votes != total votes polled.",
    ),
    FindingCode.GENDER_SUM_MISMATCH: (
        Severity.ERROR,
        "Votes polled by men + by women != total votes polled.",
    ),
    FindingCode.REGISTERED_SUM_MISMATCH: (
        Severity.ERROR,
        "Registered men + registered women != registered voters, all three read surely.",
    ),
    FindingCode.TURNOUT_OVER_100: (
        Severity.ERROR,
        "More votes polled than registered voters (turnout over 100%).",
    ),
    FindingCode.TURNOUT_HIGH: (
        Severity.INFO,
        "Turnout over 80% of registered voters (FAFEN investigates these).",
    ),
    FindingCode.REQUIRED_FIELD_MISSING: (
        Severity.WARNING,
        "A field or signature box the template requires was not found on the form.",
    ),
    FindingCode.FIELD_UNREADABLE: (
        Severity.WARNING,
        "A figure was not read with confidence (or unsure figures disagree): a person reads it.",
    ),
    FindingCode.STAMP_MISSING: (
        Severity.ERROR,
        "No official stamp impression where the template requires one.",
    ),
    FindingCode.STAMP_MISPLACED: (
        Severity.WARNING,
        "A stamp impression lies outside the area where it is expected.",
    ),
    FindingCode.STAMP_TEXT_MISMATCH: (
        Severity.ERROR,
        "The stamp's ring or centre text names another station or constituency.",
    ),
    FindingCode.SIGNATURE_MISSING: (
        Severity.ERROR,
        "A required signature (presiding officer or assistant) is absent.",
    ),
    FindingCode.AGENT_SIGNATURES_MISSING: (
        Severity.WARNING,
        "Polling agents' signature boxes are empty with no refusal noted.",
    ),
    FindingCode.FIGURE_OVERWRITTEN: (
        Severity.ERROR,
        "A figure shows one digit written over another.",
    ),
    FindingCode.CORRECTION_FLUID: (
        Severity.ERROR,
        "A bright flat patch (correction fluid) covers a figure or ruling.",
    ),
    FindingCode.TAMPER_SUSPECTED: (
        Severity.ERROR,
        "A region of the scan was edited: a signature cloned from another box of the page, "
        "or a region pasted into a JPEG before it was saved again.",
    ),
    FindingCode.STAMP_DUPLICATE: (
        Severity.ERROR,
        "The same stamp image appears on different forms (a digital copy).",
    ),
    FindingCode.SIGNATURE_DUPLICATE: (
        Severity.ERROR,
        "The same signature image appears on different forms (a digital copy).",
    ),
    FindingCode.DUPLICATE_FORM: (Severity.WARNING, "The same scan was submitted more than once."),
    FindingCode.COPY_DIVERGENCE: (
        Severity.ERROR,
        "Two copies of one polling station's form disagree.",
    ),
    FindingCode.FIGURES_SWAPPED: (
        Severity.ERROR,
        "Two candidates' figures are exchanged between copies of one form.",
    ),
    FindingCode.FORM47_MISMATCH: (
        Severity.ERROR,
        "A Form 47 total differs from the sum of that candidate's Form 45s.",
    ),
    FindingCode.STATION_COUNT_MISMATCH: (
        Severity.WARNING,
        "Form 47's station count differs from the Form 45s present.",
    ),
    FindingCode.REJECTED_EXCEEDS_MARGIN: (
        Severity.INFO,
        "Rejected votes exceed the winning margin in the constituency.",
    ),
}
