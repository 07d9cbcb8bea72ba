"""Stamp text: the ring unwrapped and read by Tesseract, then compared with the header."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.model import BBox, FieldReading, Stamp, StampReading
from pipeline.stages.marks import stamp_text_findings
from pipeline.stages.stamp_text import (
    UNSURE_NUMBER,
    StampText,
    bare_numbers,
    centre_numbers,
    constituency_codes,
    header_numbers,
    header_text,
    mismatch,
    name_on_ring,
    names_neither,
    names_the_other,
    read_alike_as_other,
    read_stamp_text,
    readings_mismatch,
    two_stations,
)
from pipeline.synth.marks import press_stamp, stamp_design

HEADER = {
    "constituency": "NA-130",
    "polling_station_number": "12",
    "polling_station_name": "Govt Boys High School Shadman",
}


def impression(ring: str, centre: tuple[str, ...], seed: int) -> np.ndarray:
    """A pressed stamp (rotated, unevenly inked) as graded ink, 255 = full ink, cut to
    its ink and stretched to full range as the marks stage does."""
    design = stamp_design(ring, centre, diameter=400, oval=False)
    alpha = press_stamp(design, np.random.default_rng(seed))
    ink = (np.clip(alpha, 0, 1) * 255).astype(np.uint8)
    ys, xs = np.nonzero(ink > 40)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return np.asarray(cv2.normalize(ink, None, 0, 255, cv2.NORM_MINMAX), np.uint8)


@pytest.mark.parametrize("seed", [1, 2])
def test_ring_and_centre_are_read(seed: int) -> None:
    said = read_stamp_text(
        impression(
            "PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL SHADMAN * NA-130", ("PS 12", "NA-130"), seed
        )
    )
    # the ring is read: the kind of building, at least (seed 1 loses SHADMAN to its ink)
    assert name_on_ring("Govt Boys High School", said.ring) >= 0.75
    assert mismatch(said, HEADER) is None


def test_stamp_of_another_station_is_a_mismatch() -> None:
    said = read_stamp_text(
        impression("PRESIDING OFFICER * BASIC HEALTH UNIT MOZANG * NA-130", ("PS 137", "NA-130"), 3)
    )
    found = mismatch(said, HEADER)
    assert found is not None
    assert found["stamp_station_number"] == "137"


def test_one_cue_alone_is_not_enough() -> None:
    # another number in the centre, but the ring names the header's station: a misread
    said = StampText(ring="PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL SHADMAN *", centre="PS 72")
    assert mismatch(said, HEADER) is None
    # an illegible ring: nothing is claimed
    assert mismatch(StampText(ring="x * y", centre="PS 137"), HEADER) is None
    # a garbled ring (no constituency code legible) does not prove the name absent
    garbled = StampText(ring="GUT SHA oe PRES IOWNG CF * GT SHA PRS", centre="PS 156 NA-Z26")
    assert mismatch(garbled, HEADER) is None


def test_a_station_of_the_same_kind_elsewhere_is_told_apart_by_its_place() -> None:
    # another Govt Boys High School, in Mozang: the kind of building is no cue
    said = StampText(
        ring="PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL MOZANG * NA-130 *", centre="PS 79 NA-130"
    )
    assert name_on_ring(HEADER["polling_station_name"], said.ring) == 0.0
    assert mismatch(said, HEADER) is not None
    # a number the reader broke ("PS 1/2") is no other station's number
    broken = StampText(ring=said.ring, centre="PS 1/2 NA-130")
    assert mismatch(broken, HEADER) is None


def test_the_headers_number_beside_a_stray_one_is_the_stations_own() -> None:
    # "PS 12 NA-130" read "p53 12 NA 130": the "S" read "5", a stray "3" taken as the number
    misread = StampText(ring="x * y", centre="p53 12 NA 130")
    assert mismatch(misread, HEADER) is None
    # with no figure of the header's beside it, the centre code read exactly: another station
    assert mismatch(StampText(ring="x * y", centre="p53 NA-130"), HEADER) is not None


def _header(constituency: str, number: str, name: str) -> dict[str, str]:
    return {
        "constituency": constituency,
        "polling_station_number": number,
        "polling_station_name": name,
    }


def test_another_kind_of_building_in_the_headers_place_is_another_station() -> None:
    header = _header("NA-128", "30", "Govt Girls Primary School Model Town")
    # the place is the header's, the building not (seed 9009's NA-128_ps030 agent copy)
    ring = "CENTRE MODEL TOWN * PRESIDING CFFICER * COMMUNITY CENTRE MODEL * NA-128 * PRESIDING"
    found = mismatch(StampText(ring=ring, centre="NA-128"), header)
    assert found is not None and found["stamp_institution_words"] == "CENTRE COMMUNITY"
    # its own stamp, the school's words read once among the misreadings: no finding
    own = "GIRLS PRIMARY SCHOOL MODEL TOWN * PRESIDING OFFICER * GOVT CIRLS PRIMRY * NA-128"
    assert mismatch(StampText(ring=own, centre="NA-128"), header) is None
    # "GOVT" begins schools and colleges alike: no sign of either
    assert (
        mismatch(StampText(ring=ring.replace("COMMUNITY CENTRE", "GOVT"), centre=""), header)
        is None
    )
    # a centre number a digit from the header's is the next station of the place (seed
    # 9030's NA-141_ps188, "PS 184" on station 188's form); its own number clears it
    assert mismatch(StampText(ring=ring, centre="PS 31 NA-128"), header) is not None
    assert mismatch(StampText(ring=ring, centre="PS 30 NA-128"), header) is None


def test_one_long_kind_twice_round_or_once_by_a_number_far_off() -> None:
    header = _header("PP-243", "175", "Govt Girls Primary School Model")
    # DEGREE on both turns of the strip (seed 9008's PP-243_ps175)
    ring = "R * GOVT DEGREE ODILEGE IGHRA * PP-243 * PRESIDING OFFICER * GOVT DEGREE * PP-243 *"
    assert mismatch(StampText(ring=ring, centre="PS i71 PP-243"), header) is not None
    # once only, and nothing else says another station: no finding
    once = "R * GOVT DEGREE ODILEGE IGHRA * PP-243 * PRESIDING OFFICER * GOVT * PP-243 *"
    assert mismatch(StampText(ring=once, centre="PP-243"), header) is None
    # ... but with a centre number far from the header's, two cues agree
    assert mismatch(StampText(ring=once, centre="PS 88 PP-243"), header) is not None
    # OFFICE twice is no kind of building: "OFFICER" read short
    office = "PRESIDING OFFICE * PP-243 * PRESIDING OFFICE * GOVT * PP-243"
    assert mismatch(StampText(ring=office, centre="PP-243"), header) is None


def test_another_code_on_the_header_stations_own_stamp_is_a_misread() -> None:
    # ring and centre both say NA-180 (or the header's NA-130 was misread), but the centre
    # carries the header's own station number and the ring its name
    said = StampText(
        ring="PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL SHADMAN * NA-180 *", centre="PS 12 NA-180"
    )
    assert mismatch(said, HEADER) is None


def test_another_constituency_read_in_ring_and_centre() -> None:
    said = StampText(ring="PRESIDING OFFICER * MODEL TOWN * NA-131 *", centre="PS 4 NA-131")
    found = mismatch(said, HEADER)
    assert found is not None and found["stamp_constituency"] == "NA-131"


ANOTHER_STATIONS = StampText(
    ring="PRESIDING OFFICER * BASIC HEALTH UNIT MOZANG * NA-130 *", centre="PS 137 NA-130"
)


def _stamp(said: StampText, *, colour: str = "black", again: StampText | None = None) -> Stamp:
    """A stamp found with `said` read on it (and `again` read from its ink's darkness)."""
    return Stamp(
        bbox=BBox(x0=10, y0=10, x1=400, y1=400),
        confidence=0.9,
        color=colour,
        ring_text=said.ring or None,
        centre_text=said.centre or None,
        darkness_reading=(
            None if again is None else StampReading(ring_text=again.ring, centre_text=again.centre)
        ),
    )


def test_stamp_text_findings_name_both_stations() -> None:
    stamp = _stamp(ANOTHER_STATIONS)
    (finding,) = stamp_text_findings((stamp,), HEADER)
    assert finding.code == "STAMP_TEXT_MISMATCH"
    assert finding.evidence.bbox == stamp.bbox
    assert finding.evidence.values["stamp_station_number"] == "137"
    assert finding.evidence.values["header_station_number"] == "12"
    assert stamp_text_findings((stamp,), {}) == ()  # no header read: nothing claimed


def test_a_ring_without_its_code_names_another_place_read_on_both_turns() -> None:
    # as read on a seed-9002 page: the code lost, the printed words and the place whole
    said = StampText(
        ring="UNION COUNCIL OFFICE NOHALLAG ISLAVPURA * PRESIDING OFFICER * "
        "UNION COUNCIL OFFICE MOHALLAN ISLAVPLAA * * PRESIDING *",
        centre="PS 50 NA-130",
    )
    found = mismatch(said, HEADER)
    assert found is not None
    assert found["stamp_station_number"] == "50"
    assert "ISLAVPURA" in str(found["stamp_place_words"])


def test_a_ring_without_its_place_or_with_another_code_claims_nothing() -> None:
    # the kind of building read, the place lost: the header's name is "absent" for want
    # of reading, not because another place is named
    # (the centre's number one edit from the header's 12: it may be a misread)
    lost = StampText(
        ring="* CONT BOYS HIGH * * PRESIDING OFFICER * CONT BOYS * * PRESIDING OFFICER",
        centre="PS 18 NA-130",
    )
    assert mismatch(lost, HEADER) is None
    # a word read once only is noise, however long
    once = StampText(
        ring="GOVT BOYS HIGH GRHDARAX * PRESIDING OFFICER * GOVT BOYS *",
        centre="PS 52 NA-130",
    )
    assert mismatch(once, HEADER) is None
    # a ring that reads another code than the header's was misread (NA-136 for NA-130)
    misread = StampText(
        ring="UNION COUNCIL OFFICE ISLAMPURA * NA-136 * PRESIDING OFFICER * UNION "
        "COUNCIL OFFICE ISLAMPURA * NA-136",
        centre="PS 13 NA-130",
    )
    assert mismatch(misread, HEADER) is None


def test_a_centre_number_far_from_the_headers_with_a_clean_centre_line() -> None:
    # as read on seed-9002 pages: the ring illegible, the centre read whole; 25 is two
    # edits from 12, no single misread digit
    said = StampText(ring="", centre="PS 25 NA-130")
    found = mismatch(said, HEADER)
    assert found is not None
    assert found["stamp_station_number"] == "25"
    assert found["stamp_constituency"] == "NA-130"
    # one edit away (22 for 12, 112 for 12) may be a misread digit: nothing is claimed
    assert mismatch(StampText(ring="", centre="PS 22 NA-130"), HEADER) is None
    assert mismatch(StampText(ring="", centre="PS 112 NA-130"), HEADER) is None
    # the centre's code lost or misread: its line was not read cleanly
    assert mismatch(StampText(ring="", centre="PS 25 NA-136"), HEADER) is None
    assert mismatch(StampText(ring="", centre="PS 25"), HEADER) is None


@pytest.mark.parametrize(
    ("centre", "stamped"),
    [
        ("70 NA-130", "70"),  # seed 9050's PB-36_ps121 agent copy: "70 PB-36", its "PS" lost
        ("FS 60 NA-130", "60"),  # seed 9053's NA-34_ps191: "FS 60 NA-34"
        ("r2 94 NA-130 /", "94"),  # seed 9050's PP-150_ps089 agent copy: "r2 94 PP-150 /"
        ("rw 407 \\ NA-130 /", None),  # something between figure and code: not its line
        ("13 NA-130", None),  # a digit from the header's 12: may be it misread
        ("70 NA-136", None),  # the code misread: the line was not read cleanly
    ],
)
def test_a_figure_just_before_the_headers_code_is_the_stamps_number(
    centre: str, stamped: str | None
) -> None:
    """A centre whose "PS" was lost or garbled: the figure on the line over the code, the
    code read exactly, is the station number (`figures_above_code`)."""
    found = mismatch(StampText(ring="", centre=centre), HEADER)
    assert (found or {}).get("stamp_station_number") == stamped


def test_a_centre_number_far_from_the_headers_on_a_legible_ring_without_the_name() -> None:
    ring = "COMMUNITY CENTRE © 140 PRESIDING OFFICER * COMMUNITY CENTRE © F140 * PRESIDING"
    found = mismatch(StampText(ring=ring, centre="PS 50"), HEADER)
    assert found is not None and found["name_words_on_ring"] == 0.0
    # the header's station on the ring: the number is the misread
    named = "BOYS HIGH SCHOOL SHADMAN * PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL SHADMAN"
    assert mismatch(StampText(ring=named, centre="PS 50"), HEADER) is None
    # the header's place, another kind of building: another station of that place
    there = "COMMUNITY CENTRE SHADMAN * PRESIDING OFFICER * COMMUNITY CENTRE SHADMAN"
    assert mismatch(StampText(ring=there, centre="PS 50"), HEADER) is not None
    # the ring not legible by its printed words: its lacking the name proves nothing
    assert mismatch(StampText(ring="ce pp NN ce Lo + pp tite ooo", centre="PS 50"), HEADER) is None


def test_a_sindh_seat_code_is_a_code_and_a_station_number_is_not() -> None:
    # "PS-234" (with its dash) is a Sindh assembly seat, "PS 18" a polling station: as
    # read on seed 9002 (PS-234_ps152), a pasted stamp's centre with the header's code
    header = _header("PS-234", "152", "Govt Degree College Gulberg")
    found = mismatch(StampText(ring="GOVT GAAS SOA * 76-2 *", centre="Ps 18 PS-234"), header)
    assert found is not None
    assert found["stamp_station_number"] == "18"
    assert found["stamp_constituency"] == "PS-234"
    # the form's own stamp: the code is no station number, nothing to claim
    assert mismatch(StampText(ring="", centre="PS 152 PS-234"), header) is None
    assert constituency_codes("PS 18 PS-234") == {"PS-234"}


def test_a_ring_read_whole_that_names_another_place_without_a_centre_number() -> None:
    # as read on seed 9002 (PP-156_ps108): the centre's number lost, the ring read twice
    # round with the header's code and another place
    header = _header("PP-156", "108", "Basic Health Unit Mozang")
    ring = (
        "| OFFICER * BASIC HEALTH UNIT SHADAPA * PP-156 < OFFICER * BASIC HEALTH UNIT"
        " SHADAPA * PP-156 PRESIDING"
    )
    found = mismatch(StampText(ring=ring, centre="PP-156"), header)
    assert found is not None and found["stamp_place_words"] == "SHADAPA"
    # the place read once only (the other turn lost it): noise is not claimed
    once = "* BASIC HEALTH UNIT IGHRA * PP-156 * PRESIDING OFFICER * BASIC HEALTH UNIT * PP-156"
    assert mismatch(StampText(ring=once, centre="PP-156"), header) is None
    # the header's own place on the ring
    own = ring.replace("SHADAPA", "MOZANG")
    assert mismatch(StampText(ring=own, centre="PP-156"), header) is None


def test_a_centre_number_one_digit_from_the_headers_needs_another_place_on_the_ring() -> None:
    # as read on a clean seed-10001 page: the header's code on the ring, its place lost to
    # the ink, and "PS 112" in the centre for the header's 12 (a digit read twice)
    lost = StampText(
        ring="ER * GOVT BOYS HIG. NA 130 CRFICER = GOVT BOYS HIG+ NA 130 * CFFIC",
        centre="PS 112 NA-130",
    )
    assert mismatch(lost, HEADER) is None
    # the same ring naming another place on both turns is another station's stamp
    other = StampText(
        ring="ER * GOVT BOYS HIGH SCHOOL SAMANABAD * NA-130 * PRESIDING OFFICER * "
        "GOVT BOYS HIGH SCHOOL SAMANABAD * NA-130 * PRESIDING",
        centre="PS 112 NA-130",
    )
    assert mismatch(other, HEADER) is not None
    # and a centre number two digits from the header's needs no more
    far = StampText(ring=lost.ring, centre="PS 47 NA-130")
    assert mismatch(far, HEADER) is not None


def tilted_oval(ring: str, centre: tuple[str, ...], seed: int, angle: float) -> np.ndarray:
    """An oval stamp pressed `angle` degrees off level, cut to its ink: its box is no
    stretched circle, as a level oval's is."""
    design = stamp_design(ring, centre, diameter=400, oval=True)
    alpha = press_stamp(design, np.random.default_rng(seed))
    side = int(max(alpha.shape) * 1.3)
    canvas = np.zeros((side, side), np.float32)
    y, x = (side - alpha.shape[0]) // 2, (side - alpha.shape[1]) // 2
    canvas[y : y + alpha.shape[0], x : x + alpha.shape[1]] = alpha
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    ink = (np.clip(cv2.warpAffine(canvas, turn, (side, side)), 0, 1) * 255).astype(np.uint8)
    ys, xs = np.nonzero(ink > 40)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return np.asarray(cv2.normalize(ink, None, 0, 255, cv2.NORM_MINMAX), np.uint8)


@pytest.mark.parametrize("angle", [40.0, -50.0])
def test_tilted_oval_stamp_is_read_round_its_ring(angle: float) -> None:
    # stretching a tilted oval's box to a square leaves its ring an ellipse, and the
    # unwrapped strip wanders off the text (seed 9002's NA-104 and NA-229 stamps)
    said = read_stamp_text(
        tilted_oval(
            "PRESIDING OFFICER * BASIC HEALTH UNIT MOZANG * NA-130", ("PS 137", "NA-130"), 4, angle
        )
    )
    assert name_on_ring("Basic Health Unit Mozang", said.ring) >= 0.75
    found = mismatch(said, HEADER)
    assert found is not None
    assert found["stamp_station_number"] == "137"


def _withheld_number(text: str, confidence: float, *alternatives: int) -> dict[str, FieldReading]:
    return {
        "constituency": FieldReading(value="NA-166", confidence=1.0, text="NA-166"),
        "polling_station_number": FieldReading(
            value=None,
            confidence=confidence,
            text=text,
            alternatives=tuple((a, 0.05) for a in alternatives),
        ),
    }


def test_a_withheld_header_number_still_names_its_station() -> None:
    # seed 9002's NA-166_ps108: "108" withheld at 0.92 (708 the runner-up); the stamp's
    # centre reads another station's number and the header's constituency
    said = StampText(ring="BASIC HOALTH * NA-166 * PRESIDING *", centre="PS 96 NA-166")
    header = header_text(_withheld_number("108", 0.92, 708))
    assert header_numbers(header) == ["108", "708"]
    found = mismatch(said, header)
    assert found is not None
    assert found["header_station_number"] == "108 or 708"


def test_a_stamp_number_one_of_the_withheld_readings_is_no_mismatch() -> None:
    said = StampText(ring="", centre="PS 708 NA-166")
    assert mismatch(said, header_text(_withheld_number("108", 0.92, 708))) is None
    # a figure read too unsurely says nothing of the station
    said = StampText(ring="", centre="PS 96 NA-166")
    assert mismatch(said, header_text(_withheld_number("108", 0.3, 708))) is None


def test_a_sure_alternative_of_a_figure_read_unsurely_names_the_station() -> None:
    # seed 9042's NA-258_ps068: its typed "68" read "8" at 0.48 by the digit reader, "68"
    # at 0.97 by the page's OCR (`read._typed_otherwise`): its stamp's "PS 68" is its own
    number = FieldReading(value=None, confidence=0.48, text="8", alternatives=((68, 0.97),))
    header = header_text({"polling_station_number": number})
    assert header_numbers(header) == ["68"]
    unsure = number.model_copy(update={"alternatives": ((68, 0.3),)})
    assert header_numbers(header_text({"polling_station_number": unsure})) == []


def test_a_ring_naming_another_kind_of_building_twice_round_is_a_mismatch() -> None:
    # seed 9002's NA-104_ps073: a "Basic Health Unit Chak 12" stamp on the form of "Govt
    # Degree College Shahdara", station 73; the place lost ("CHAK" read "GK", no code), the
    # centre's 53 one digit from 73
    header = _header("NA-104", "73", "Govt Degree College Shahdara")
    said = StampText(
        ring="> OFFICER * Basic HEALTH UNIT 12 * * PRESIDING OFFICER * HEALTH UNIT GK 12 * *",
        centre="PS 53 NA-104",
    )
    found = mismatch(said, header)
    assert found is not None
    assert found["stamp_institution_words"] == "BASIC HEALTH UNIT"
    # one of its words read on both turns is enough (seed 9004's NA-40_ps026)
    primary = StampText(
        ring="PRIMPRY * PRESIDING OF * GOAT GIRLS PRIMPRY * PRESIDING OF (CER *",
        centre="PS 23 NA-40",
    )
    health_unit = {
        "constituency": "NA-40",
        "polling_station_number": "26",
        "polling_station_name": "Basic Health Unit Samanabad",
    }
    assert mismatch(primary, health_unit) is not None
    for ring in (
        # institution words each read once: perhaps noise
        "PRIMPRY * PRESIDING OF * BOYS GIRLS * PRESIDING OF (CER *",
        # the header's own kind of building on the ring: no claim, whatever else is read
        "OFFICER * GOVT DEGREE HEALTH UNIT * PRESIDING OFFICER * HEALTH UNIT *",
        # "GOVERNMENT" is "GOVT": a longer spelling of the same station is no other building
        "GOVERNMENT DEGREE COLLEGE * PRESIDING OFFICER * GOVERNMENT DEGREE COLLEGE *",
    ):
        assert mismatch(StampText(ring=ring, centre="PS 53 NA-104"), header) is None


def test_only_assembly_prefixes_make_a_constituency_code() -> None:
    # "CHAK 12" read "GK 12" is no seat's code (and so contradicts no header)
    assert constituency_codes("HEALTH UNIT GK 12 * NA-104") == {"NA-104"}
    assert constituency_codes("GBA-2 PB 7") == {"GBA-2", "PB-7"}


def test_a_header_number_that_is_no_decimal_figure_names_no_station() -> None:
    # "²" is a digit to Python's isdigit but no figure int() reads
    assert header_numbers({"polling_station_number": "²"}) == []
    said = StampText(ring="", centre="PS 96 NA-166")
    assert mismatch(said, {"constituency": "NA-166", "polling_station_number": "²"}) is None


def _header(code: str, number: str, name: str) -> dict[str, str]:
    return {"constituency": code, "polling_station_number": number, "polling_station_name": name}


def test_a_far_centre_number_and_another_place_twice_round_need_two_printed_words() -> None:
    """Seed 9006's NA-41_ps162: "PS 127" in the centre, two digits from the header's 162,
    and BILAL read on both turns of a ring showing only PRESIDING twice: two cues agree."""
    header = _header("NA-41", "162", "Union Council Office Model Town")
    ring = 'SOT Cow LEGE BILAL COLONY * © PRESIDING "SOT Coy BILAL * PRESIDING'
    found = mismatch(StampText(ring=ring, centre="PS 127"), header)
    assert found is not None and found["stamp_place_words"] == "BILAL"
    # one digit from the header's (a misread digit, maybe): three printed words needed
    assert mismatch(StampText(ring=ring, centre="PS 163"), header) is None


def test_a_station_number_after_a_p_read_as_5_is_the_stamps() -> None:
    """Seed 9005's NA-204_ps188 agent copy: its centre read "P5125 NA-204"."""
    found = mismatch(StampText(ring="", centre="P5 25 NA-130"), HEADER)
    assert found is not None and found["stamp_station_number"] == "25"
    joined = mismatch(StampText(ring="", centre="P5187 NA-130"), HEADER)
    assert joined is not None and joined["stamp_station_number"] == "187"


def test_a_printed_word_misread_alike_twice_round_is_no_place() -> None:
    """Seed 9006's PP-59_ps061: SCHOOL read "SOCOL" on both turns of its own station's
    stamp, the centre's 62 one digit from the header's 61."""
    header = _header("PP-59", "61", "Govt Girls Primary School Shahdara")
    ring = "OFFICER * COT GIRLS SO-COL * FPSO © OFFICER * COT GIRLS SOCOL * FP SO ERD:"
    assert mismatch(StampText(ring=ring, centre="PS 62 PP-59"), header) is None
    # a place read alike twice round still is one
    placed = ring.replace("SOCOL", "ISLAMPURA").replace("SO-COL", "ISLAMPURA")
    assert mismatch(StampText(ring=placed, centre="PS 62 PP-59"), header) is not None


def test_the_headers_own_place_misread_twice_round_is_no_other_place() -> None:
    """Seed 9022's PK-191_ps164: GULBERG read "GAPERG" on both turns of its own
    station's stamp, the centre's "PS 364" one digit from the header's 164."""
    header = _header("PK-191", "164", "Community Centre Gulberg")
    ring = (
        "* COMMUNITY CENTRE GAPERG * ol PRESIDING OFFICER * COMMUNITY CENTRE GAPERG © io) "
        "PRESIDING OFFICER"
    )
    assert mismatch(StampText(ring=ring, centre="PS 364 PK-191"), header) is None
    # another station's place, as far from GULBERG as any that named one on seeds
    # 9012-9022, still is one
    placed = ring.replace("GAPERG", "BAGHBANPURA")
    assert mismatch(StampText(ring=placed, centre="PS 364 PK-191"), header) is not None


def test_a_centre_line_with_its_code_misread_needs_a_ring_read_well() -> None:
    """Seed 9006's PP-253_ps171 ("PS 372 PP-252" on its own stamp, three printed words
    round the ring) against its PB-36_ps195 ("PS 46 PB-35" on another station's, seven)."""
    header = _header("PP-253", "171", "Basic Health Unit Samanabad")
    few = "BAS 'C HEALTH IMT * PRESIDING OF * (MIT * PRESIDING OF *"
    assert mismatch(StampText(ring=few, centre="PS 372 PP-252"), header) is None
    many = "BASIC HEALTH UNIT * PRESIDING OFFICER * BASIC HEALTH UNIT * PRESIDING OFFICER"
    found = mismatch(StampText(ring=many, centre="PS 372 PP-252"), header)
    assert found is not None and found["stamp_station_number"] == "372"


PASTED_FROM = {
    "constituency": "NA-130",
    "polling_station_number": "47",
    "polling_station_name": "Basic Health Unit Kot Lakhpat",
}


def test_a_paste_reading_the_number_of_the_form_it_came_from_is_that_stations() -> None:
    """The ring garbled, no code in the centre: alone no mismatch; pasted from station
    47's form and reading "PS 47" (two edits from 12), it is station 47's stamp."""
    garbled = StampText(ring="SRS yee SS soc", centre="PS 47")
    assert mismatch(garbled, HEADER) is None
    said = names_the_other([garbled], HEADER, PASTED_FROM)
    assert said is not None
    assert said["stamp_station_number"] == "47"
    assert said["pasted_from_station_number"] == "47"
    # the form it came from: its own number read, nothing said of it
    assert names_the_other([garbled], PASTED_FROM, HEADER) is None


def test_a_paste_whose_number_is_read_as_letters_is_the_other_stations() -> None:
    """Seed 9016's NA-192_ps089 stamp pasted onto ps234's form: its centre read "PS Bg"
    (89, its digits as the letters they resemble) on the form it came from."""
    source = {**PASTED_FROM, "polling_station_number": "89"}
    lettered = StampText(ring="GOVT COLLECE + A197", centre="PS Bg NA-130")
    said = names_the_other([lettered], HEADER, source)
    assert said is not None and said["stamp_station_number"] == "89"
    assert names_the_other([lettered], source, HEADER) is None  # its own form's number
    assert names_the_other([StampText(ring="", centre="PS BOX")], HEADER, source) is None
    assert names_the_other([StampText(ring="", centre="Ps Id")], HEADER, source) is None


def test_a_paste_read_a_digit_from_its_own_number_says_nothing() -> None:
    """Neighbouring stations' numbers are a digit apart: "PS 13" on station 12's form
    pasted from station 13's could be 12's own stamp misread."""
    neighbour = {**PASTED_FROM, "polling_station_number": "13"}
    assert names_the_other([StampText(ring="", centre="PS 13")], HEADER, neighbour) is None


def test_a_paste_whose_ring_bears_the_other_stations_place_is_that_stations() -> None:
    """No number read; the ring bears LAKHPAT (the other's place), not SHADMAN: the
    other's. Short pieces of a garbled ring ("OT" for KOT) name no place."""
    ring = StampText(ring="* UNT KOT LAKHPAT * PRESI", centre="")
    said = names_the_other([ring], HEADER, PASTED_FROM)
    assert said is not None
    assert said["stamp_place_words"] == "LAKHPAT"  # words of 4+ letters are compared
    garbled = StampText(ring="1 at OT Te + PES", centre="")
    assert names_the_other([garbled], HEADER, PASTED_FROM) is None
    both = StampText(ring="KOT LAKHPAT SHADMAN", centre="")
    assert names_the_other([both], HEADER, PASTED_FROM) is None


def test_a_paste_on_a_form_whose_number_went_unread_is_told_by_its_name() -> None:
    """This form's station number unread: the centre's "PS 47" is the other form's own
    number, and the names say two places (SHADMAN, KOT LAKHPAT): station 47's stamp. Were
    the names one place's, this form might be station 47's copy: nothing said."""
    unread = {k: v for k, v in HEADER.items() if k != "polling_station_number"}
    said = names_the_other([StampText(ring="", centre="PS 47")], unread, PASTED_FROM)
    assert said is not None
    assert said["header_station_number"] == "unread"
    same_place = {**unread, "polling_station_name": "Govt Girls School Kot Lakhpat"}
    assert names_the_other([StampText(ring="", centre="PS 47")], same_place, PASTED_FROM) is None


def test_a_paste_read_a_digit_off_the_other_stations_number_is_still_its() -> None:
    """ "PS 46" on station 12's form, pasted from 47's: far from 12, a digit from 47; a
    one-digit number a digit off is any number, so "PS 4" for station 7 says nothing."""
    said = names_the_other([StampText(ring="", centre="PS 46")], HEADER, PASTED_FROM)
    assert said is not None
    assert said["stamp_station_number"] == "46"
    seventh = {**PASTED_FROM, "polling_station_number": "7"}
    own = {**HEADER, "polling_station_number": "91"}
    assert names_the_other([StampText(ring="", centre="PS 4")], own, seventh) is None


OWN_STAMPS_MISREAD = [
    # seed 9007's NA-38_ps068: "NA-88" read in the header; its own stamp reads NA-38 in
    # ring and centre, "CULBERG" for its Gulberg twice round, "PS 63" for 68; another
    # place on that ring: another constituency's stamp
    (
        _header("NA-88", "68", "Community Centre Gulberg"),
        "OFFICER * COMMUNITY CENTRE CULBERG * NA-38 * PRESIDING OFFICER * "
        "COVMUNITY CENTRE CULBERG ~ NA-38 * PRESIDING",
        "PS 63 NA-38",
        ("CULBERG", "SHADMAN"),
        ("stamp_constituency", "NA-38"),
    ),
    # seed 9009's NA-131_ps043: OFFICER read "CEFICEP" (letter for letter) on both turns
    # of its own station's stamp, SHADMAN cut to "SHAD!", the centre's 42 a digit from 43
    (
        _header("NA-131", "43", "Govt Boys High School Shadman"),
        "GOVT BOYS HIGH SCHOOL * N4-131 * PRESIDING CEFICEP * GOVT BOYS HIGH SCHOOL SHAD! "
        "* NA-131 * PRESIDING CEFICEP",
        "PS 42 NA-131",
        ("CEFICEP", "BAGHBANPURA"),
        ("stamp_place_words", "BAGHBANPURA"),
    ),
]


@pytest.mark.parametrize(
    ("header", "ring", "centre", "read_as", "evidence"),
    OWN_STAMPS_MISREAD,
    ids=["header-code-a-character-off", "printed-word-misread-letter-for-letter"],
)
def test_a_stations_own_stamp_misread_names_no_other_one_with_another_place_does(
    header: dict[str, str],
    ring: str,
    centre: str,
    read_as: tuple[str, str],
    evidence: tuple[str, str],
) -> None:
    assert mismatch(StampText(ring=ring, centre=centre), header) is None
    elsewhere = mismatch(StampText(ring=ring.replace(*read_as), centre=centre), header)
    assert elsewhere is not None
    assert elsewhere[evidence[0]] == evidence[1]


def test_a_paste_whose_centre_names_neither_form_is_another_stations_on_both() -> None:
    own = _header("PK-228", "79", "Govt Girls Primary School Samanabad")
    other = _header("PK-228", "127", "Govt Boys High School Gulberg")
    # seed 9010's PK-228_ps079 and ps127: one image on both, "PS 44" read on each copy
    copies = [StampText(ring="", centre="Ps 44"), StampText(ring="", centre="PS 44 PK-2238")]
    found = names_neither(copies, own, other)
    assert found is not None and found["stamp_station_number"] == "44"
    # the copies read apart: one of them misread, nothing said
    apart = [copies[0], StampText(ring="", centre="PS 41")]
    assert names_neither(apart, own, other) is None
    # one copy's centre unread: a single reading may be a misread digit
    assert names_neither([copies[0], StampText(ring="x", centre="")], own, other) is None
    # a digit from either form's number: that form's own stamp, misread
    near = [StampText(ring="", centre="PS 78"), StampText(ring="", centre="PS 78")]
    assert names_neither(near, own, other) is None
    # a form's number withheld as unsure, read "0" or "9" (seed 9055's PP-192_ps067, its
    # own stamp "PS 67" pasted onto station 83's form): the stamp's number may be its own
    unsure = {**own, "polling_station_number": "", UNSURE_NUMBER: "0 9"}
    assert names_neither(copies, unsure, other) is None
    assert names_neither(copies, other, unsure) is None


def test_a_header_code_and_a_centre_number_each_a_character_off_are_misreads() -> None:
    """Seed 9012's PS-15_ps217: "PS-5" read in the header, its own stamp's centre "PS 237
    PS-15", the ring's place words illegible: each a character off, one station."""
    header = _header("PS-5", "217", "Govt Degree College Ichhra")
    ring = 'iCER * GOVT © PS-15 " PRESIDING OFFICER © GOVT © PS-15 " PRESIDING OFF'
    assert mismatch(StampText(ring=ring, centre="PS 237 PS-15"), header) is None
    # a number far from the header's is another station's stamp
    said = mismatch(StampText(ring=ring, centre="PS 96 PS-15"), header)
    assert said is not None
    assert said["stamp_constituency"] == "PS-15"


def test_a_pasted_stamps_number_read_without_its_ps_is_still_its_number() -> None:
    """Seed 9012's PP-2_ps113, pasted from station 32's form: the centre read "32 PP-2"
    (its "PS" lost) on one copy, "33" on another; a figure in a constituency code is none."""
    own = {**HEADER, "polling_station_number": "113"}
    other = {**HEADER, "polling_station_number": "32"}
    said = names_the_other([StampText(ring="", centre="32 PP-2")], own, other)
    assert said is not None
    assert said["stamp_station_number"] == "32"
    said = names_the_other([StampText(ring="", centre="33")], own, other)
    assert said is not None
    assert bare_numbers("NA-32") == []
    assert names_the_other([StampText(ring="", centre="NA-32")], own, other) is None


def test_the_headers_number_beside_the_ps_read_with_a_letter_is_its_own() -> None:
    """Seed 9024's GBA-23_ps145: "P53 14s GBA-23" for "PS 145 GBA-23", the "S" read "5"
    and a stray "3" taken for the number, the number's "5" read "s"; like seed 9019's
    "p53 155 PP 76", the header's number beside it makes the stamp its own."""
    header = _header("GBA-23", "145", "Govt Degree College Chak 12")
    ring = "ENT OOS © CRA POEL EIGER * CNT DAINTY) CRA PE ee or *"
    assert mismatch(StampText(ring=ring, centre="P53 14s GBA-23"), header) is None
    # another station's number beside it still accuses, and a token with one digit only
    # ("1s") is no reading of the header's number
    assert mismatch(StampText(ring=ring, centre="PS 30 GBA-23"), header) is not None
    assert mismatch(StampText(ring=ring, centre="P53 1ss GBA-23"), header) is not None


def test_the_headers_number_read_a_digit_off_beside_the_ps_is_its_own() -> None:
    """Seed 9025's NA-20_ps101: "P53 102 Na-20" for "PS 101 NA-20", the "S" read "5" and a
    stray "3" taken for the number, the number itself read a digit off. "PS 102" alone is
    a misread of 101 (`another_number`), and so is the figure beside the stray one."""
    header = _header("NA-20", "101", "Govt Girls High School Chak 7")
    assert mismatch(StampText(ring="", centre="PS 102 Na-20"), header) is None
    assert mismatch(StampText(ring="", centre="P53 102 Na-20"), header) is None
    # another station's number beside the stray one still accuses
    assert mismatch(StampText(ring="", centre="P53 130 Na-20"), header) is not None


def test_the_headers_number_beside_the_ps_clears_a_ring_lacking_the_name() -> None:
    """Seed 9063's PB-2_ps121: its own stamp read "ps8 123 PB-2" from its ink's darkness,
    the ring legible ("UNION COUNCIL", "PRESIDING", the header's code) but the place's word
    lost: the centre's "8" beside a figure a digit from the header's number is no other
    station's, as in `_another_station`. Another station's number alone still accuses."""
    header = _header("PB-2", "121", "Union Council Office Gulberg")
    ring = "| * UNION COUNCIL © PB-2 * PRESIDING CRFICER * UNION COUNCIL © PRESIDING"
    assert mismatch(StampText(ring=ring, centre="ps8 123 PB-2"), header) is None
    assert mismatch(StampText(ring=ring, centre="PS 8 PB-2"), header) is not None


def test_a_stamp_illegible_in_its_colour_is_judged_by_its_darkness() -> None:
    # as read on seed 9026's NA-42_ps235 (a paste from station 169): nothing from the
    # violet ink's colour, the whole stamp from its darkness
    illegible = StampText(ring="", centre="ws 36° wade")
    stamp = _stamp(illegible, colour="violet", again=ANOTHER_STATIONS)
    (finding,) = stamp_text_findings((stamp,), HEADER)
    assert finding.evidence.values["read_from"] == "ink darkness"
    assert finding.evidence.values["stamp_station_number"] == "137"
    # without the second reading, the colour's alone says nothing
    assert stamp_text_findings((stamp.model_copy(update={"darkness_reading": None}),), HEADER) == ()


def test_the_headers_own_number_read_in_either_image_clears_the_stamp() -> None:
    # seed 9026's PP-162_ps181: "PS 162" read from the colour, "PS 181" from the darkness
    other = StampText(
        ring="PRESIDING OFFICER * BASIC HEALTH UNIT MOZANG * NA-130 *", centre="PS 137"
    )
    own = StampText(ring="", centre="PS 12 NA-130")
    assert mismatch(other, HEADER) is not None
    assert readings_mismatch({"ink colour": other, "ink darkness": own}, HEADER) is None
    assert readings_mismatch({"ink colour": own, "ink darkness": other}, HEADER) is None
    found = readings_mismatch({"ink colour": other, "ink darkness": StampText("", "")}, HEADER)
    assert found is not None and found["read_from"] == "ink colour"


def test_two_images_disagreeing_on_the_number_one_near_the_headers_accuse_nothing() -> None:
    # seed 9028's GBA-24_ps136, its own stamp at 150 dpi: "PS 174" from the colour (and
    # the header's code, read cleanly: enough alone), "PS 134" from the darkness
    far = StampText(ring="20 MO Tom = ae 20 MO Tom = ae", centre="PS 74 NA-130")
    near = StampText(ring="", centre="PS 13 NA-130")
    assert mismatch(far, HEADER) is not None
    assert readings_mismatch({"ink colour": far, "ink darkness": near}, HEADER) is None
    # both images reading one number a digit off, the ring naming another place twice
    # round, agree: another station's stamp (seed 9028's NA-190_ps176, "PS 175" for 176)
    other = StampText(
        ring="ER * GOVT BOYS HIGH SCHOOL SAMANABAD * NA-130 * PRESIDING OFFICER * "
        "GOVT BOYS HIGH SCHOOL SAMANABAD * NA-130 * PRESIDING",
        centre="PS 13 NA-130",
    )
    garbled = StampText(ring="COMLPNTY CAMTRE * * PRESIDING CRE", centre="PS 13 NA-130")
    found = readings_mismatch({"ink colour": garbled, "ink darkness": other}, HEADER)
    assert found is not None and found["read_from"] == "ink darkness"
    # a number of four digits is no station's, but one digit off the header's it is the
    # header's number misread (seed 9041's NA-37_ps113: "PS 142" from its colour, "PS
    # 1123" from its darkness, for 113); two digits off, it clears nothing
    header = {**HEADER, "polling_station_number": "113"}
    colour = StampText(ring="", centre="PS 142 NA-130")
    assert mismatch(colour, header) is not None
    for darkness, cleared in (("PS 1123 NA-130", True), ("PS 1723 NA-130", False)):
        found = readings_mismatch(
            {"ink colour": colour, "ink darkness": StampText("", darkness)}, header
        )
        assert (found is None) is cleared


def test_a_ring_code_with_its_number_garbled_is_no_place() -> None:
    """Seed 9031's PK-110_ps058: the ring's code read "PK-1LLO" on both turns of the
    station's own stamp, its place lost, the centre's 53 one digit from the header's 58."""
    header = _header("PK-110", "58", "Basic Health Unit Ichhra")
    ring = "FFICER * BAGIC HEALTH UNIT * PK-1LLO OFFICER * BAGIC HEALTH UNIT * PK-1LLO"
    assert mismatch(StampText(ring=ring, centre="PS 53 PK-110"), header) is None
    # another place twice round in the code's stead still is one
    placed = ring.replace("PK-1LLO", "BAGHBANPURA")
    assert mismatch(StampText(ring=placed, centre="PS 53 PK-110"), header) is not None


def test_a_boys_school_round_a_girls_school_of_one_place_is_another_station() -> None:
    """Seed 9031's NA-182_ps115 agent copy: "GOVT BOYS HIGH SCHOOL GULBERG" twice round a
    stamp whose centre reads "PS 15", on the form of station 115, "Govt Girls Primary
    School Gulberg". SCHOOL, on both, ties the ring to neither kind."""
    header = _header("NA-182", "115", "Govt Girls Primary School Gulberg")
    ring = (
        "GOVT BOWS HIGH SCHOOL GULBERG * * PRESIDING OFFICER * GOVT BOYS HIGH SCHOOL GULBERG "
        "* WA-18? * PRESIDING OFFICER"
    )
    found = mismatch(StampText(ring=ring, centre="PS 15 NA-182"), header)
    assert found is not None and found["stamp_institution_words"] == "BOYS HIGH"
    # its own stamp, or one whose ring reads only the word the two kinds share: none
    own = ring.replace("BOWS HIGH", "GIRLS PRIMARY").replace("BOYS HIGH", "GIRLS PRIMARY")
    assert mismatch(StampText(ring=own, centre="PS 15 NA-182"), header) is None
    bare = ring.replace("BOWS HIGH ", "").replace("BOYS HIGH ", "")
    assert mismatch(StampText(ring=bare, centre="PS 15 NA-182"), header) is None


def test_presiding_officer_cut_short_ties_the_ring_to_no_office() -> None:
    """Seed 9044's GBA-15_ps174 agent copy: "GOVT DEGREE COLLEGE SHOHDARA" twice round a
    paste on the form of a "Union Council Office Shahdara", the ring unrolled to end in
    "PRESIDING OFFIC". That "OFFIC" is the printed OFFICER, not the station's Office."""
    header = _header("GBA-15", "174", "Union Council Office Shahdara")
    ring = (
        "ER * GOVT DEGREE COLLEGE SHOHDARA * GHA-15 * PRESIDING OFFICER * GOVT DEGREE "
        "COLLEGE * GHA-15 * PRESIDING OFFIC"
    )
    own = ring.replace("GOVT DEGREE COLLEGE", "UNION COUNCIL OFFICE")  # its kind round it
    said = {
        StampText(ring=ring, centre="PS 65 GBA-i5"): "COLLEGE DEGREE",
        StampText(ring=own, centre="PS 174 GBA-15"): None,
    }
    for text, kind in said.items():
        found = mismatch(text, header)
        assert (found and found["stamp_institution_words"]) == kind


def test_a_centre_number_of_four_digits_is_a_misreading() -> None:
    """Seed 9032's PB-163_ps186, a GIF: its own stamp's centre read "PS 1326 PB-163", the
    ring naming the header's station. No constituency has a thousand stations."""
    header = _header("PB-163", "186", "Basic Health Unit Ichhra")
    ring = (
        "FFICER * BASIC HEALTH UNIT ICHERA * PS-163 * PRESIDING OFFICER * BASIC HEALTH UNIT "
        "* * PRESIDING ©"
    )
    assert mismatch(StampText(ring=ring, centre="PS 1326 PB-163"), header) is None
    # three digits far from the header's, the code the header's: another station's
    assert mismatch(StampText(ring=ring, centre="PS 132 PB-163"), header) is not None


def test_a_sindh_seats_code_read_without_its_dash_is_no_station_number() -> None:
    """Seed 9035's PS-40_ps108: its own stamp's centre, "PS 108 / PS-40", read "P3 108 Ps
    40"; the seat's code, its dash lost, was taken for station 40's number, and the stamp
    pasted from it onto two other stations' forms for another rubber stamp of the design.
    Where the forms' seat is PS-40, "PS 40" is its code; elsewhere it is a station's."""
    assert centre_numbers("P3 108 Ps 40") == ["40"]
    assert centre_numbers("P3 108 Ps 40", ["PS-40"]) == []
    assert two_stations("P3 108 Ps 40", "Ps 108 PS-40")
    assert not two_stations("P3 108 Ps 40", "Ps 108 PS-40", ["PS-40", "PS-40"])
    assert centre_numbers("PS 40 NA-40", ["NA-40"]) == ["40"]  # no Sindh seat


@pytest.mark.parametrize("cut", [0.15, 0.2])
def test_a_round_stamp_clipped_by_its_box_is_read_whole(cut: float) -> None:
    # a paste cut short of its ring's top (seed 9048's PP-159_ps230): stretched to a
    # square its centre moves and its ring bends off the unwrapped strip
    ink = impression(
        "PRESIDING OFFICER * BASIC HEALTH UNIT MOZANG * NA-130", ("PS 137", "NA-130"), 3
    )
    said = read_stamp_text(ink[int(ink.shape[0] * cut) :])
    assert "137" in centre_numbers(said.centre)
    assert name_on_ring("Basic Health Unit Mozang", said.ring) >= 0.5


@pytest.mark.parametrize(
    ("centres", "stamped"),
    [
        # seed 9053's NA-3_ps059: station 54's stamp pasted onto station 59's form, "PS 54"
        # on both copies, a digit from 59 (which one reading alone may be, misread)
        (("PS 54 NA-3", "PS 54 NA-3"), "54"),
        (("PS 54 NA-3", "PS 58 NA-3"), None),  # the copies read apart
        (("PS 54 NA-3", ""), None),  # one copy's centre unread
        (("PS 59 NA-3", "PS 59 NA-3"), None),  # this form's own number
        (("PS 55 NA-3", "PS 55 NA-3"), None),  # neither form's: `names_neither` weighs it
    ],
)
def test_a_paste_read_alike_as_the_other_forms_number_is_its_stamp(
    centres: tuple[str, str], stamped: str | None
) -> None:
    own = _header("NA-3", "59", "Govt Boys High School Mohallah Islimpura")
    other = _header("NA-3", "54", "Govt Boys High School Samanabad")
    copies = [StampText(ring="", centre=centre) for centre in centres]
    found = read_alike_as_other([[copy] for copy in copies], own, other)
    assert (found or {}).get("stamp_station_number") == stamped
    assert names_the_other(copies, own, other) is None  # a digit from 59: no proof alone
    # each copy read from its colour and its darkness: the number one image of each
    # reads is enough (seed 9050's NA-206_ps236, "PS 226" and "PS 220" here)
    garbled = StampText(ring="", centre="PS 52 NA-3")
    both = read_alike_as_other([[garbled, copies[0]], [copies[1]]], own, other)
    assert (both or {}).get("stamp_station_number") == stamped
