"""The read stage: the real Kenya Form 34 (printed names, figures through read_number), serials."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.model import BBox, CandidateRow, FieldReading
from pipeline.numbers import NumberReading
from pipeline.options import Limits
from pipeline.pages import TextWord
from pipeline.stages.load import load_pages
from pipeline.stages.locate import locate_form
from pipeline.stages.normalise import normalise_page
from pipeline.stages.read import FormReadings, overflow, read_form, sequenced_serials
from pipeline.templates import bundled_templates, resolve_template
from tests.stages import kenya_form34 as kenya


@pytest.fixture(scope="module")
def readings() -> FormReadings:
    if not kenya.SCAN.exists():
        pytest.skip("real-data folder not present")
    page = normalise_page(load_pages(kenya.SCAN, limits=Limits())[0])
    template = resolve_template("ke-form34")
    return read_form(page, locate_form(page, bundled_templates()), template)


def test_candidate_names_are_read_and_crossed_out_rows_dropped(readings: FormReadings) -> None:
    names = [row.name.value for row in readings.candidates]
    assert len(names) == len(kenya.CANDIDATE_NAMES)
    exact = sum(a == b for a, b in zip(names, kenya.CANDIDATE_NAMES, strict=True))
    assert exact >= 7, names  # "PAUL KIBUGI MUITE" loses its middle word to the grid
    assert all(row.name.confidence > 0 for row in readings.candidates)


def test_every_field_has_a_box_in_the_original_scan(readings: FormReadings) -> None:
    fields = [*readings.header.values(), *readings.totals.values()]
    fields += [row.votes for row in readings.candidates]
    assert fields
    for field in fields:
        assert field.bbox is not None
        assert 0 <= field.bbox.x0 < field.bbox.x1 <= 2480
        assert 0 <= field.bbox.y0 < field.bbox.y1 <= 3507
        assert 0.0 <= field.confidence <= 1.0


def test_handwritten_figures_go_through_read_number(readings: FormReadings) -> None:
    totals = readings.totals
    assert set(totals) | set(readings.header) == set(kenya.FIGURES)
    assert all(f.source == "handwritten" for f in totals.values())
    read = {k: f.value for k, f in totals.items() if f.value is not None}
    right = sum(read[k] == kenya.FIGURES[k] for k in read)
    assert right >= 4, read  # measured: 5 of the 7 read, all 5 right


def test_generic_mode_reads_cells_only(readings: FormReadings) -> None:
    page = normalise_page(load_pages(kenya.SCAN, limits=Limits())[0])
    located = locate_form(page, [t for t in bundled_templates() if t.country == "PK"])
    generic = read_form(page, located, None)
    assert generic.header == {} and generic.candidates == ()
    texts = " ".join(c.text for table in generic.tables for c in table.cells)
    assert "RAILA ODINGA" in texts


def _row(serial: int | None, text: str) -> CandidateRow:
    return CandidateRow(
        serial=FieldReading(value=serial, confidence=0.9, text=text, source="printed"),
        name=FieldReading(value="A. Candidate"),
        votes=FieldReading(value=3),
    )


def test_a_misread_serial_takes_its_place_in_the_printed_sequence() -> None:
    rows = [_row(11, "11"), _row(12, "12"), _row(4, "4"), _row(None, "l?"), _row(15, "15")]
    fixed = sequenced_serials(rows, [0, 1, 2, 3, 4])
    assert [r.serial.value for r in fixed] == [11, 12, 13, 14, 15]
    assert fixed[2].serial.source == "derived"
    assert fixed[2].serial.text == "4"  # what was printed-and-read stays on record
    assert fixed[0].serial == rows[0].serial


def test_two_of_three_rows_on_a_continuation_page_set_the_sequence() -> None:
    rows = [_row(1, "il"), _row(12, "12"), _row(13, "13")]  # "11" read as "il"
    assert [r.serial.value for r in sequenced_serials(rows, [0, 1, 2])] == [11, 12, 13]


def test_serials_read_on_a_few_rows_set_the_sequence_for_the_unread_ones() -> None:
    # a blurred photo: five serials unread, "9" read as "8"; the four read in sequence rule
    read = {0: 1, 1: 2, 2: 3, 8: 8, 9: 10}
    rows = [_row(read.get(i), str(read.get(i, "?"))) for i in range(10)]
    fixed = sequenced_serials(rows, list(range(10)))
    assert [r.serial.value for r in fixed] == list(range(1, 11))


def test_serials_without_a_clear_sequence_are_left_as_read() -> None:
    rows = [_row(1, "1"), _row(7, "7"), _row(3, "3"), _row(9, "9")]
    assert sequenced_serials(rows, [0, 1, 2, 3]) == tuple(rows)


def _word(text: str, x0: int, x1: int) -> TextWord:
    return TextWord(text=text, bbox=BBox(x0=x0, y0=600, x1=x1, y1=627))


def test_a_name_written_on_past_its_box_is_followed_over_the_ruling() -> None:
    box = BBox(x0=1700, y0=560, x1=2314, y1=660)
    words = [_word("School", 2081, 2201), _word("Kot", 2214, 2277), _word("Lakhpat", 2289, 2436)]
    inside = [w for w in words if (w.bbox.x0 + w.bbox.x1) / 2 < box.x1]
    assert [w.text for w in overflow(words, box, inside)] == ["Lakhpat"]


def test_a_label_in_the_next_cell_is_not_taken_for_the_value() -> None:
    box = BBox(x0=1700, y0=560, x1=2314, y1=660)
    words = [_word("School", 2081, 2201), _word("Kot", 2214, 2300), _word("Date", 2316, 2380)]
    inside = words[:2]
    assert overflow(words, box, inside) == []  # "Kot" stops short of the ruling


def test_a_typed_figure_read_surely_by_ocr_is_not_an_overwrite() -> None:
    from pipeline.stages.read import _Figures

    box = BBox(x0=300, y0=380, x1=620, y1=450)
    bold = NumberReading(value=1061, text="1061", confidence=0.99, status="ok", overwritten=True)

    def figures(*words: TextWord) -> _Figures:
        paper = SimpleNamespace(
            image=np.full((500, 500, 3), 240, np.uint8),  # no pen ink
            source=SimpleNamespace(palette=False),
        )
        return _Figures(page=paper, handwritten=True, words=words)  # type: ignore[arg-type]

    typed = TextWord(text="1061", bbox=BBox(x0=330, y0=395, x1=420, y1=435), confidence=0.96)
    assert figures(typed)._typed(box, bold)
    # a handwritten figure Tesseract happens to read right, less surely: still an overwrite
    written = TextWord(text="1061", bbox=typed.bbox, confidence=0.71)
    assert not figures(written)._typed(box, bold)
    # read otherwise, or not at all: the digit reader's word stands
    other = TextWord(text="1081", bbox=typed.bbox, confidence=0.96)
    assert not figures(other)._typed(box, bold)
    assert not figures()._typed(box, bold)
    # a black pen's digit over a typed one lays far more ink twice than bold type does
    # (seed 9005's PK-49_ps239: 3.65 pixels per pixel of height; bold type: 1.0-1.3)
    for laid, typed_still in ((1.3, True), (2.4, True), (2.77, False), (3.65, False)):
        reading = dataclasses.replace(bold, overwrite_per_height=laid)
        assert figures(typed)._typed(box, reading) is typed_still
    # one digit alone laying ink twice, sure to the network or not: type lays its digits
    # alike (seed 9019's PP-71_ps210, a "2" over a "7" Tesseract read surely as "27")
    assert not figures(typed)._typed(box, dataclasses.replace(bold, overwrite_alone=True))
    # a pen's coloured digit over the typed figure (`numbers.pen_over_type`): no bold type
    assert not figures(typed)._typed(box, dataclasses.replace(bold, overwrite_pen=True))


def test_a_coarse_jpegs_ringing_is_no_overwrite_unless_long_and_dark_or_alone() -> None:
    from pipeline.pages import IJG_LUMINANCE, JpegLayer
    from pipeline.stages.read import _Figures

    def figures(quality: int | None) -> _Figures:
        jpeg = None
        if quality is not None:  # the IJG scaling of the standard table
            scale = 5000 / quality if quality < 50 else 200 - 2 * quality
            table = tuple(max(1, min(255, (q * round(scale) + 50) // 100)) for q in IJG_LUMINANCE)
            jpeg = JpegLayer(luminance=np.zeros((8, 8), np.uint8), quantization=table)
        page = SimpleNamespace(source=SimpleNamespace(jpeg=jpeg, palette=False))
        return _Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]

    assert abs(figures(40).page.source.jpeg.quality - 40) < 1  # type: ignore[attr-defined]
    assert abs(figures(85).page.source.jpeg.quality - 85) < 1  # type: ignore[attr-defined]
    faint = NumberReading(
        value=91,
        text="91",
        confidence=0.99,
        status="ok",
        overwritten=True,
        overwrite_per_height=1.5,
        overwrite_depth=0.06,
    )
    # seed 9008's PP-42_ps045 at quality 39: a short run of "twice" pixels
    assert figures(40)._ringing(faint)
    # ... which at quality 50 and over, or in a PNG, stays an overwrite
    assert not figures(85)._ringing(faint)
    assert not figures(None)._ringing(faint)
    # laid long but no darker than ringing makes a stroke (seed 9008's PB-39_ps200: 3.1, 0.08)
    pale = dataclasses.replace(faint, overwrite_per_height=3.1, overwrite_depth=0.08)
    assert figures(40)._ringing(pale)
    # long and dark, or one digit alone of its figure, unsure to the network: a pen's
    # second digit
    assert not figures(40)._ringing(dataclasses.replace(pale, overwrite_depth=0.02))
    alone = dataclasses.replace(faint, overwrite_alone=True, overwrite_unsure=True)
    assert not figures(40)._ringing(alone)
    # ... but alone and read surely, ringing may darken one digit as well as all (seed
    # 9020's PK-13_ps109 at quality 35: "356" and "3347", one digit each at 2.18 and 1.91)
    assert figures(40)._ringing(
        dataclasses.replace(pale, overwrite_alone=True, overwrite_per_height=2.18)
    )
    # ... unless laid far (COARSE_LONE_LAID_TWICE: its PP-76_ps192, "116" over "106", 3.42)
    far = dataclasses.replace(pale, overwrite_alone=True, overwrite_per_height=3.42)
    assert not figures(40)._ringing(far)
    assert figures(40)._ringing(dataclasses.replace(far, overwrite_alone=False))
    # a pen's coloured digit over type is told by its colour, which ringing does not make
    assert not figures(40)._ringing(dataclasses.replace(faint, overwrite_pen=True))
    # a digit told only by its darkness beside its neighbours' (numbers.DARK_LONE_PER_HEIGHT)
    # stands in a lossless scan only (seed 9030's PP-120_ps142 agent copy at quality 54)
    darker = dataclasses.replace(faint, overwrite_alone=True, overwrite_by_darkness=True)
    assert figures(85)._ringing(darker) and figures(54)._ringing(darker)
    assert not figures(None)._ringing(darker)
    # a digit only just past the depth bar and hardly darker than its neighbours, in a JPEG
    # of any quality: a black pen's bold stroke compressed (seed 9033's PS-219_ps050 agent
    # copy at 61: 0.094 of the paper, 0.74 of its neighbours' darkest)
    bold = dataclasses.replace(
        faint, overwrite_depth=0.094, overwrite_darker_by=0.74, overwrite_alone=True
    )
    assert figures(61)._ringing(bold) and figures(85)._ringing(bold)
    assert not figures(None)._ringing(bold)  # a lossless scan: judged as it was
    # far darker than its neighbours (ink laid twice), or far darker than the bar: stands
    assert not figures(61)._ringing(dataclasses.replace(bold, overwrite_darker_by=0.45))
    assert not figures(61)._ringing(dataclasses.replace(bold, overwrite_depth=0.06))
    # seed 9035's PP-80_ps070 agent copy at 54: 0.082 of the paper, 0.695 of its neighbours
    assert figures(54)._ringing(
        dataclasses.replace(bold, overwrite_depth=0.082, overwrite_darker_by=0.695)
    )
    # ... but a figure of one digit has no neighbour to be hardly darker than (1.0: none)
    assert not figures(54)._ringing(
        dataclasses.replace(bold, overwrite_depth=0.082, overwrite_darker_by=1.0)
    )
    # ... and a pen's coloured digit over type is told by its colour
    assert not figures(61)._ringing(dataclasses.replace(bold, overwrite_pen=True))


def test_an_overwrite_names_the_digit_written_over_and_how_it_was_seen() -> None:
    """The finding's evidence: the cell, the digit's own box in the scan, the cue."""
    from pipeline.stages.read import _Figures
    from pipeline.synth.handwriting import Hand, overwrite_digit, printed_number
    from pipeline.synth.ink import BLUE_BALLPOINT, composite

    rng = np.random.default_rng(1)
    canvas = np.full((500, 700, 3), 244, np.uint8)
    typed = printed_number("85", 29)
    alpha, layer = overwrite_digit(typed, 0, 2, Hand.random(rng), rng)
    composite(canvas, alpha, (30, 30, 30), 340, 395)
    composite(canvas, layer, BLUE_BALLPOINT, 340, 395)
    page = SimpleNamespace(
        image=canvas[:, :, ::-1].copy(),
        to_original=lambda b: b,
        source=SimpleNamespace(jpeg=None, palette=False),
    )
    figures = _Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    cell = BBox(x0=300, y0=380, x1=500, y1=444)
    figures.read("candidates[3].votes", cell)
    (finding,) = figures.findings()
    assert finding.evidence.bbox == cell
    assert finding.evidence.values["seen_by"] == "a pen's coloured digit over type"
    (digit,) = finding.evidence.boxes
    assert 335 <= digit.x0 < digit.x1 <= 365 and cell.y0 < digit.y0 < digit.y1 < cell.y1


def test_on_a_page_written_in_a_coloured_pen_colour_tells_no_overwrite() -> None:
    """A pale pen's figure beside a digit the capture left grey looks like a pen's digit
    over black type; on a page whose figures are mostly coloured, only ink laid twice
    tells an overwrite."""
    from pipeline.stages.read import PEN_PAGE, _Figures

    def page_of(palette: bool) -> SimpleNamespace:
        return SimpleNamespace(
            source=SimpleNamespace(jpeg=None, palette=palette), to_original=lambda b: b
        )

    box = BBox(x0=300, y0=380, x1=500, y1=444)
    by_colour = NumberReading(
        value=26, text="26", confidence=0.99, status="ok", overwritten=True, overwrite_pen=True
    )
    also_twice = dataclasses.replace(by_colour, overwrite_per_height=3.0, overwrite_depth=0.02)

    def judged(coloured: int, palette: bool = False) -> list[str]:
        page = page_of(palette)
        figures = _Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
        figures.inked, figures.coloured = 40, coloured
        figures.suspects = [("candidates[1].votes", box, by_colour)]
        figures.suspects.append(("candidates[2].votes", box, also_twice))
        return [name for name, _, _ in figures.overwritten()]

    assert judged(2) == ["candidates[1].votes", "candidates[2].votes"]  # a typed page
    assert judged(int(PEN_PAGE * 40) + 1) == ["candidates[2].votes"]  # a pen's page
    # a palette maps a pale pen's strokes to grey as often as not: on a GIF, half the
    # figures coloured is a pen's page (seed 9064's PB-146_ps042 agent copy: 22 of 44)
    assert judged(20) == ["candidates[1].votes", "candidates[2].votes"]
    assert judged(20, palette=True) == ["candidates[2].votes"]
    assert judged(2, palette=True) == ["candidates[1].votes", "candidates[2].votes"]


def test_a_typed_station_number_ocr_reads_otherwise_is_withheld_with_both_readings() -> None:
    """Seed 9031's PP-183_ps029: a bold typed "29" blurred into one blob the digit reader
    read "8" at 0.957; the page's OCR read "29" at 0.96. Neither is taken; both remain."""
    from pipeline.stages.read import _typed_otherwise

    box = BBox(x0=0, y0=0, x1=200, y1=50)
    digit_reader = FieldReading(value=8, confidence=0.957, text="8", alternatives=((0, 0.02),))

    def word(text: str, confidence: float) -> TextWord:
        return TextWord(text=text, bbox=BBox(x0=10, y0=10, x1=50, y1=40), confidence=confidence)

    withheld = _typed_otherwise(digit_reader, [word("29", 0.96)], box)
    assert withheld.value is None and withheld.text == "8"
    assert [a for a, _ in withheld.alternatives] == [29, 0]
    # OCR agreeing, unsure, garbled, of four digits, or a digit short of the reading (lost
    # at the cell's edge: "7" for a typed 17) leaves the digit reader's figure
    assert _typed_otherwise(digit_reader, [word("8", 0.97)], box) == digit_reader
    assert _typed_otherwise(digit_reader, [word("29", 0.6)], box) == digit_reader
    assert _typed_otherwise(digit_reader, [word("2g", 0.96)], box) == digit_reader
    assert _typed_otherwise(digit_reader, [word("1029", 0.96)], box) == digit_reader  # no station's
    seventeen = digit_reader.model_copy(update={"value": 17, "text": "17"})
    assert _typed_otherwise(seventeen, [word("7", 0.96)], box) == seventeen
    # a word outside the cell is none of its reading
    far = TextWord(text="29", bbox=BBox(x0=300, y0=10, x1=340, y1=40), confidence=0.96)
    assert _typed_otherwise(digit_reader, [far], box) == digit_reader


