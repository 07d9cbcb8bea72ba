"""The constituency code: read through OCR slips, found in a neighbour's box or on the stamp."""

from __future__ import annotations

import pytest

from pipeline.inspect import _with_stamp_constituency
from pipeline.model import BBox, FieldReading, FormIdentity, FormResult, Source, Stamp
from pipeline.stages.read import _constituency_elsewhere, constituency_code, numbered_name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NA-135", "NA-135"),
        ("NA 135", "NA-135"),
        ("NAL35", "NA-135"),  # the hyphen lost and 1 read as L
        ("PP-12.", "PP-12"),
        ("GBA-16", "GBA-16"),
        ("Constituency", None),
        ("NA-", None),
        ("NAME", None),
    ],
)
def test_codes_are_read_through_lookalike_letters(text: str, code: str | None) -> None:
    assert constituency_code(text)[0] == code


def test_exact_reading_is_surer_than_a_repaired_one() -> None:
    assert constituency_code("NA-135")[1] > constituency_code("NAL35")[1]


def test_a_code_read_into_the_neighbouring_box_is_taken_as_derived() -> None:
    header = {
        "constituency": FieldReading(value=None, text=""),
        "constituency_name": FieldReading(value="NA-135", text="NA-135"),
        "polling_station_name": FieldReading(value="Govt School", text="Govt School"),
    }
    found = _constituency_elsewhere(header)
    assert (found.value, found.source) == ("NA-135", "derived")


def test_two_different_codes_elsewhere_are_not_guessed_between() -> None:
    header = {
        "constituency": FieldReading(value=None, text=""),
        "constituency_name": FieldReading(value="NA-135", text="NA-135"),
        "polling_station_name": FieldReading(value="PP-12", text="PP-12"),
    }
    assert _constituency_elsewhere(header).value is None


def _result(constituency: str | None) -> FormResult:
    return FormResult(
        source=Source(path="a.png", sha256="0" * 64, width=100, height=100),
        form=FormIdentity(type="form45"),
        header={"constituency": FieldReading(value=constituency, text=constituency or "")},
    )


def _stamp(centre: str) -> Stamp:
    return Stamp(bbox=BBox(x0=0, y0=0, x1=10, y1=10), confidence=0.9, centre_text=centre)


def test_an_unread_header_takes_the_constituency_its_stamp_names() -> None:
    result = _with_stamp_constituency(_result(None), [[], [_stamp("PS 50\nNA-57")]])
    field = result.header["constituency"]
    assert (field.value, field.source, field.bbox) == ("NA-57", "derived", None)


def test_a_read_header_is_kept_whatever_the_stamp_says() -> None:
    result = _with_stamp_constituency(_result("NA-60"), [[_stamp("PS 50\nNA-57")]])
    assert result.header["constituency"].value == "NA-60"


@pytest.mark.parametrize(
    ("read", "value", "sure"),
    [
        ("Rawalpindi-Vill", "Rawalpindi-VIII", True),
        ("Sialkot-Xll", "Sialkot-XII", True),
        ("Bahawalpur-lV", "Bahawalpur-IV", True),
        ("Lahore-XI", "Lahore-XI", True),
        ("Dera-Ismail", "Dera-Ismail", True),  # a hyphenated name, not a number
        ("Rawalpindi-Vull", "Rawalpindi-Vull", False),  # garbled past repair: a person reads it
        ("NA-46", None, False),  # the neighbouring box's code is no name
    ],
)
def test_a_numbered_name_has_its_roman_number_repaired(
    read: str, value: str | None, sure: bool
) -> None:
    got, confidence = numbered_name(read)
    assert got == value
    assert (confidence >= 0.9) is sure
