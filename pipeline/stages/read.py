"""The read stage: values for every located field, with confidence and original-scan box.

Printed text (names, parties, station names) comes from the words Tesseract read during
locate (or the PDF text layer); every figure goes through `read_number`, handwritten or
printed. Boxes are mapped back to the original scan with `NormalisedPage.to_original`.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.layout import LocatedForm
from pipeline.model import (
    VOTE_COLUMNS,
    BBox,
    CandidateRow,
    Cell,
    Evidence,
    FieldReading,
    Finding,
    TableCells,
)
from pipeline.numbers import (
    PEN_NEUTRAL,
    NumberReading,
    figure_alternatives,
    pen_share,
    read_number,
)
from pipeline.pages import NormalisedPage, TextWord
from pipeline.stages.locate import cell_text, words_in
from pipeline.stages.printed import read_line
from pipeline.strokes import StrokesOverwritten, overwritten_strokes
from pipeline.templates import Template, ValueKind

# the assemblies whose seats a code names: National, Punjab, Sindh, Khyber Pakhtunkhwa,
# Balochistan, Gilgit-Baltistan
ASSEMBLIES = "NA|PP|PS|PK|PB|GBA"
CONSTITUENCY = re.compile(rf"\b({ASSEMBLIES})\s*[-–—.]?\s*(\d{{1,3}})\b", re.IGNORECASE)
# the same with a misread hyphen or digit: "NAL35" (the hyphen lost, 1 read as L)
LOOSE_CONSTITUENCY = re.compile(
    rf"({ASSEMBLIES})[-–—.:_~]?([0-9OoIlL|SsBZz]{{1,3}})(?![0-9A-Za-z])"
)
DIGIT_LOOKALIKES = str.maketrans("OoIlL|SsBZz", "00111155822")
EXACT_CODE = 0.95  # confidence of a code read as printed
REPAIRED_CODE = 0.6  # ... and of one read with a letter for a digit, or amid other text
# a box read alone that reads a code exactly reads it as printed, and nothing else: "ps2"
# or "ps 2 . 7 =" (seed 9054's PS-229_ps026, seed 9053's PS-74_ps190) is no PS-2
PRINTED_CODE = re.compile(rf"(?:{ASSEMBLIES})[-–—]\d{{1,3}}")
CODE_SCALES = (1.0, 2.0)  # a code's box read alone at these sizes of the page (`_code_reading`)
# a Roman number from one to thirty-nine (districts' numbers); the lookahead refuses the
# empty string
ROMAN = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
ROMAN_LOOKALIKES = str.maketrans(
    {"l": "I", "L": "I", "i": "I", "1": "I", "t": "I", "!": "I", "v": "V", "x": "X"}
)
INTEGER_KEYS = {"serial"}


@dataclass(frozen=True)
class FormReadings:
    header: dict[str, FieldReading]
    candidates: tuple[CandidateRow, ...]
    totals: dict[str, FieldReading]
    tables: tuple[TableCells, ...]
    findings: tuple[Finding, ...]


def _text_reading(
    page: NormalisedPage, words: Sequence[TextWord], box: BBox, kind: ValueKind
) -> FieldReading:
    inside = words_in(words, box)
    spill = overflow(words, box, inside) if kind is not ValueKind.CONSTITUENCY_CODE else []
    if spill:  # the value runs on past its box: the box grows to hold it
        inside += spill
        box = box.model_copy(update={"x1": max(w.bbox.x1 for w in spill)})
    text = " ".join(w.text for w in inside)
    original = page.to_original(box)
    source = "text_layer" if page.words is not None else "printed"
    if kind is ValueKind.CONSTITUENCY_CODE:
        text, code, confidence = _code_reading(page, box, text)
        return FieldReading(
            value=code, confidence=confidence, text=text, bbox=original, source=source
        )
    if not text:
        return FieldReading(value=None, confidence=0.0, text="", bbox=original, source=source)
    value = " ".join(w.text for w in inside if any(ch.isalnum() for ch in w.text))
    value = value.replace("|", "I").strip(" .,;:")
    confidence = 0.9 if value else 0.0
    if kind is ValueKind.NUMBERED_NAME and value:
        value, confidence = numbered_name(value)
    if spill:  # written over the ruling, a word across the rule is often misread
        confidence = min(confidence, SPILLED)
    return FieldReading(
        value=value or None,
        confidence=confidence,
        text=text,
        bbox=original,
        source=source,
    )


OVERFLOW_GAP = 0.6  # of a line's height: a word this close past a box's edge continues it
SPILLED = 0.45  # confidence of a value that runs on past its box (below the review line)


def overflow(words: Sequence[TextWord], box: BBox, inside: Sequence[TextWord]) -> list[TextWord]:
    """Words that carry a value's line on past its box's right edge (a long name written
    over the ruling into the margin): the first begins inside the box, or the text inside
    runs into the ruling; each begins within OVERFLOW_GAP line heights of the word before.
    A label in the next cell begins past the ruling, after text that stopped short of it."""
    if not inside:
        return []
    last = max(inside, key=lambda w: w.bbox.x1)
    gap = OVERFLOW_GAP * last.bbox.height
    touching = last.bbox.x1 >= box.x1 - 4  # the last word inside runs into the ruling
    centre = (last.bbox.y0 + last.bbox.y1) / 2
    beyond = sorted(
        (
            w
            for w in words
            if (w.bbox.x0 + w.bbox.x1) / 2 >= box.x1
            and abs((w.bbox.y0 + w.bbox.y1) / 2 - centre) < 0.5 * last.bbox.height
        ),
        key=lambda w: w.bbox.x0,
    )
    spill: list[TextWord] = []
    right = last.bbox.x1
    for word in beyond:
        straddles = word.bbox.x0 < box.x1  # begins inside the box, ends past its edge
        if word.bbox.x0 - right > gap or not (straddles or touching or spill):
            break
        spill.append(word)
        right = word.bbox.x1
    return spill


def numbered_name(text: str) -> tuple[str | None, float]:
    """A place name with a Roman number ("Lahore-VIII"), its number repaired from OCR's
    lookalikes ("Lahore-Vill", "Sialkot-Xll"), and how sure. A number that is no Roman
    figure even after repair is left as read but unsure; a constituency code read in the
    name's box (its neighbour's value) is no name at all."""
    if CONSTITUENCY.fullmatch(text.strip()):
        return None, 0.0
    name, dash, number = text.rpartition("-")
    if not dash or not name or not number or any(c.isdigit() for c in number):
        return text, 0.9
    repaired = number.translate(ROMAN_LOOKALIKES)
    if ROMAN.fullmatch(repaired):
        return f"{name}-{repaired}", 0.9
    if sum(c in "IVX" for c in repaired) >= len(repaired) - 1:
        return text, 0.4  # a Roman number OCR garbled past repair ("Vull"): a person reads it
    return text, 0.9  # a hyphenated name ("Dera-Ismail"), not a number


def constituency_code(text: str) -> tuple[str | None, float]:
    """A constituency code ("NA-135") in OCR text, and how sure: exact, or with a letter
    read for a digit (O, I, l, L, S, B, Z), or none."""
    squeezed = text.replace(" ", "")
    match = CONSTITUENCY.search(squeezed)
    if match is not None:
        return f"{match.group(1).upper()}-{int(match.group(2))}", EXACT_CODE
    loose = LOOSE_CONSTITUENCY.search(squeezed.upper())
    if loose is not None:
        digits = loose.group(2).translate(DIGIT_LOOKALIKES)
        if digits.isdigit():
            return f"{loose.group(1).upper()}-{int(digits)}", REPAIRED_CODE
    return None, 0.2


def _code_reading(page: NormalisedPage, box: BBox, text: str) -> tuple[str, str | None, float]:
    """The constituency code (the text it was read from, the code, how sure): read from
    its box alone (`printed.read_line`) at the page's size, then enlarged, exactly as
    printed; else as the page pass read it (`text`), exactly; else repaired
    (`constituency_code`: a letter read for a digit) from the box alone, then from the
    page pass. The page pass reads the header on a reduced page, where a short code's
    "1" and "-" are a few pixels ("NADL" for NA-11, "NA-202" for NA-201): on the stored
    runs of seeds 9053-9058 it read 38 codes wrong and left 62 unread; read so, 90 read
    right and none wrong (`benchmarks.header_again`). A repair is the last resort:
    "Nass", read alone for NA-153, repairs to NA-55 (seed 9060's NA-153_ps086). A
    text-layer page's words stand (RESULTS, "The header read from its boxes alone")."""
    alone: list[tuple[str, str | None, float]] = []
    for scale in CODE_SCALES if page.words is None else ():
        read = " ".join(w.text for w in read_line(page.gray, box, scale))
        code, sure = constituency_code(read)
        marks = " ".join(t for t in read.split() if any(c.isalnum() for c in t))  # no "|"
        if PRINTED_CODE.fullmatch(marks):  # enlarged only where the page's size fails
            return read, code, sure
        alone.append((read, code, min(sure, REPAIRED_CODE)))
    page_pass = (text, *constituency_code(text))
    if page_pass[2] >= EXACT_CODE:
        return page_pass
    repaired = [r for r in (*alone[:1], page_pass) if r[1] is not None]
    return repaired[0] if repaired else (text, None, 0.2 if text else 0.0)


def _constituency_elsewhere(header: dict[str, FieldReading]) -> FieldReading:
    """The constituency field, or, when it is unread, a code that OCR put in another
    header field (the value box of a neighbouring label), marked as derived."""
    own = header.get("constituency", FieldReading(value=None, text=""))
    if own.value is not None:
        return own
    read = {key: constituency_code(field.text) for key, field in header.items()}
    found = {  # exact readings only: a repaired one in a neighbour's box is too far a guess
        (code, key)
        for key, (code, confidence) in read.items()
        if key != "constituency" and code is not None and confidence >= EXACT_CODE
    }
    codes = {code for code, _ in found}
    if len(codes) != 1:
        return own
    code, key = next(iter(found))
    return FieldReading(
        value=code,
        confidence=0.45,  # below the review line: a person confirms where it came from
        text=header[key].text,
        bbox=header[key].bbox,
        source="derived",
    )


def _serial_reading(page: NormalisedPage, words: Sequence[TextWord], box: BBox) -> FieldReading:
    text = cell_text(words, box)
    digits = re.sub(r"\D", "", text.replace("O", "0").replace("o", "0").replace("l", "1"))
    original = page.to_original(box)
    if digits and len(digits) <= 3:
        return FieldReading(
            value=int(digits), confidence=0.9, text=text, bbox=original, source="printed"
        )
    return _number_reading(page, box, handwritten=False)[0]


SERIAL_FROM_SEQUENCE = 0.85  # confidence of a serial number taken from the row's place


def sequenced_serials(
    rows: Sequence[CandidateRow], places: Sequence[int]
) -> tuple[CandidateRow, ...]:
    """Serial numbers are printed in sequence down the table: where most rows whose
    serial was read (at least two, three fifths of them) read as their place plus one
    offset, a row whose serial was unread or misread ("4" for "14") takes its place's
    number (marked derived, the printed text kept). A continuation page may hold only
    three rows: two of them suffice; a blurred photo may leave half the serials unread."""
    offsets = Counter(
        row.serial.value - place
        for row, place in zip(rows, places, strict=True)
        if isinstance(row.serial.value, int)
    )
    if not offsets:
        return tuple(rows)
    offset, agree = offsets.most_common(1)[0]
    if agree < 2 or agree < 0.6 * sum(offsets.values()):
        return tuple(rows)
    out = []
    for row, place in zip(rows, places, strict=True):
        if row.serial.value != place + offset:
            serial = row.serial.model_copy(
                update={
                    "value": place + offset,
                    "confidence": SERIAL_FROM_SEQUENCE,
                    "source": "derived",
                }
            )
            row = row.model_copy(update={"serial": serial})
        out.append(row)
    return tuple(out)


# Tesseract's confidence in a typed figure (a typed "1061": 0.96); the handwritten
# overwritten figures it read right on seed-9002 pages scored 0.71 ("230", "880")
TYPED_FIGURE = 0.9


# a typed figure (black) that a pen (coloured ink) wrote over: this share of the cell's
# ink is coloured (`pen_share`). Typed figures that looked overwritten on seeds 9002 and
# 9003: 0.00-0.03; a typed "337" with a hand's "2" over its middle digit: 0.385
PEN_OVER_TYPED = 0.15
# ... and a typed figure's bold strokes lay little ink twice: at most this many pixels per
# pixel of the digit's height (clean typed figures that looked overwritten, seed 9002:
# 1.03, 1.33; a black pen's digit over a typed one, seed 9005's PK-49_ps239 and
# PS-167_ps114: 3.65, 2.77; clean handwritten ones on 136 c10001 files: 0.6-2.1)
TYPED_LAID_TWICE = 2.5


# A JPEG saved coarsely rings round dark strokes: the overshoot beside a single stroke
# reads as ink laid twice. Every page accused of FIGURE_OVERWRITTEN falsely on the seven
# stored runs (seeds 9002, 9004-9009: 12 of 4,599 clean pages) was a JPEG, or a PDF of
# one, last saved under quality 50; of their 17 digits (read again at 70b8e4b), none was
# alone of its figure, and 16 laid under 2.0 pixels twice per pixel of height or were no
# darker than 0.075 of the paper. Of the 33 true overwrites found under 50, 24 had a
# digit alone; of the other 9, one fell to those bars (seed 9002's NA-186_ps195: 1.79).
COARSE_JPEG = 50.0
COARSE_LAID_TWICE = 2.0
COARSE_DEPTH = 0.075
# ... and a digit alone of its figure (its neighbours laying no ink twice) that the network
# reads surely is ringing up to this many pixels per pixel of height, unless dark: on the
# cells of seeds 9013-9020 under quality 50, lone digits so read and no darker than
# COARSE_DEPTH laid 1.78-2.49 when clean (seed 9020's PK-13_ps109: 2.18, 1.91), the one
# overwrite among them 3.42 (its PP-76_ps192, "106" -> "116")
COARSE_LONE_LAID_TWICE = 3.0


# ... and in a JPEG of any quality, a digit laying ink twice only just as dark as
# numbers.DOUBLE_INK_DEPTH (from this level of the paper) and no darker than this share
# of its figure's other digits' darkest strokes: ink laid twice lets through about the
# square of what one layer does, far darker than any single stroke beside it, where a
# black pen's bold stroke, blurred at 150 dpi and compressed, darkens its core a little.
# Of the 137 overwrites found on the stored cells of seeds 9013-9016 and 9027, 131 are
# under 0.5 of their neighbours' darkest; one, seed 9016's PS-239_ps231 at JPEG 77, is
# past both bars (0.094, 0.8). The false pages of seeds 9031-9033 at JPEG 52-83:
# 0.088-0.094 of the paper, 0.67-0.74 of their neighbours (NA-81_form47,
# NA-62_ps011's agent copy, PS-219_ps050's agent copy). 0.085 until seed 9035's
# PP-80_ps070 agent copy, a black pen at 150 dpi under JPEG 54: 0.082, 0.695; the seed's
# 17 overwritten cells in JPEGs all found at 0.068 of the paper or darker
# (`benchmarks.overwrite_cells`). A digit alone in its cell has no neighbour to be
# hardly darker than: it is judged as in a lossless scan.
NEAR_DEPTH_BAR = 0.075
FAINTLY_DARKER = 0.6


# A page whose figures are written in a coloured pen is no typed page: a digit whose ink is
# coloured beside neighbours a capture left grey (a pale pen's thin strokes, blurred) was
# no pen written over type. From this share of the page's figures whose ink is coloured
# (its median chroma over numbers.PEN_NEUTRAL) only ink laid twice tells an overwrite.
# Typed pages hold a few: their handwritten header figures and the overwritten ones; seed
# 9022's NA-171_ps106, a blue pen's page in a 150-dpi capture, had five figures accused by
# colour at 171f7df, one still at af5f22d (a "6" whose thin strokes the blur left grey).
PEN_PAGE = 0.5
# ... and on a palette's page (a GIF) from this share: a palette of a few colours maps a
# pale pen's strokes to grey as often as not. Seed 9064's PB-146_ps042 agent copy, a blue
# pen's page in a 150-dpi GIF with a shadow, had 22 of its 44 figures coloured and three
# accused by colour. The GIF pages of seeds 9062-9064: typed 0-0.08 coloured, written in
# a coloured pen 0.50-0.97.
PALETTE_PEN_PAGE = 0.3


# A figure the double-ink test passed is overwritten when the overwrite network
# (`pipeline.strokes`) gives one of its digits' boxes this probability of holding two
# digits' strokes, and that digit lays some ink twice, as dark as ink laid twice. The
# network alone accuses about a clean cell in a thousand on the synthetic forms (seeds
# 9035-9037 at 0.99: 46, 46 and 38 of 41,000-46,000; a "10" cut as one box, a "2" with a
# loop, a bold "0"); of those laying 1.0 pixel twice per pixel of height or more, the
# darkest is at 0.127 of the paper (seed 9035's NA-127_ps053, a "9" laying 1.51), the
# rest 0.143 or paler. Of the ten overwrites the double-ink test missed there, the
# network gave eight 0.99 or more: six lay 1.05-3.4 pixels at 0.045-0.109 of the paper;
# one lays 1.49 at 0.121 (seed 9036's PP-141_ps073), left to keep that margin, and one
# (a pen over type at 150 dpi) lays its ink at 0.165 (`benchmarks.overwrite_cells`).
# From 0.99 down to 0.97 the bar adds seed 9035's NA-176_ps205 (0.976, 1.16 at 0.105) and
# no clean cell on seeds 9035-9038; at 0.95, two (`benchmarks.overwrite_views`). It was
# 0.97 from 6e16a85 to 2026-12-07's d397525; on the unseen seeds 9039-9042 run meanwhile
# the band 0.97-0.99 found no overwrite and accused two clean figures (seed 9039's bold
# "2" laying 3.48 at 0.114, 0.983; seed 9042's PP-219_ps032, an "8" laying 1.05 at 0.112,
# 0.982), so it is 0.99 again. The ink laid twice was 1.0 pixel per pixel of height
# until seed 9044's GBA-15_ps038, a "7" over a "6" at 1.0 to the network laying 0.96,
# was missed. On seeds 9035-9039's saved views, of the digits at 0.99 or more and under
# STROKES_DEPTH, those laying 0.3-1.0: two clean (0.44, 0.72) and one overwrite (0.80,
# seed 9039's NA-159_ps008); none clean from 0.72 up. The bar sits between, at 0.75.
# Where the reader cut a figure's ink into two touching digits, the two are weighed
# joined as well, by the same bars (`_cut_pairs`): seed 9045's NA-228_ps191, a "5" over
# a "3" read "305", its first half 0.92, the two joined 0.9997 laying 2.31 at 0.07. Of
# the 595 pairs so cut in 231 files of seeds 9043-9045, no other passes the bars; the
# clean ones nearest are 0.99 and more laying 0.77-1.77, but at 0.13-0.15 of the paper.
TWO_DIGITS_STROKES = 0.99
STROKES_LAID_TWICE = 0.75  # pixels laid twice per pixel of the digit's height
STROKES_DEPTH = 0.12  # its darkest strokes' level over the paper's
# ... or, if paler than STROKES_DEPTH, as dark against the page's own ink: its darkest
# strokes at most this share of the level of the page's single layer (the median darkest
# level of the digits of its figures the network weighed, PAGE_DIGITS of them at least).
# A pale scan or a pale pen lays one layer at 0.4-0.5 of the paper and ink laid twice at
# 0.16-0.17, no darker than a bold pen's single layer on a darker page: seed 9038's
# NA-213_ps197 (a "7" over a "4", 0.9999 to the network, laying 1.42 at 0.169, its page
# at 0.485) and seed 9037's PK-4_ps133 (0.9918, 3.45 at 0.165; 0.458) were missed. On the
# saved views of seeds 9035-9039 (218,179 figures the double-ink test passed), of those
# the network gives TWO_DIGITS_STROKES laying STROKES_LAID_TWICE or more, the 10
# overwrites lie at 0.24-0.53 of their page's level and one at 0.62, the clean ones at
# 0.65 and paler (a bold "8" on a dark page); on the GIF pages of seeds 9040-9052 (5,017
# figure cells), an overwrite at 0.54 (PP-59_ps107), no clean figure at 0.99 under 0.8.
PAGE_LAYER_SHARE = 0.55
PAGE_DIGITS = 8
# On a palette's page (a GIF) the network alone, this sure, tells an overwrite whatever its
# depth: a palette of a few levels leaves the crossing no darker than the strokes, and a
# pale page's strokes all short of STROKES_DEPTH. Seed 9054's PP-201_ps155 (0.9998, at
# 0.23 of the paper), 9055's PS-118_ps234 (0.9999, 0.207), 9056's NA-178_ps184 (0.9962,
# 0.15) and 9057's PS-147_ps112 (0.9998, 0.153) were missed so. Of the 6,622 figure cells
# of the GIF pages of seeds 9035-9039 and 9040-9052 (`benchmarks.overwrite_cells --views`),
# the surest clean one is 0.991 (seed 9048's PP-176_ps002, a total at 0.194), none 0.995.
# Only the digits as the reader cut them: two touching digits joined (`_cut_pairs`) are two
# digits' strokes indeed (seed 9054's PP-201_ps155: a clean "32" and "00" joined, 0.9996).
# Every GIF page of seeds 9035-9057 read again: 11 / 1 / 1 pages (TP / FP / FN), the false
# one seed 9053's NA-54_form47, a clean "0" the network gives 0.9996, this rule's cost.
PALETTE_TWO_DIGITS = 0.995
# A digit the double-ink test suspects holds one digit's strokes, not two, when the
# network gives it under this: seed 9038's PK-11_ps143, a "9" under JPEG 35 laying 2.1
# pixels twice per pixel of height at 0.071 of the paper, 0.0012. The 97 overwrites the
# test suspected on seeds 9035-9038: 0.035 or more.
ONE_DIGIT_STROKES = 0.01
# Two cues each short of its own bar, agreeing: the digit reader unsure what the digit is
# (under UNSURE_DIGIT: two digits' shapes in one box) and the network fairly sure it holds
# two digits' strokes (UNSURE_TWO_DIGITS), laying some ink twice (UNSURE_LAID_TWICE) as
# dark as ink laid twice (STROKES_DEPTH). Misses so of seeds 9053 and 9058, read again
# at 535d82e: seed 9058's PP-226_ps108, a "9" over a "1" under JPEG 46 (0.946 to the
# network, the reader 0.70, laying 0.68 at 0.087 of the paper) and 9053's NA-87_ps008, a
# "9" over a "1" the reader cut in two (0.9997 joined, the reader 0.85 and 0.57, laying
# 0.73 at 0.107). Of the 35,206 figure cells of seed 9062 (`benchmarks.overwrite_cells`),
# 132 clean ones are 0.9 or more to the network; of them, those whose digit the reader is
# unsure of lay under 0.1 pixel twice per pixel of height, or are paler than 0.14 (a "1"
# laying 1.0 at 0.149). A digit the double-ink test suspects is not cleared by the
# network's ONE_DIGIT_STROKES either while the reader is unsure of it: seed 9060's
# PP-99_ps150, an "8" over a "7" read "4" at 0.37, laying 1.53 at 0.075, 0.0002 to the
# network; the clean suspects it cleared on seed 9062 were read at 0.99 and 0.999.
UNSURE_DIGIT = 0.9
UNSURE_TWO_DIGITS = 0.9
UNSURE_LAID_TWICE = 0.5


STATION_NUMBER = "polling_station_number"
# a station's number has at most this many digits: a constituency has a few hundred
# stations (90,675 over 266 National Assembly seats in 2024)
STATION_DIGITS = 3


def _figure_words(words: Sequence[TextWord], box: BBox) -> tuple[list[TextWord], str]:
    """The page OCR's words in a cell that hold a digit, and the digits they read."""
    inside = [w for w in words_in(words, box) if re.search(r"\d", w.text)]
    return inside, re.sub(r"\D", "", " ".join(w.text for w in inside))


def _typed_otherwise(field: FieldReading, words: Sequence[TextWord], box: BBox) -> FieldReading:
    """The station number is typed on most forms, and the page's OCR reads type: where
    it reads the cell surely (TYPED_FIGURE) as another figure, one that is no part of the
    digit reader's (OCR loses a digit at a cell's edge: "7" for a typed 17, seed 9031's
    NA-102_ps017), the two readers disagree. The digit reader's figure is withheld and
    OCR's joins its alternatives: seed 9031's PP-183_ps029, a bold typed "29" blurred into
    one blob the digit reader read "8" at 0.957, OCR "29" at 0.96; its own stamp, "PS 29",
    was taken for another station's. A withheld number is still what the stamp check
    weighs (`stamp_text.header_text`), with every reading; reconciliation leaves the form
    unnumbered rather than filed under another station."""
    inside, typed = _figure_words(words, box)
    if (
        not typed
        or len(typed.lstrip("0")) > STATION_DIGITS
        or not all(w.text.isdecimal() for w in inside)
        or typed in field.text
        or not all(w.confidence >= TYPED_FIGURE for w in inside)
    ):
        return field
    ocr = (int(typed), round(min(w.confidence for w in inside), 4))
    others = (a for a in field.alternatives if a[0] != ocr[0])
    return field.model_copy(update={"value": None, "alternatives": (ocr, *others)})


def _typed_alone(page: NormalisedPage, field: FieldReading, box: BBox) -> FieldReading:
    """A header figure withheld as unsure (the digit reader under its acceptance, or two
    readers disagreeing: `_typed_otherwise`) read from its box alone by OCR
    (`printed.read_line`): one word of digits, read surely (TYPED_FIGURE), that is the
    digit reader's figure or one of its alternatives. Two readers then agree, and the
    figure stands at OCR's confidence. Header figures are typed on most forms; the page
    pass reads them on a reduced page, and a typed figure read alone at the page's size
    reads as surely as its print (seed 9058's GBA-11_ps119, "119" withheld at 0.527, 719
    the alternative; alone "119" at 0.97). Where the box at the page's size reads no
    figure surely it is read enlarged (seed 9053's NA-90_ps119: "fi", then "119" at
    0.96). A handwritten figure OCR reads surely as one of the digit reader's is rare; it
    stands for the same reason."""
    if field.value is not None or page.words is not None:
        return field
    readings = {a for a, _ in field.alternatives}
    if field.text.isdecimal():
        readings.add(int(field.text))
    for scale in CODE_SCALES:  # enlarged where the page's size reads no figure surely
        words = read_line(page.gray, box, scale)
        if len(words) == 1 and words[0].text.isdecimal() and words[0].confidence >= TYPED_FIGURE:
            figure = int(words[0].text)
            if figure not in readings:
                return field
            return field.model_copy(
                update={"value": figure, "confidence": round(words[0].confidence, 4)}
            )
    return field


class _Figures:
    """Reads figures and remembers the ones that look overwritten; judges them once the
    page's figures are all read (`findings`)."""

    def __init__(self, page: NormalisedPage, handwritten: bool, words: Sequence[TextWord]) -> None:
        self.page, self.handwritten, self.words = page, handwritten, words
        self.suspects: list[tuple[str, BBox, NumberReading]] = []
        # figures whose ink the double-ink test passed, but the overwrite network says
        # one digit's box holds two digits' strokes (`pipeline.strokes`)
        self.two_in_one: list[tuple[str, BBox, NumberReading, StrokesOverwritten]] = []
        # ... the network sure, the ink laid twice, but paler than STROKES_DEPTH: judged
        # against the page's single layer once every figure is read (PAGE_LAYER_SHARE)
        self.pale_two: list[tuple[str, BBox, NumberReading, StrokesOverwritten]] = []
        self.depths: list[float] = []  # the weighed digits' darkest levels, page-wide
        self.palette = page.source.palette
        self.inked = 0  # figures read with ink
        self.coloured = 0  # ... of them, in a pen's coloured ink

    def read(self, name: str, box: BBox) -> FieldReading:
        field, reading = _number_reading(self.page, box, handwritten=self.handwritten)
        if reading is not None and reading.digits:
            self.inked += 1
            self.coloured += reading.tint > PEN_NEUTRAL
        if reading is not None and reading.overwritten:
            self.suspects.append((name, box, reading))
        elif reading is not None and reading.digits:
            cell = self.page.image[box.y0 : box.y1, box.x0 : box.x1]
            digits = [d.bbox for d in reading.digits]
            # ... and, where one was cut in two, it whole
            cut = [_joined(a, b) for a, b in _cut_pairs(digits)]
            # a palette's page (a GIF) gathers ink laid twice into its strokes' own few
            # levels: there the network and the depth suffice. Seed 9052's PS-243_ps159
            # (a "6" over a "5", 1.0 to the network, laying none twice at 0.089) and seed
            # 9043's PB-26_ps149 (0.99999, none, 0.111) were missed; of the 5,017 figure
            # cells of the GIF pages of seeds 9040-9052, the clean ones with a digit under
            # STROKES_DEPTH are 0.81 at most to the network, the overwrites 0.99996-1.0
            # (`benchmarks.overwrite_cells`)
            pale: list[StrokesOverwritten] = []
            for boxes in (digits, cut) if cut else (digits,):
                strokes = overwritten_strokes(cell, [_xywh(b) for b in boxes])
                if strokes is None:
                    continue
                if boxes is digits:
                    self.depths += strokes.depths
                if _unsure_two(strokes, _sureness(reading, strokes.box)):
                    self.two_in_one.append((name, box, reading, strokes))
                    break
                if strokes.probability >= TWO_DIGITS_STROKES and (
                    strokes.per_height >= STROKES_LAID_TWICE or self.palette
                ):
                    surest = (
                        self.palette
                        and boxes is digits
                        and strokes.probability >= PALETTE_TWO_DIGITS
                    )
                    if strokes.depth < STROKES_DEPTH or surest:
                        self.two_in_one.append((name, box, reading, strokes))
                        break
                    pale.append(strokes)
            else:
                if pale:
                    darkest = min(pale, key=lambda s: s.depth)
                    self.pale_two.append((name, box, reading, darkest))
        return field

    def _dark_for_page(self) -> list[tuple[str, BBox, NumberReading, StrokesOverwritten]]:
        """The figures in `pale_two` whose digit is dark against the page's single layer
        of ink (PAGE_LAYER_SHARE, PAGE_DIGITS)."""
        if len(self.depths) < PAGE_DIGITS:
            return []
        layer = statistics.median(self.depths)
        return [f for f in self.pale_two if f[3].depth <= PAGE_LAYER_SHARE * layer]

    def overwritten(self) -> list[tuple[str, BBox, NumberReading]]:
        """The suspects that stand: on a page written in a coloured pen (PEN_PAGE), colour
        tells no overwrite; a digit the overwrite network sees one digit's strokes in
        (`_strokes`) is none, nor typed figures' bold strokes (`_typed`) or a coarse JPEG's
        ringing (`_ringing`) unless the network sees two digits' strokes in the digit
        (TWO_DIGITS_STROKES): seed 9042's NA-60_ps186, a blue "9" over a "1" under JPEG
        42, 1.93 pixels laid twice per pixel of height (under COARSE_LAID_TWICE), 0.31 as
        dark as its neighbours, the network 0.99999; seed 9046's PP-94_ps073, a "7" over
        a "0" that both readers read "107" surely, the network 0.996. Of the suspects
        cleared on seeds 9035-9039 (`benchmarks.overwrite_cells --views`) the network gave
        none 0.97 or more (a clean "510" at JPEG 43 0.934, the highest)."""
        pen_page = self.coloured > (PALETTE_PEN_PAGE if self.palette else PEN_PAGE) * self.inked
        out = []
        for name, box, reading in self.suspects:
            if pen_page and reading.overwrite_pen:
                reading = replace(reading, overwrite_pen=False)
                if not reading.ink_laid_twice:
                    continue
            strokes = self._strokes(box, reading)
            unsure = reading.overwrite_box is not None and (
                _sureness(reading, reading.overwrite_box) < UNSURE_DIGIT
            )
            if strokes is not None and strokes < ONE_DIGIT_STROKES and not unsure:
                continue  # one digit's strokes: a bold stroke's ink or a JPEG's ringing
            two = strokes is not None and strokes >= TWO_DIGITS_STROKES
            # nor does a coarse JPEG's ringing make a digit the reader is unsure of, the
            # network not sure it is one digit's strokes (seed 9060's NA-32_ps138, a "3"
            # over a "1" under JPEG 47 read "2" at 0.77, 0.22 to the network; the clean
            # suspects ringing cleared on seeds 9062 and 9063 were read at 0.96 or more)
            doubted = unsure and strokes is not None and strokes >= ONE_DIGIT_STROKES
            rings = self._ringing(reading) and not doubted
            if not two and (self._typed(box, reading) or rings):
                continue
            out.append((name, box, reading))
        return out

    def _strokes(self, box: BBox, reading: NumberReading) -> float | None:
        """The overwrite network's probability that the digit the double-ink test names
        holds two digits' strokes: under ONE_DIGIT_STROKES, surely one digit's (ink laid
        twice by a bold stroke or a JPEG's ringing); from TWO_DIGITS_STROKES, surely two,
        which no ringing makes (`_ringing`). None for a pen's coloured digit over type,
        told by its colour alone."""
        digit = reading.overwrite_box
        if reading.overwrite_pen or digit is None:
            return None
        cell = self.page.image[box.y0 : box.y1, box.x0 : box.x1]
        # a digit written over another may be cut in two, and the network, shown half of
        # it, sees one digit's strokes: seed 9044's PP-80_ps198, a "2" over a "0" cut
        # into two boxes (read "3112" for 312), 0.0025 on the named half, 0.9998 whole
        pairs = _cut_pairs([d.bbox for d in reading.digits])
        parts = [digit, *(_joined(a, b) for a, b in pairs if digit in (a, b))]
        weighed = [
            strokes.probability
            for part in parts
            if (strokes := overwritten_strokes(cell, [_xywh(part)])) is not None
        ]
        return max(weighed, default=None)

    def _ringing(self, reading: NumberReading) -> bool:
        """Whether a digit that lays ink twice may be a coarse JPEG's ringing: the page
        last saved under COARSE_JPEG, and the digit not alone of its figure in doing so,
        unsure to the network or laying it far (COARSE_LONE_LAID_TWICE), nor laying it
        long and dark (COARSE_LAID_TWICE, COARSE_DEPTH); or, in a JPEG of any quality, a
        digit told only by its darkness beside its neighbours' (numbers.DARK_LONE_PER_HEIGHT),
        or only just dark enough and hardly darker than its neighbours (NEAR_DEPTH_BAR,
        FAINTLY_DARKER)."""
        jpeg = self.page.source.jpeg
        if jpeg is not None and reading.overwrite_by_darkness:
            return True  # at any quality (numbers.DARK_LONE_PER_HEIGHT)
        if (
            jpeg is not None
            and not reading.overwrite_pen
            and reading.overwrite_depth >= NEAR_DEPTH_BAR
            and FAINTLY_DARKER < reading.overwrite_darker_by < 1.0  # 1.0: no neighbour
        ):
            return True  # a bold stroke's compressed core, no second layer of ink
        far = reading.overwrite_alone and reading.overwrite_per_height >= COARSE_LONE_LAID_TWICE
        return (
            jpeg is not None
            and jpeg.quality < COARSE_JPEG
            and not reading.overwrite_unsure
            and not reading.overwrite_pen
            and not far
            and (
                reading.overwrite_per_height < COARSE_LAID_TWICE
                or reading.overwrite_depth >= COARSE_DEPTH
            )
        )

    def _typed(self, box: BBox, reading: NumberReading) -> bool:
        """The page-wide OCR read the cell's figure surely and just as the digit reader
        did: a typed figure, whose bold strokes are no second digit written over the first
        (Tesseract reads a handwritten figure right at times, less surely), unless far more
        ink is laid twice than bold type lays (a black pen's digit over a typed one) or one
        digit alone lays it, sure to the network or not (type lays every digit alike: seed
        9004's two overwrites Tesseract read surely, PP-221_ps188 and PS-237_ps175, had
        their neighbours at 0.000-0.013 of their ink laid twice; the typed figures seed
        9006 so cleared, 0.03-0.14, or their darkest digit read at 0.999, which cleared it
        until eca2b0b: seed 9019's PP-71_ps210, "27" read surely by both, its "2" laying
        2.10 pixels twice per pixel of height, its "7" none; on seeds 9013-9020 no clean
        cell is accused for it)."""
        words, printed = _figure_words(self.words, box)
        return (
            len(printed) >= 2
            and printed == re.sub(r"\D", "", reading.text)
            and all(w.confidence >= TYPED_FIGURE for w in words)
            and pen_share(self.page.image[box.y0 : box.y1, box.x0 : box.x1]) < PEN_OVER_TYPED
            and reading.overwrite_per_height < TYPED_LAID_TWICE
            and not reading.overwrite_alone
            and not reading.overwrite_pen
        )

    def findings(self) -> tuple[Finding, ...]:
        seen = [
            (
                name,
                box,
                reading,
                reading.overwrite_box,
                "a pen's coloured digit over type" if reading.overwrite_pen else "ink laid twice",
            )
            for name, box, reading in self.overwritten()
        ]
        seen += [
            (name, box, reading, strokes.box, "two digits' strokes in one digit's box")
            for name, box, reading, strokes in [*self.two_in_one, *self._dark_for_page()]
        ]
        return tuple(
            Finding(
                code=FindingCode.FIGURE_OVERWRITTEN,
                severity=FINDING_DOCS[FindingCode.FIGURE_OVERWRITTEN][0],
                message=f"{name}: one digit written over another (read {reading.text!r})",
                evidence=Evidence(
                    bbox=self.page.to_original(box),
                    boxes=self._digit(box, digit),
                    values={
                        "field": name,
                        "read": reading.text,
                        "confidence": round(reading.confidence, 3),
                        "seen_by": cue,
                    },
                ),
            )
            for name, box, reading, digit, cue in seen
        )

    def _digit(self, cell: BBox, digit: BBox | None) -> tuple[BBox, ...]:
        """The digit written over, in the original scan (its box in the cell, moved)."""
        if digit is None:
            return ()
        moved = BBox(
            x0=cell.x0 + digit.x0,
            y0=cell.y0 + digit.y0,
            x1=cell.x0 + digit.x1,
            y1=cell.y0 + digit.y1,
        )
        return (self.page.to_original(moved),)


def _sureness(reading: NumberReading, box: BBox) -> float:
    """The digit reader's probability of the digit in `box`, or of the less sure of the
    digits it joins (a digit cut in two: `_cut_pairs`); 1.0 where no digit read is in it."""
    return min((d.probability for d in reading.digits if box.contains(d.bbox)), default=1.0)


def _unsure_two(strokes: StrokesOverwritten, sureness: float) -> bool:
    """Whether two cues short of their own bars agree on an overwrite: the reader unsure
    of the digit and the network fairly sure of two digits' strokes, some ink laid twice
    as dark as ink laid twice (UNSURE_DIGIT, UNSURE_TWO_DIGITS, UNSURE_LAID_TWICE)."""
    return (
        sureness < UNSURE_DIGIT
        and strokes.probability >= UNSURE_TWO_DIGITS
        and strokes.per_height >= UNSURE_LAID_TWICE
        and strokes.depth < STROKES_DEPTH
    )


def _joined(a: BBox, b: BBox) -> BBox:
    return BBox(x0=min(a.x0, b.x0), y0=min(a.y0, b.y0), x1=max(a.x1, b.x1), y1=max(a.y1, b.y1))


def _cut_pairs(digits: Sequence[BBox]) -> list[tuple[BBox, BBox]]:
    """Each two neighbouring digits cut from one stroke of ink (`numbers._split_touching`
    leaves no gap between the parts)."""
    return [(a, b) for a, b in itertools.pairwise(digits) if a.x1 == b.x0]


def _xywh(box: BBox) -> tuple[int, int, int, int]:
    return box.x0, box.y0, box.width, box.height


def _number_reading(
    page: NormalisedPage, box: BBox, *, handwritten: bool
) -> tuple[FieldReading, NumberReading | None]:
    if box.width < 8 or box.height < 8:
        return FieldReading(value=None, text="", bbox=page.to_original(box)), None
    reading = read_number(page.image[box.y0 : box.y1, box.x0 : box.x1])
    return FieldReading(
        value=reading.value,
        confidence=round(min(1.0, reading.confidence), 4),
        text=reading.text,
        bbox=page.to_original(box),
        source="handwritten" if handwritten else "printed",
        alternatives=figure_alternatives(reading),
    ), reading


STRUCK_OUT = re.compile(r"^[XxKk×]{6,}$")


def _struck_out(cells: dict[str, BBox], words: Sequence[TextWord]) -> bool:
    """An unused row filled with X's (the printed name cell holds nothing else)."""
    if "name" not in cells:
        return False
    text = cell_text(words, cells["name"]).replace(" ", "")
    return bool(STRUCK_OUT.match(text))


def read_form(
    page: NormalisedPage, located: LocatedForm, template: Template | None
) -> FormReadings:
    """Read every located field; in generic mode only the tables' cells."""
    words = located.words
    tables = tuple(
        TableCells(
            bbox=page.to_original(table.bbox),
            n_rows=table.n_rows,
            n_cols=table.n_cols,
            cells=tuple(
                Cell(row=i, col=j, bbox=page.to_original(cell), text=cell_text(words, cell))
                for i, row in enumerate(table.cells)
                for j, cell in enumerate(row)
            ),
        )
        for table in located.tables
    )
    if template is None:
        return FormReadings(header={}, candidates=(), totals={}, tables=tables, findings=())
    handwritten = template.handwritten_figures
    kinds = {spec.key: spec.kind for spec in (*template.header, *template.totals)}
    header: dict[str, FieldReading] = {}
    figures = _Figures(page, handwritten, words)
    for field in located.header:
        kind = kinds.get(field.key, ValueKind.TEXT)
        if kind is ValueKind.INTEGER:
            header[field.key] = figures.read(f"header.{field.key}", field.value_box)
            if field.key == STATION_NUMBER:
                header[field.key] = _typed_otherwise(header[field.key], words, field.value_box)
            header[field.key] = _typed_alone(page, header[field.key], field.value_box)
        else:
            header[field.key] = _text_reading(page, words, field.value_box, kind)
    if kinds.get("constituency") is ValueKind.CONSTITUENCY_CODE:
        derived = _constituency_elsewhere(header)
        if derived.value is not None or "constituency" in header:
            header["constituency"] = derived
    totals: dict[str, FieldReading] = {}
    for field in located.totals:
        totals[field.key] = figures.read(f"totals.{field.key}", field.value_box)
    rows = []
    places = []
    empty = FieldReading(value=None, text="")
    for row in located.candidate_rows:
        cells = row.cells
        printed = [
            w for k in ("serial", "name", "party") if k in cells for w in words_in(words, cells[k])
        ]
        if not printed or _struck_out(cells, words):
            continue  # an empty ruled row, or an unused row crossed out with X's
        serial = _serial_reading(page, words, cells["serial"]) if "serial" in cells else empty
        values: dict[str, FieldReading | None] = {}
        for key in VOTE_COLUMNS:
            if key in cells:
                name = f"candidates[{serial.value or row.row_index}].{key}"
                values[key] = figures.read(name, cells[key])
        rows.append(
            CandidateRow(
                serial=serial,
                name=_text_reading(page, words, cells["name"], ValueKind.TEXT)
                if "name" in cells
                else empty,
                party=_text_reading(page, words, cells["party"], ValueKind.TEXT)
                if "party" in cells
                else empty,
                votes=values.get("votes") or empty,
                tendered_votes=values.get("tendered_votes"),
                challenged_votes=values.get("challenged_votes"),
                total_valid_votes=values.get("total_valid_votes"),
                row_bbox=page.to_original(row.bbox),
            )
        )
        places.append(row.row_index)
    return FormReadings(
        header=header,
        candidates=sequenced_serials(rows, places),
        totals=totals,
        tables=tables,
        findings=figures.findings(),
    )