@pytest.mark.parametrize(
    ("probability", "per_height", "depth", "media", "accused"),
    [
        (0.999, 1.2, 0.08, "image/png", True),
        (0.995, 1.2, 0.08, "image/png", True),  # sure enough
        (0.982, 1.2, 0.08, "image/png", False),  # the network unsure (seed 9042's PP-219_ps032)
        (1.0, 0.96, 0.09, "image/png", True),  # seed 9044's GBA-15_ps038, a "7" over a "6"
        (1.0, 0.72, 0.119, "image/png", False),  # the most a clean digit laid on seeds 9035-9039
        (0.999, 0.4, 0.08, "image/png", False),  # hardly any ink laid twice: a "10" in one box
        (0.999, 1.2, 0.16, "image/png", False),  # ... or none as dark as ink laid twice
        # a palette's page gathers ink laid twice into its strokes' levels: seed 9052's
        # PS-243_ps159, a "6" over a "5", and seed 9043's PB-26_ps149
        (1.0, 0.0, 0.089, "image/gif", True),
        (0.99999, 0.0, 0.111, "image/gif", True),
        (0.99, 0.0, 0.194, "image/gif", False),  # a clean digit's, as deep as ink laid twice
        # ... but the network alone, from PALETTE_TWO_DIGITS, whatever the depth: seed 9054's
        # PP-201_ps155; on a lossless page, no
        (0.9998, 0.0, 0.23, "image/gif", True),
        (0.9998, 1.2, 0.23, "image/png", False),
        (0.81, 0.0, 0.119, "image/gif", False),  # the surest clean digit under STROKES_DEPTH
        (1.0, 0.0, 0.089, "image/tiff", False),
    ],
)
def test_two_digits_strokes_in_one_box_with_ink_laid_twice_is_an_overwrite(
    monkeypatch: pytest.MonkeyPatch,
    probability: float,
    per_height: float,
    depth: float,
    media: str,
    accused: bool,
) -> None:
    """A figure the double-ink test passed: the overwrite network's word and the digit's
    own ink laid twice must agree (`TWO_DIGITS_STROKES`, `STROKES_LAID_TWICE`,
    `STROKES_DEPTH`), but on a palette's page (`Page.palette`) the network and the depth
    suffice; the finding names the digit and its cue."""
    import pipeline.stages.read as read
    from pipeline.strokes import StrokesOverwritten
    from pipeline.synth.handwriting import Hand, handwritten_number
    from pipeline.synth.ink import BLUE_BALLPOINT, composite

    rng = np.random.default_rng(3)
    canvas = np.full((300, 500, 3), 244, np.uint8)
    composite(
        canvas, handwritten_number("47", 60, Hand.random(rng), rng).alpha, BLUE_BALLPOINT, 220, 125
    )
    digit = BBox(x0=30, y0=10, x1=60, y1=50)
    said = StrokesOverwritten(1, digit, probability, per_height, depth)
    monkeypatch.setattr(read, "overwritten_strokes", lambda cell, boxes: said)
    page = SimpleNamespace(
        image=canvas[:, :, ::-1].copy(),
        to_original=lambda b: b,
        source=SimpleNamespace(jpeg=None, palette=media == "image/gif"),
    )
    figures = read._Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    cell = BBox(x0=200, y0=110, x1=400, y1=200)
    figures.read("candidates[2].votes", cell)
    findings = figures.findings()
    assert bool(findings) is accused
    if accused:
        (finding,) = findings
        assert finding.evidence.values["seen_by"] == "two digits' strokes in one digit's box"
        assert finding.evidence.boxes == (BBox(x0=230, y0=120, x1=260, y1=160),)


