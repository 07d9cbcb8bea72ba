"""Stamps and signatures on one page, and the findings they raise."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.codes import FindingCode
from pipeline.layout import SignatureBox
from pipeline.model import BBox, SignatureRole, SignatureStatus, StampShape
from pipeline.stages.marks import (
    LINE_SPREAD,
    ONE_STROKE_SPREAD,
    PALE_INK_SATURATION,
    _judge,
    _stamp_candidates,
    _stamp_colour,
    assess_signatures,
    box_ink,
    curve_spread,
    find_stamps,
    mark_findings,
    stroke_spread,
)
from pipeline.templates import resolve_template
from tests.marks.conftest import draw_note, draw_scribble, draw_stamp, located, make_page


def _sheet() -> np.ndarray:
    return np.full((1400, 1000, 3), 245, np.uint8)


@pytest.mark.parametrize(
    ("colour", "name"),
    [((200, 60, 40), "blue"), ((160, 40, 120), "violet"), ((40, 40, 200), "red")],
)
def test_coloured_stamp_found_with_its_colour(colour: tuple[int, int, int], name: str) -> None:
    image = _sheet()
    draw_stamp(image, (600, 1000), 150, colour)
    stamps = find_stamps(make_page(image), located(), None)
    assert len(stamps) == 1
    assert stamps[0].color == name
    assert stamps[0].bbox.iou(BBox(x0=450, y0=850, x1=750, y1=1150)) > 0.6
    assert len(stamps[0].fingerprint) == 16 and stamps[0].descriptor


def test_black_stamp_found_by_its_ring() -> None:
    image = _sheet()
    draw_stamp(image, (500, 900), 160, (30, 30, 30))
    stamps = find_stamps(make_page(image), located(), None)
    assert len(stamps) == 1
    assert stamps[0].bbox.iou(BBox(x0=340, y0=740, x1=660, y1=1060)) > 0.5


def test_a_ring_is_scored_at_the_radius_that_carries_its_ink() -> None:
    # seed 9029's PB-12_ps198: the circle search put a faint stamp's ring a little inside
    # it (radius 47 for 49 at a quarter of the page's scale), 0.62 of it inked, short of
    # the bar; at 49, 0.87
    from pipeline.stages.marks import RADIUS_SLACK, _fitted_radius, _ring_score

    ink = np.zeros((160, 160), np.uint8)
    cv2.circle(ink, (80, 80), 50, 255, 2)
    fitted = _fitted_radius(ink, 80.0, 80.0, 45.5)
    assert 45.5 < fitted <= 45.5 * (1 + RADIUS_SLACK)
    assert _ring_score(ink, 80.0, 80.0, 45.5) < 0.62 < _ring_score(ink, 80.0, 80.0, fitted)


def _tilted_black_oval(image: np.ndarray, centre: tuple[int, int]) -> None:
    """A black oval stamp turned 35 degrees: two elliptic rings, ring letters, a centre."""
    ink = (35, 35, 35)
    axes, angle = (190, 125), 35
    cv2.ellipse(image, centre, axes, angle, 0, 360, ink, 5)
    cv2.ellipse(image, centre, (int(axes[0] * 0.72), int(axes[1] * 0.72)), angle, 0, 360, ink, 3)
    turn = np.radians(angle)
    for t in np.linspace(0, 2 * np.pi, 30, endpoint=False):
        ex, ey = 0.86 * axes[0] * np.cos(t), 0.86 * axes[1] * np.sin(t)
        x = centre[0] + ex * np.cos(turn) - ey * np.sin(turn)
        y = centre[1] + ex * np.sin(turn) + ey * np.cos(turn)
        cv2.putText(image, "A", (int(x) - 6, int(y) + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, ink, 2)
    cv2.putText(image, "PS 12", (centre[0] - 60, centre[1] + 12), 0, 1.2, ink, 3)


def test_tilted_black_oval_stamp_found_by_its_outline() -> None:
    image = _sheet()
    _tilted_black_oval(image, (550, 900))
    stamps = find_stamps(make_page(image), located(), None)
    assert len(stamps) == 1
    assert stamps[0].shape == StampShape.OVAL and stamps[0].color == "black"
    # the ellipse's extent: half-widths sqrt((190 cos35)^2 + (125 sin35)^2) = 174, 145
    assert stamps[0].bbox.iou(BBox(x0=376, y0=755, x1=724, y1=1045)) > 0.6


def test_blank_page_has_no_stamp() -> None:
    assert find_stamps(make_page(_sheet()), located(), None) == ()


def _boxes() -> tuple[SignatureBox, ...]:
    return (
        SignatureBox(
            role=SignatureRole.PRESIDING_OFFICER, bbox=BBox(x0=50, y0=100, x1=450, y1=260)
        ),
        SignatureBox(role=SignatureRole.POLLING_AGENT, bbox=BBox(x0=50, y0=300, x1=450, y1=460)),
        SignatureBox(role=SignatureRole.POLLING_AGENT, bbox=BBox(x0=50, y0=500, x1=450, y1=660)),
        SignatureBox(role=SignatureRole.POLLING_AGENT, bbox=BBox(x0=50, y0=700, x1=450, y1=860)),
    )


def test_signatures_present_absent_refused() -> None:
    image = _sheet()
    boxes = _boxes()
    draw_scribble(image, boxes[1].bbox, seed=1)
    draw_note(image, boxes[2].bbox)
    # a printed rule across the first box must not count as a signature
    image[250:253, 50:450] = 0
    signatures = assess_signatures(make_page(image), located(boxes), None)
    assert [s.status for s in signatures] == [
        SignatureStatus.ABSENT,
        SignatureStatus.PRESENT,
        SignatureStatus.REFUSED,
        SignatureStatus.ABSENT,
    ]
    assert signatures[1].fingerprint and signatures[1].ink_ratio > 0.004


def test_a_short_note_is_a_refusal_and_a_long_flat_signature_is_not() -> None:
    image = _sheet()
    boxes = _boxes()
    note, flat = boxes[1].bbox, boxes[2].bbox
    # "did not sign": three short words, under half the box wide
    cv2.putText(
        image,
        "did not sign",
        (note.x0 + 20, note.y0 + 90),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.7,
        (40, 30, 20),
        2,
    )
    # a flat signature in pieces, run right across the box
    for x in range(flat.x0 + 20, flat.x1 - 60, 70):
        cv2.line(image, (x, flat.y0 + 80), (x + 55, flat.y0 + 70), (40, 30, 20), 3)
    signatures = assess_signatures(make_page(image), located(boxes), None)
    assert [s.status for s in signatures[1:3]] == [
        SignatureStatus.REFUSED,
        SignatureStatus.PRESENT,
    ]
    assert signatures[2].fingerprint and not signatures[1].fingerprint


def _words_in_a_box(high: float, wide: float, words: int = 3) -> np.ndarray:
    """A box's ink (80 x 400, ink = 255): `words` blocks side by side, `high` of the box
    high and `wide` of it wide in all, as a written line of words lies."""
    ink = np.zeros((80, 400), np.uint8)
    h, w = int(80 * high), int(400 * wide)
    step = w // words
    for i in range(words):
        ink[10 : 10 + h, 20 + i * step : 20 + i * step + step - 8] = 255
    return ink


@pytest.mark.parametrize(
    ("high", "wide", "status"),
    [
        (0.45, 0.40, SignatureStatus.REFUSED),
        # seeds 9008 and 9009: notes 0.54-0.56 of the box high, or half of it wide
        (0.55, 0.40, SignatureStatus.REFUSED),
        (0.45, 0.50, SignatureStatus.REFUSED),
        # taller or wider: a signature's scribble
        (0.65, 0.40, SignatureStatus.PRESENT),
        (0.45, 0.60, SignatureStatus.PRESENT),
    ],
)
def test_a_note_is_a_low_short_line_of_words(
    high: float, wide: float, status: SignatureStatus
) -> None:
    assert _judge(_words_in_a_box(high, wide))[0] is status


def test_a_flat_stroke_of_a_signature_is_not_taken_for_a_printed_rule() -> None:
    image = _sheet()
    boxes = _boxes()
    box = boxes[1].bbox  # one stroke, two fifths of the box wide: a signer's flourish
    cv2.line(image, (box.x0 + 20, box.y0 + 60), (box.x0 + 180, box.y0 + 60), (40, 30, 20), 3)
    signatures = assess_signatures(make_page(image), located(boxes), None)
    assert signatures[1].status is SignatureStatus.PRESENT


def test_a_long_straight_signature_in_a_pens_colour_is_no_printed_rule() -> None:
    # two flat strokes across most of the box, as a seed-10001 agent signed: in a blue
    # pen they are a signature; the same strokes in black are a printed rule
    boxes = _boxes()
    box = boxes[1].bbox
    judged = {}
    for name, ink in (("blue", (170, 60, 30)), ("black", (30, 30, 30))):
        image = _sheet()
        for y in (box.y0 + 60, box.y0 + 72):
            cv2.line(image, (box.x0 + 30, y), (box.x1 - 30, y), ink, 3)
        judged[name] = assess_signatures(make_page(image), located(boxes), None)[1].status
    assert judged == {"blue": SignatureStatus.PRESENT, "black": SignatureStatus.ABSENT}


def test_findings_name_the_role_and_count_agents() -> None:
    image = _sheet()
    boxes = _boxes()
    draw_scribble(image, boxes[1].bbox, seed=1)
    draw_note(image, boxes[2].bbox)
    form = located(boxes, stamp_area=BBox(x0=500, y0=800, x1=900, y1=1200))
    page = make_page(image)
    signatures = assess_signatures(page, form, None)
    template = resolve_template("pk-form45")
    findings = mark_findings((), signatures, form, template, form.stamp_area)
    codes = {f.code: f for f in findings}
    assert codes[FindingCode.STAMP_MISSING].evidence.bbox == form.stamp_area
    assert codes[FindingCode.SIGNATURE_MISSING].evidence.values["role"] == "presiding_officer"
    agents = codes[FindingCode.AGENT_SIGNATURES_MISSING].evidence.values
    assert (agents["missing"], agents["agents"], agents["refused"]) == (1, 3, 1)


def test_stamp_outside_expected_area_is_misplaced() -> None:
    image = _sheet()
    draw_stamp(image, (250, 250), 150, (200, 60, 40))
    boxes = _boxes()[:1]
    form = located(boxes, stamp_area=BBox(x0=500, y0=900, x1=950, y1=1350))
    stamps = find_stamps(make_page(image), form, None)
    findings = mark_findings(stamps, (), form, resolve_template("pk-form45"))
    assert [f.code for f in findings] == [
        FindingCode.REQUIRED_FIELD_MISSING,  # the assistant's box: `_boxes()[:1]`
        FindingCode.STAMP_MISPLACED,
    ]


def test_a_required_signature_box_not_found_beside_the_others_is_a_missing_field() -> None:
    """The agents' grid found, the officers' boxes not (seed 9010's 150-dpi phone photos):
    whether they signed is unknown, so it is said, not passed over."""
    image = _sheet()
    agents = _boxes()[1:]
    template = resolve_template("pk-form45")
    form = located(agents)
    signatures = assess_signatures(make_page(image), form, None)
    finding, stamp, agents_missing = mark_findings((), signatures, form, template)
    assert finding.code is FindingCode.REQUIRED_FIELD_MISSING
    assert finding.message.endswith("presiding officer, assistant presiding officer")
    # the agents' grid is printed under the officers' boxes: the page is the footer's, its
    # stamp missing and its agents' boxes empty (seed 9035's NA-176_ps200, a thumb
    # impression in each officer's box, the boxes not found)
    assert stamp.code is FindingCode.STAMP_MISSING
    assert agents_missing.code is FindingCode.AGENT_SIGNATURES_MISSING
    # every box found: nothing missing to say; no box found at all: not the footer's page
    every = (
        *_boxes(),
        SignatureBox(
            role=SignatureRole.ASSISTANT_PRESIDING_OFFICER,
            bbox=BBox(x0=500, y0=100, x1=900, y1=260),
        ),
    )
    found = mark_findings((), (), located(every), template)
    assert FindingCode.REQUIRED_FIELD_MISSING not in [f.code for f in found]
    assert mark_findings((), (), located(()), template) == ()


def test_figures_written_in_their_cells_are_no_stamp_but_a_stamp_on_them_is() -> None:
    """Two registered-voter figures written large in blue, one cell above the other: the
    closing that joins a faint impression joins them into a blob of stamp size. Nearly
    all of that ink lies in the cells figures are written in, so it is those figures; a
    stamp pressed across the same cells reaches past them and is still found."""
    import dataclasses

    from pipeline.layout import LocatedField
    from pipeline.synth.handwriting import Hand, handwritten_number
    from pipeline.synth.ink import composite

    rng = np.random.default_rng(4)
    image, hand = _sheet(), Hand.random(rng)
    cells = []
    for row, figure in enumerate(("1096", "1605")):
        cell = BBox(x0=300, y0=400 + row * 110, x1=700, y1=510 + row * 110)
        cv2.rectangle(image, (cell.x0, cell.y0), (cell.x1, cell.y1), (20, 20, 20), 3)
        written = handwritten_number(figure, 100, hand, rng)
        top = cell.y0 + (cell.height - written.alpha.shape[0]) // 2
        composite(image, written.alpha, (150, 60, 20), cell.x0 + 30, top)
        cells.append(cell)
    assert len(find_stamps(make_page(image), located(), None)) == 1  # cells unknown
    header = tuple(
        LocatedField(key=key, value_box=cell)
        for key, cell in zip(("registered_voters_male", "registered_voters"), cells, strict=True)
    )
    form = dataclasses.replace(located(), header=header)
    assert find_stamps(make_page(image), form, None) == ()
    draw_stamp(image, (700, 620), 150, (200, 60, 40))
    (stamp,) = find_stamps(make_page(image), form, None)
    assert stamp.bbox.iou(BBox(x0=550, y0=470, x1=850, y1=770)) > 0.5


def test_a_faded_stamp_is_found_on_a_second_look_where_the_stamp_belongs() -> None:
    # a faded pad: violet ink of saturation about 30 (255 * (228 - 201) / 228), under the
    # coloured-ink threshold and too light for the black-ink ring search
    image = _sheet()
    draw_stamp(image, (650, 1050), 150, (228, 201, 222))
    footer = located(_boxes())
    assert find_stamps(make_page(image), located(), None) == ()  # no footer: no second look
    stamps = find_stamps(make_page(image), footer, None)
    assert len(stamps) == 1
    assert stamps[0].color == "violet"
    assert stamps[0].bbox.iou(BBox(x0=500, y0=900, x1=800, y1=1200)) > 0.6


def test_a_faded_stamp_as_bright_as_the_paper_is_found_on_the_second_look() -> None:
    # seed 9049's GBA-14_ps118: a faded blue paste on a phone photo, its blue channel at
    # 238-249, as bright as the paper, told from it only by its saturation (about 40)
    image = _sheet()
    draw_stamp(image, (650, 1050), 150, (246, 214, 205))
    stamps = find_stamps(make_page(image), located(_boxes()), None)
    assert len(stamps) == 1
    assert stamps[0].color == "blue"
    assert stamps[0].bbox.iou(BBox(x0=500, y0=900, x1=800, y1=1200)) > 0.6


def test_the_second_look_takes_no_pen_ink_for_a_faded_stamp() -> None:
    # the paler threshold joins a pen's strokes and their soft fringes into blobs of stamp
    # size: only a find mostly of pale ink is a faded impression, so a ring drawn in a
    # pen's strong blue, a stamp to the first look, is none to the second
    image = _sheet()
    draw_stamp(image, (600, 1000), 150, (200, 60, 40))
    page = make_page(image)
    assert len(_stamp_candidates(page)) == 1
    assert _stamp_candidates(page, PALE_INK_SATURATION) == []


def test_a_short_tilted_note_in_the_hand_face_is_a_refusal() -> None:
    """ "did not sign" in the generator's hand face, tilted 10 degrees: about 2.3 times as
    wide as high, in three runs of letters (seed 10001: such notes were taken for
    signatures, alike from form to form, and called pasted)."""
    from PIL import Image, ImageDraw

    from pipeline.synth.fonts import font

    hand = font("hand", 30)
    left, top, _, bottom = hand.getbbox("did not sign")
    note = Image.new("L", (415, 92), 0)
    ImageDraw.Draw(note).text(
        (30 - left, 46 - (bottom - top) // 2 - top), "did not sign", font=hand, fill=255
    )
    turn = cv2.getRotationMatrix2D((80, 46), -10.0, 1.0)
    alpha = cv2.warpAffine(np.asarray(note), turn, (415, 92)) / 255.0
    image = _sheet()
    box = BBox(x0=50, y0=300, x1=465, y1=392)
    region = image[box.y0 : box.y1, box.x0 : box.x1].astype(np.float64)
    image[box.y0 : box.y1, box.x0 : box.x1] = (
        region * (1 - alpha[..., None]) + np.array([140, 50, 20]) * alpha[..., None]
    ).astype(np.uint8)
    cv2.rectangle(image, (box.x0, box.y0), (box.x1, box.y1), (20, 20, 20), 2)
    agent = SignatureBox(role=SignatureRole.POLLING_AGENT, bbox=box)
    (signature,) = assess_signatures(make_page(image), located((agent,)), None)
    assert signature.status is SignatureStatus.REFUSED


def test_a_signatures_long_straight_stroke_stays_in_its_fingerprints_shape() -> None:
    """A pen's stroke drawn straight down half the box (a "p" through the flourish) is
    no rule: on seed 9012 it was taken for one on one copy of a pasted signature and not
    on the others, and the copies' shapes came 0.39 apart. Only rules across the box are
    removed from the shape (RULE_ACROSS); the judgement of ink still drops them all."""
    from pipeline.stages.marks import box_ink

    image = np.full((300, 600, 3), 255, np.uint8)
    box = BBox(x0=50, y0=50, x1=550, y1=250)
    cv2.line(image, (100, 60), (540, 60), (0, 0, 0), 3)  # a rule across the box
    cv2.line(image, (300, 80), (300, 200), (150, 40, 20), 3)  # a pen's stroke, 0.6 high
    page = make_page(image)
    shape = box_ink(page, box, keep_pen=False)
    assert shape[30:150, 250 - 2 : 250 + 3].any()  # the stroke (box coordinates)
    assert not shape[8:12, 60:480].any()  # the rule
    judged = box_ink(page, box)
    assert judged[30:150, 248:253].any()  # a pen's colour: kept for the judgement too


OFFICERS_SIGNED = Path(__file__).parents[1] / "fixtures" / "marks" / "officers_signed_phone.png"


def _officers_boxes(x0: int, y0: int) -> tuple[SignatureBox, ...]:
    """The two officers' signature boxes, one above the other, from (x0, y0)."""
    return tuple(
        SignatureBox(role=role, label=role.value, bbox=BBox(x0=x0, y0=y, x1=x0 + 574, y1=y + 193))
        for role, y in (
            (SignatureRole.PRESIDING_OFFICER, y0),
            (SignatureRole.ASSISTANT_PRESIDING_OFFICER, y0 + 201),
        )
    )


def test_the_officers_blue_signatures_are_no_stamp() -> None:
    """Seed 9014's PP-229_ps143, a phone photo that bore no stamp: its officers' blue
    signatures (the fixture: their boxes as the page was normalised, set back where they
    were on the page) made a ring of a stamp's size, and STAMP_MISSING was not raised."""
    crop = cv2.imread(str(OFFICERS_SIGNED))
    page = np.full((3858, 2777, 3), 240, np.uint8)
    page[2140 : 2140 + crop.shape[0], 624 : 624 + crop.shape[1]] = crop
    assert find_stamps(make_page(page), located(_officers_boxes(664, 2180)), None) == ()


OFFICERS_SIGNED_FLATBED = OFFICERS_SIGNED.with_name("officers_signed_flatbed.png")


def test_a_zigzag_signature_reaching_round_is_too_small_for_a_stamp() -> None:
    """Seed 9016's PS-239_ps075, a flatbed scan at 200 dpi that bore no stamp: the
    assistant's zigzag signature (the fixture: the officers' boxes as the page was
    normalised) reaches 10 of 12 sectors round its fitted ellipse, 125 x 182 pixels."""
    crop = cv2.imread(str(OFFICERS_SIGNED_FLATBED))
    page = np.full((3509, 2480, 3), 240, np.uint8)
    page[1180 : 1180 + crop.shape[0], 624 : 624 + crop.shape[1]] = crop
    boxes = tuple(
        SignatureBox(role=role, label=role.value, bbox=BBox(x0=674, y0=y, x1=1235, y1=y + 192))
        for role, y in (
            (SignatureRole.PRESIDING_OFFICER, 1219),
            (SignatureRole.ASSISTANT_PRESIDING_OFFICER, 1419),
        )
    )
    assert find_stamps(make_page(page), located(boxes), None) == ()


@pytest.mark.parametrize("centre", [(400, 800), (400, 700), (600, 720)])
def test_a_stamp_pressed_over_the_officers_signature_boxes_is_a_stamp(
    centre: tuple[int, int],
) -> None:
    """Its ring reaches round: so pressed inside the boxes, it is still a stamp."""
    image = _sheet()
    boxes = _officers_boxes(100, 600)
    for box in boxes:
        cv2.rectangle(
            image, (box.bbox.x0, box.bbox.y0), (box.bbox.x1, box.bbox.y1), (20, 20, 20), 2
        )
    draw_stamp(image, centre, 150, (200, 60, 40))
    assert len(find_stamps(make_page(image), located(boxes), None)) == 1


def test_a_coloured_stamp_is_read_from_its_colour_and_its_darkness() -> None:
    template = resolve_template("pk-form45")
    image = _sheet()
    draw_stamp(image, (600, 1000), 150, (160, 40, 120))
    draw_stamp(image, (300, 400), 150, (30, 30, 30))
    stamps = find_stamps(make_page(image), located(), template)
    by_colour = {s.color: s for s in stamps}
    assert set(by_colour) == {"violet", "black"}
    assert by_colour["violet"].darkness_reading is not None
    assert by_colour["black"].darkness_reading is None  # its one image is its darkness


def _broken_oval(image: np.ndarray, centre: tuple[int, int], axes: tuple[int, int]) -> None:
    """A faint grey oval stamp whose rings break into arcs of 10 and 8 degrees, 3 apart
    (a phone photo at 150 dpi, a GIF's palette), with its ring text."""
    grey = (120, 120, 120)
    for start in range(0, 360, 13):
        cv2.ellipse(image, centre, axes, 0, start, start + 10, grey, 4)
    inner = (int(axes[0] * 0.72), int(axes[1] * 0.72))
    for start in range(0, 360, 11):
        cv2.ellipse(image, centre, inner, 0, start, start + 8, grey, 3)
    for angle in np.linspace(0, 2 * np.pi, 26, endpoint=False):
        x = centre[0] + axes[0] * 0.86 * np.cos(angle)
        y = centre[1] + axes[1] * 0.86 * np.sin(angle)
        cv2.putText(image, "A", (int(x) - 6, int(y) + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, grey, 1)


def test_a_faint_ring_broken_in_arcs_is_found_on_a_third_look_where_the_stamp_belongs() -> None:
    """Seed 9035's NA-246_ps102 and PB-67_ps230: a faint oval's ring in pieces, which the
    first look's 3x3 closing leaves apart; on the page that carries the footer, none
    found there, outlines closed 5x5 join it."""
    image = _sheet()
    _broken_oval(image, (600, 1000), (190, 130))
    page = make_page(image)
    assert _stamp_candidates(page) == []
    assert find_stamps(page, located(), None) == ()  # no footer: no third look
    (stamp,) = find_stamps(page, located(_boxes()), None)
    assert stamp.bbox.iou(BBox(x0=410, y0=870, x1=790, y1=1130)) > 0.6


def test_the_third_look_takes_no_block_of_text_for_a_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed 5x5, a block of printed names on an Indonesian C1 photo
    (../shared/realdata/indonesia-c1/contoh-pilgub__2.jpeg, as normalised; kawalc1/kawalc1
    @ de1add16658b) makes an elliptic outline; it has ink near it and fills its box, as
    no stamp's ring does (WIDE_OUTSIDE, WIDE_FILL)."""
    from pipeline.stages import marks

    fixture = Path(__file__).parents[1] / "fixtures" / "marks" / "indonesia_c1_name_block.png"
    block = cv2.imread(str(fixture))
    page = make_page(np.ascontiguousarray(block))
    assert marks._wide_outlines(page) == []
    monkeypatch.setattr(marks, "WIDE_OUTSIDE", 1.0)  # without the two bars, it is taken
    monkeypatch.setattr(marks, "WIDE_FILL", 1.0)
    assert len(marks._wide_outlines(page)) == 1


def test_a_signature_of_one_straight_stroke_is_not_fingerprinted() -> None:
    """Seed 9035's PP-155_ps031 and its agent's copy: a line signed in one agent's box of
    each, 2.5 pixels across its own axis, came 0.058 apart, as alike as a paste. A line
    carries too little of a hand to tell the two apart; a scribble is fingerprinted."""
    image = _sheet()
    boxes = _boxes()
    line, scribble = boxes[1].bbox, boxes[2].bbox
    cv2.line(image, (line.x0 + 40, line.y1 - 50), (line.x1 - 40, line.y0 + 70), (140, 50, 20), 3)
    draw_scribble(image, scribble, seed=2)
    signatures = assess_signatures(make_page(image), located(boxes), None)
    assert signatures[1].status is SignatureStatus.PRESENT
    assert (signatures[1].fingerprint, signatures[1].descriptor) == ("", "")
    assert signatures[2].fingerprint and signatures[2].descriptor


def test_a_signature_of_one_smooth_stroke_is_not_fingerprinted() -> None:
    """Seed 9040's NA-55_ps188 and its agent's copy: agent 31 signed each with one gentle
    curve hooked at its end, 3.3 and 2.7 pixels off a cubic along it, 0.045 apart, as
    alike as a paste. The same curve with a loop is a hand's, and is fingerprinted."""
    image = _sheet()
    boxes = _boxes()
    curve, looped = boxes[1].bbox, boxes[2].bbox
    for box, loop in ((curve, False), (looped, True)):
        xs = np.linspace(box.x0 + 30, box.x1 - 60, 80)
        ys = box.y1 - 40 - 0.0006 * (xs - box.x0 - 30) ** 2
        points = [np.int32(np.column_stack([xs, ys]))]
        hook = np.int32([[xs[-1], ys[-1]], [xs[-1] + 8, ys[-1] + 3], [xs[-1] + 14, ys[-1] + 12]])
        cv2.polylines(image, [*points, hook], False, (140, 50, 20), 6)
        if loop:
            cv2.ellipse(image, (box.x0 + 160, box.y0 + 70), (30, 22), 0, 0, 360, (140, 50, 20), 4)
    signatures = assess_signatures(make_page(image), located(boxes), None)
    assert [s.status for s in signatures[1:3]] == [SignatureStatus.PRESENT] * 2
    assert (signatures[1].fingerprint, signatures[1].descriptor) == ("", "")
    assert signatures[2].fingerprint and signatures[2].descriptor
    ink = box_ink(make_page(image), curve)  # no line, but one smooth stroke
    assert stroke_spread(ink) > LINE_SPREAD and curve_spread(ink) < ONE_STROKE_SPREAD


def test_a_thin_impression_of_a_pale_pad_is_named_by_its_hue() -> None:
    """Seed 9041's NA-203_ps094: a violet ring too thin and pale for its saturated ink to
    cover COLOURED_BOX of its box was named black, so never matched to its pasted copies.
    Grey ink so drawn stays black, as does a GIF's (its palette's hue is no ink's)."""

    def ring(bgr: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        crop = np.full((200, 200, 3), (236, 238, 240), np.uint8)
        cv2.circle(crop, (100, 100), 80, bgr, 2)
        cv2.circle(crop, (100, 100), 60, bgr, 2)
        inked = (crop != (236, 238, 240)).any(axis=2)
        return crop, inked

    crop, inked = ring((200, 175, 190))  # saturation 32, hue 138
    saturated = np.zeros(inked.shape, bool)  # nothing over INK_SATURATION
    colour, ink = _stamp_colour(crop, saturated, inked, 45, palette=False)
    assert colour == "violet" and np.array_equal(ink, inked)
    assert _stamp_colour(crop, saturated, inked, 45, palette=True)[0] == "black"
    grey, inked = ring((170, 172, 174))
    assert _stamp_colour(grey, saturated, inked, 45, palette=False)[0] == "black"
