"""Other figures the ink could be: each digit in turn read as its runner-up."""

from __future__ import annotations

from pipeline.model import BBox
from pipeline.numbers import DigitReading, NumberReading, figure_alternatives

BOX = BBox(x0=0, y0=0, x1=9, y1=9)


def digit(top: int | None, *alternatives: tuple[int, float]) -> DigitReading:
    probability = alternatives[0][1] if top is not None else 0.4
    return DigitReading(top, probability, alternatives, BOX, 0.2)


def number(*digits: DigitReading) -> NumberReading:
    text = "".join("?" if d.digit is None else str(d.digit) for d in digits)
    confidence = 1.0
    for d in digits:
        confidence *= d.probability if d.digit is not None else 0.0
    return NumberReading(None, text, confidence, "rejected", digits)


def test_each_digit_read_as_its_runner_up_likeliest_first() -> None:
    reading = number(
        digit(4, (4, 0.9), (9, 0.08), (1, 0.01)),
        digit(7, (7, 0.6), (1, 0.35), (2, 0.03)),
    )
    assert figure_alternatives(reading) == ((41, 0.315), (97, 0.048), (42, 0.027))


def test_an_unreadable_digit_is_offered_as_each_of_its_candidates() -> None:
    reading = number(digit(4, (4, 0.9), (9, 0.05)), digit(None, (1, 0.3), (7, 0.2)))
    assert figure_alternatives(reading) == ((41, 0.27), (47, 0.18))


def test_nothing_is_offered_for_two_unreadable_digits_or_none() -> None:
    assert figure_alternatives(number(digit(None, (1, 0.3)), digit(None, (7, 0.2)))) == ()
    assert figure_alternatives(NumberReading(None, "", 0.0, "empty")) == ()