@pytest.mark.parametrize(
    ("depth", "layer", "accused"),
    [
        (0.169, 0.485, True),  # seed 9038's NA-213_ps197: a pale scan's "7" over a "4"
        (0.165, 0.458, True),  # seed 9037's PK-4_ps133
        (0.129, 0.199, False),  # seed 9038's NA-47_ps101: a bold clean "8" on a dark page
        (0.145, 0.177, False),  # seed 9036's NA-210_ps084
    ],
)
def test_two_digits_strokes_paler_than_the_bar_are_judged_against_the_page(
    monkeypatch: pytest.MonkeyPatch, depth: float, layer: float, accused: bool
) -> None:
    """A digit the network sees two digits' strokes in, laying ink twice but paler than
    `STROKES_DEPTH`, is an overwrite when its darkest strokes are at most
    `PAGE_LAYER_SHARE` of the page's single layer (the median darkest level of the
    digits weighed on the page), judged once the page's figures are all read."""
    import pipeline.stages.read as read
    from pipeline.strokes import StrokesOverwritten
    from pipeline.synth.handwriting import Hand, handwritten_number
    from pipeline.synth.ink import BLUE_BALLPOINT, composite

    rng = np.random.default_rng(3)
    canvas = np.full((300, 500, 3), 244, np.uint8)
    composite(
        canvas, handwritten_number("47", 60, Hand.random(rng), rng).alpha, BLUE_BALLPOINT, 220, 125
    )
    digit = BBox(x0=30, y0=10, x1=60, y1=50)
    plain = StrokesOverwritten(0, digit, 0.001, 0.0, layer, (layer, layer))
    said = [StrokesOverwritten(1, digit, 0.9999, 1.42, depth, (layer, depth)), *[plain] * 5]
    monkeypatch.setattr(read, "overwritten_strokes", lambda cell, boxes: said.pop(0))
    page = SimpleNamespace(
        image=canvas[:, :, ::-1].copy(),
        to_original=lambda b: b,
        source=SimpleNamespace(jpeg=None, palette=False),
    )
    figures = read._Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    cell = BBox(x0=200, y0=110, x1=400, y1=200)
    figures.read("candidates[2].votes", cell)
    assert figures.two_in_one == []  # paler than STROKES_DEPTH: not yet
    assert not figures.findings()  # two digits weighed: too few to know the page's ink
    for row in range(3, 8):
        figures.read(f"candidates[{row}].votes", cell)
    findings = figures.findings()
    assert [f.evidence.values["field"] for f in findings] == (
        ["candidates[2].votes"] if accused else []
    )
    if accused:
        assert findings[0].evidence.values["seen_by"] == "two digits' strokes in one digit's box"


@pytest.mark.parametrize(
    ("probability", "sureness", "per_height", "depth", "accused"),
    [
        (0.946, 0.70, 0.68, 0.087, True),  # seed 9058's PP-226_ps108, a "9" over a "1"
        (0.9997, 0.57, 0.73, 0.107, True),  # seed 9053's NA-87_ps008, cut in two
        (0.946, 0.95, 0.68, 0.087, False),  # the reader sure: the network's own bar
        (0.89, 0.70, 0.68, 0.087, False),  # the network unsure too
        (0.946, 0.70, 0.4, 0.087, False),  # hardly any ink laid twice
        (0.93, 0.71, 1.0, 0.149, False),  # seed 9062's PS-230_ps138: a clean "1", pale
    ],
)
def test_an_unsure_digit_the_network_sees_two_digits_in_is_an_overwrite(
    probability: float, sureness: float, per_height: float, depth: float, accused: bool
) -> None:
    """Two cues each short of its own bar agree: the digit reader unsure of the digit and
    the network fairly sure of two digits' strokes, laying some ink twice as dark as ink
    laid twice (`UNSURE_DIGIT`, `UNSURE_TWO_DIGITS`, `UNSURE_LAID_TWICE`)."""
    from pipeline.numbers import DigitReading
    from pipeline.stages.read import _sureness, _unsure_two
    from pipeline.strokes import StrokesOverwritten

    first = BBox(x0=0, y0=0, x1=30, y1=50)
    second = BBox(x0=30, y0=0, x1=60, y1=50)
    digits = tuple(
        DigitReading(digit=9, probability=p, alternatives=(), bbox=b, ink_density=0.2)
        for p, b in ((0.999, first), (sureness, second))
    )
    reading = NumberReading(value=99, text="99", confidence=0.9, status="ok", digits=digits)
    said = StrokesOverwritten(1, second, probability, per_height, depth)
    assert _unsure_two(said, _sureness(reading, second)) is accused
    # two digits joined (`_cut_pairs`) are as sure as the less sure of them
    joined = BBox(x0=0, y0=0, x1=60, y1=50)
    assert _sureness(reading, joined) == min(0.999, sureness)
    assert _sureness(reading, BBox(x0=70, y0=0, x1=90, y1=50)) == 1.0  # no digit in it


def _blank_page(jpeg: object) -> SimpleNamespace:
    """A blank page for `read._Figures`, its source last saved as `jpeg` (None: lossless)."""
    return SimpleNamespace(
        image=np.full((300, 500, 3), 240, np.uint8),
        to_original=lambda b: b,
        source=SimpleNamespace(jpeg=jpeg, palette=False),
    )


def _suspect(text: str, digit: BBox, per_height: float, depth: float) -> NumberReading:
    """A figure the double-ink test suspects: `digit`, alone of it, lays ink twice."""
    return NumberReading(
        value=int(text),
        text=text,
        confidence=0.99,
        status="ok",
        overwritten=True,
        overwrite_box=digit,
        overwrite_per_height=per_height,
        overwrite_depth=depth,
        overwrite_alone=True,
    )


@pytest.mark.parametrize(("probability", "stands"), [(0.0012, False), (0.04, True)])
def test_ink_laid_twice_in_one_digits_strokes_is_no_overwrite(
    monkeypatch: pytest.MonkeyPatch, probability: float, stands: bool
) -> None:
    """A digit the double-ink test suspects, which the overwrite network surely sees as one
    digit's strokes (`ONE_DIGIT_STROKES`), is cleared; a pen's colour over type is not
    asked."""
    import pipeline.stages.read as read
    from pipeline.strokes import StrokesOverwritten

    digit = BBox(x0=10, y0=5, x1=40, y1=45)
    asked: list[list[tuple[int, int, int, int]]] = []

    def network(cell: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> StrokesOverwritten:
        asked.append(boxes)
        return StrokesOverwritten(0, digit, probability, 2.1, 0.07)

    monkeypatch.setattr(read, "overwritten_strokes", network)
    page = _blank_page(jpeg=None)
    box = BBox(x0=100, y0=100, x1=300, y1=160)
    twice = _suspect("93", digit, 2.1, 0.07)
    by_colour = dataclasses.replace(twice, overwrite_pen=True, overwrite_per_height=0.0)
    figures = read._Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    figures.suspects = [
        ("candidates[1].votes", box, twice),
        ("candidates[2].votes", box, by_colour),
    ]
    names = [name for name, _, _ in figures.overwritten()]
    assert names == (["candidates[1].votes"] if stands else []) + ["candidates[2].votes"]
    assert asked == [[(10, 5, 30, 40)]]
    # ... unless the digit reader is unsure of the digit (`UNSURE_DIGIT`): seed 9060's
    # PP-99_ps150, an "8" over a "7" read "4" at 0.37, 0.0002 to the network
    from pipeline.numbers import DigitReading

    unsure = DigitReading(digit=4, probability=0.37, alternatives=(), bbox=digit, ink_density=0.2)
    figures.suspects = [("candidates[1].votes", box, dataclasses.replace(twice, digits=(unsure,)))]
    assert [name for name, _, _ in figures.overwritten()] == ["candidates[1].votes"]


def test_a_digit_cut_in_two_is_weighed_whole_before_it_is_cleared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seed 9044's PP-80_ps198: a "2" written over a "0", cut into two boxes ("3112" for
    312). Shown the half the double-ink test names, the network sees one digit's strokes
    (0.0025); shown the whole, two (0.9998). A digit cut from nothing is weighed alone."""
    import pipeline.stages.read as read
    from pipeline.numbers import DigitReading
    from pipeline.strokes import StrokesOverwritten

    pieces = [BBox(x0=61, y0=11, x1=102, y1=60), BBox(x0=108, y0=13, x1=124, y1=61)]
    pieces += [BBox(x0=124, y0=13, x1=149, y1=61), BBox(x0=149, y0=13, x1=180, y1=61)]
    named = pieces[2]
    whole = {(108, 13, 41, 48): 0.695, (124, 13, 56, 48): 0.9998}
    asked: list[tuple[int, int, int, int]] = []

    def network(cell: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> StrokesOverwritten:
        asked.extend(boxes)
        return StrokesOverwritten(0, named, whole.get(boxes[0], 0.0025), 2.85, 0.045)

    monkeypatch.setattr(read, "overwritten_strokes", network)
    digits = tuple(DigitReading(3, 0.99, (), piece, 0.2) for piece in pieces)
    cut = dataclasses.replace(_suspect("3112", named, 2.85, 0.045), digits=digits)
    alone = dataclasses.replace(cut, digits=(digits[0], digits[2]))
    figures = read._Figures(page=_blank_page(None), handwritten=True, words=())  # type: ignore[arg-type]
    box = BBox(x0=100, y0=100, x1=400, y1=180)
    figures.suspects = [("candidates[5].votes", box, cut), ("candidates[6].votes", box, alone)]
    assert [name for name, _, _ in figures.overwritten()] == ["candidates[5].votes"]
    assert asked == [(124, 13, 25, 48), (108, 13, 41, 48), (124, 13, 56, 48), (124, 13, 25, 48)]


def test_a_figure_passed_is_weighed_with_its_cut_digits_joined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seed 9045's NA-228_ps191: a "5" over a "3", read "305", the overwritten digit cut
    into two touching boxes. The double-ink test passed it; the network gives the first
    half 0.92, the two joined 0.9997, laying 2.31 pixels twice per pixel of height. Digits
    apart (no cut) are never joined."""
    import pipeline.stages.read as read
    from pipeline.numbers import DigitReading
    from pipeline.strokes import StrokesOverwritten

    pieces = [BBox(x0=80, y0=30, x1=118, y1=62), BBox(x0=118, y0=30, x1=145, y1=62)]
    pieces.append(BBox(x0=151, y0=31, x1=171, y1=62))
    joined = BBox(x0=80, y0=30, x1=145, y1=62)
    asked: list[list[tuple[int, int, int, int]]] = []

    def network(cell: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> StrokesOverwritten:
        asked.append(boxes)
        if boxes == [(80, 30, 65, 32)]:
            return StrokesOverwritten(0, joined, 0.9997, 2.31, 0.07)
        return StrokesOverwritten(0, pieces[0], 0.9205, 1.94, 0.066)

    monkeypatch.setattr(read, "overwritten_strokes", network)
    monkeypatch.setattr(read, "_number_reading", lambda page, box, handwritten: (field, reading))

    def read_as_305(boxes: list[BBox]) -> tuple[DigitReading, ...]:
        pairs = zip((3, 0, 5), boxes, strict=True)
        return tuple(DigitReading(digit, 0.99, (), b, 0.2) for digit, b in pairs)

    reading = NumberReading(
        value=305, text="305", confidence=0.99, status="ok", digits=read_as_305(pieces)
    )
    field = FieldReading(value=305, text="305", bbox=BBox(x0=0, y0=0, x1=10, y1=10))
    figures = read._Figures(page=_blank_page(None), handwritten=True, words=())  # type: ignore[arg-type]
    figures.read("candidates[5].votes", BBox(x0=100, y0=100, x1=400, y1=180))
    assert [name for name, *_ in figures.two_in_one] == ["candidates[5].votes"]
    assert asked == [[(80, 30, 38, 32), (118, 30, 27, 32), (151, 31, 20, 31)], [(80, 30, 65, 32)]]
    # the same digits apart: nothing joined, nothing found
    apart = [pieces[0], BBox(x0=121, y0=30, x1=145, y1=62), pieces[2]]
    reading = dataclasses.replace(reading, digits=read_as_305(apart))
    figures.read("candidates[6].votes", BBox(x0=100, y0=100, x1=400, y1=180))
    assert [name for name, *_ in figures.two_in_one] == ["candidates[5].votes"]
    assert len(asked) == 3


@pytest.mark.parametrize(("probability", "stands"), [(0.9962, True), (0.9, False)])
def test_a_figure_both_readers_read_surely_stands_where_the_network_sees_two_digits(
    monkeypatch: pytest.MonkeyPatch, probability: float, stands: bool
) -> None:
    """Seed 9046's PP-94_ps073: a "7" written over the "0" of 107, read "107" surely by
    the digit reader and the page's OCR alike, as a typed figure is (`_typed`); its "0"
    lays 1.48 pixels twice per pixel of height. Bold type draws no second digit: the
    network's two digits' strokes (0.9962) stand."""
    import pipeline.stages.read as read
    from pipeline.strokes import StrokesOverwritten

    digit = BBox(x0=55, y0=22, x1=75, y1=51)
    said = StrokesOverwritten(0, digit, probability, 1.48, 0.025)
    monkeypatch.setattr(read, "overwritten_strokes", lambda cell, boxes: said)
    box = BBox(x0=100, y0=100, x1=300, y1=160)
    word = TextWord(text="107", bbox=BBox(x0=130, y0=120, x1=200, y1=150), confidence=0.96)
    twice = dataclasses.replace(_suspect("107", digit, 1.48, 0.025), overwrite_alone=False)
    figures = read._Figures(page=_blank_page(None), handwritten=True, words=(word,))  # type: ignore[arg-type]
    assert figures._typed(box, twice)
    figures.suspects = [("candidates[36].votes", box, twice)]
    assert [name for name, _, _ in figures.overwritten()] == (
        ["candidates[36].votes"] if stands else []
    )


@pytest.mark.parametrize(("probability", "stands"), [(0.99999, True), (0.9, False)])
def test_a_coarse_jpegs_ringing_is_no_clear_where_the_network_sees_two_digits(
    monkeypatch: pytest.MonkeyPatch, probability: float, stands: bool
) -> None:
    """Seed 9042's NA-60_ps186: a "9" over a "1" under JPEG 42, laying 1.93 pixels twice
    per pixel of height, short of what rings no coarse JPEG (COARSE_LAID_TWICE). Ringing
    darkens a stroke; it draws none: the network's two digits' strokes (0.99999) stand."""
    import pipeline.stages.read as read
    from pipeline.strokes import StrokesOverwritten

    digit = BBox(x0=10, y0=5, x1=40, y1=45)
    said = StrokesOverwritten(0, digit, probability, 1.93, 0.081)
    monkeypatch.setattr(read, "overwritten_strokes", lambda cell, boxes: said)
    page = _blank_page(jpeg=SimpleNamespace(quality=42.0))
    twice = dataclasses.replace(_suspect("397", digit, 1.93, 0.081), overwrite_darker_by=0.31)
    figures = read._Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    box = BBox(x0=100, y0=100, x1=300, y1=160)
    assert figures._ringing(twice)
    figures.suspects = [("candidates[11].votes", box, twice)]
    assert [name for name, _, _ in figures.overwritten()] == (
        ["candidates[11].votes"] if stands else []
    )


@pytest.mark.parametrize(
    ("sureness", "probability", "stands"),
    [(0.77, 0.22, True), (0.99, 0.22, False), (0.77, 0.005, False)],
)
def test_a_coarse_jpegs_ringing_is_no_clear_of_a_digit_the_reader_is_unsure_of(
    monkeypatch: pytest.MonkeyPatch, sureness: float, probability: float, stands: bool
) -> None:
    """Seed 9060's NA-32_ps138: a "3" over a "1" under JPEG 47 read "2" at 0.77, laying
    1.64 pixels twice per pixel of height, 0.22 to the network. Ringing darkens a stroke
    but leaves the digit's shape to the reader: an unsure digit (UNSURE_DIGIT) the network
    does not call one digit's strokes (ONE_DIGIT_STROKES) stands."""
    import pipeline.stages.read as read
    from pipeline.numbers import DigitReading
    from pipeline.strokes import StrokesOverwritten

    digit = BBox(x0=10, y0=5, x1=40, y1=45)
    said = StrokesOverwritten(0, digit, probability, 1.64, 0.105)
    monkeypatch.setattr(read, "overwritten_strokes", lambda cell, boxes: said)
    page = _blank_page(jpeg=SimpleNamespace(quality=47.0))
    read_as = DigitReading(
        digit=2, probability=sureness, alternatives=(), bbox=digit, ink_density=0.2
    )
    suspect = _suspect("25", digit, 1.64, 0.105)
    twice = dataclasses.replace(suspect, overwrite_alone=False, digits=(read_as,))
    figures = read._Figures(page=page, handwritten=True, words=())  # type: ignore[arg-type]
    assert figures._ringing(twice)
    figures.suspects = [("candidates[13].votes", BBox(x0=100, y0=100, x1=300, y1=160), twice)]
    assert [name for name, _, _ in figures.overwritten()] == (
        ["candidates[13].votes"] if stands else []
    )


def _printed(text: str, size: int) -> np.ndarray:
    """A value box's gray pixels with `text` printed in it (DejaVu Sans, as the synthetic
    forms print their header)."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.synth.fonts import FONT_FILES

    image = Image.new("L", (320, 80), 250)
    font = ImageFont.truetype(FONT_FILES["sans"], size)
    ImageDraw.Draw(image).text((20, 20), text, fill=20, font=font)
    return np.asarray(image)


@pytest.mark.parametrize("code", ["NA-11", "PS-184", "GBA-7"])
def test_a_constituency_code_is_read_from_its_box_alone(code: str) -> None:
    """The page pass reads a reduced page, where a short code's "1"s and dash are a few
    pixels: "NADL" for NA-11 (seed 9035's NA-11_ps024), "P5184" for PS-184 (seed 9039's
    PS-184_ps057 agent copy). The code's box read alone at the page's size gives the code;
    on a text-layer page the layer's words stand."""
    from pipeline.stages.read import _text_reading
    from pipeline.templates import ValueKind

    box = BBox(x0=0, y0=0, x1=320, y1=80)
    misread = [TextWord(text="NADL", bbox=BBox(x0=20, y0=20, x1=120, y1=50), confidence=0.6)]
    page = SimpleNamespace(gray=_printed(code, 34), words=None, to_original=lambda b: b)
    reading = _text_reading(page, misread, box, ValueKind.CONSTITUENCY_CODE)  # type: ignore[arg-type]
    assert (reading.value, reading.confidence, reading.source) == (code, 0.95, "printed")
    layer = SimpleNamespace(gray=page.gray, words=(), to_original=lambda b: b)
    typed = [TextWord(text="NA-12", bbox=BBox(x0=20, y0=20, x1=120, y1=50), confidence=1.0)]
    kept = _text_reading(layer, typed, box, ValueKind.CONSTITUENCY_CODE)  # type: ignore[arg-type]
    assert (kept.value, kept.source) == ("NA-12", "text_layer")


def test_a_withheld_header_figure_read_alone_as_the_digit_readers_figure_stands() -> None:
    """Seed 9058's GBA-11_ps119: the typed "119" withheld at 0.527, 719 the alternative;
    OCR reads the box alone "119" at 0.97. Two readers agree: 119 stands. OCR's figure
    none of the digit reader's, or a figure already sure, is left as it was."""
    from pipeline.stages.read import _typed_alone

    box = BBox(x0=0, y0=0, x1=320, y1=80)
    page = SimpleNamespace(gray=_printed("119", 34), words=None)
    withheld = FieldReading(value=None, confidence=0.527, text="119", alternatives=((719, 0.2),))
    stands = _typed_alone(page, withheld, box)  # type: ignore[arg-type]
    assert stands.value == 119 and stands.confidence >= 0.9
    other = withheld.model_copy(update={"text": "18", "alternatives": ((17, 0.2),)})
    assert _typed_alone(page, other, box) == other  # type: ignore[arg-type]
    alternative = withheld.model_copy(update={"text": "18", "alternatives": ((119, 0.96),)})
    assert _typed_alone(page, alternative, box).value == 119  # type: ignore[arg-type]
    sure = FieldReading(value=118, confidence=0.99, text="118")
    assert _typed_alone(page, sure, box) == sure  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alone", "enlarged", "page_pass", "code"),
    [
        ("NA-201", "", "NA-202", "NA-201"),  # read alone exactly: it stands
        ("NA-20l", "NA-201", "NADL", "NA-201"),  # ... enlarged, exactly
        ("Nass", "", "NA-153", "NA-153"),  # a repair alone yields to the page pass exact
        ("NAl53", "", "NADL", "NA-153"),  # ... and is preferred to one repaired there
        ("", "", "NAl53", "NA-153"),  # the page pass's repair, last
        ("", "", "RETURNING", None),
        # read alone, a code is printed and nothing else; rules' marks aside
        ("ps 2 . 7 =", "", "PS-74", "PS-74"),  # seed 9053's PS-74_ps190: no PS-2
        ("| PB-231", "", "PB-232", "PB-231"),  # seed 9058's PB-231_ps107
    ],
)
def test_a_constituency_code_read_alone_exactly_first_and_repaired_last(
    monkeypatch: pytest.MonkeyPatch, alone: str, enlarged: str, page_pass: str, code: str | None
) -> None:
    """Seed 9060's NA-153_ps086: its box read alone "Nass", which repairs to NA-55; the
    page pass read NA-153 exactly."""
    from pipeline.stages import read

    def line(gray: np.ndarray, box: BBox, scale: float = 1.0) -> tuple[TextWord, ...]:
        text = alone if scale == 1.0 else enlarged
        return (TextWord(text=text, bbox=box, confidence=0.9),) if text else ()

    monkeypatch.setattr(read, "read_line", line)
    page = SimpleNamespace(gray=np.zeros((10, 10), np.uint8), words=None)
    box = BBox(x0=0, y0=0, x1=10, y1=10)
    assert read._code_reading(page, box, page_pass)[1] == code  # type: ignore[arg-type]
