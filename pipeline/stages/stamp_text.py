"""What a stamp impression says: the text around its ring and in its centre.

A polling station's stamp names the station (and its constituency) around the ring and
carries its number in the centre. The ring is unwrapped into a straight strip by a polar
transform (the impression's up is outward, so the strip is read with the outside on top)
and read by Tesseract, as is the centre. A stamp pasted from another station's form then
names another station than the header: `STAMP_TEXT_MISMATCH`. The finding needs two
independent cues to agree (another number in the centre and the header's station name
absent from a ring legible enough to show the header's constituency code, or another
constituency code in both ring and centre), so one misread digit does not accuse a form.
A ring whose code was lost may still prove itself legible by its printed words
("PRESIDING OFFICER", "UNION COUNCIL OFFICE") and name another place outright: a word
read on both turns of the strip that is no word of the header's station name; a ring
read whole (the header's own code and its printed words) that names another place so
needs no centre number.
A centre number two or more edits from the header's is another station's, not a misread
(of 350 centre numbers read on seed 9002, 31 were misread, 28 of them by one edit), when
a second cue agrees: the centre line reads the header's constituency code exactly (it
was read cleanly; the ring may be illegible), or a ring legible by its printed words
lacks the header's station name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.stages.labels import similarity
from pipeline.tools.tesseract import ocr_words

RING_BAND = (0.72, 0.97)  # the ring text lies between these fractions of the radius
CENTRE = (0.64, 0.3)  # the centre disc's radius and the lines' half height, in radii
MIN_RING_LETTERS = 12  # fewer legible letters: the ring is not read, no finding
NAME_ABSENT = 0.2  # at most this share of the station name's words on a legible ring
WORD_MATCH = 0.75  # similarity at which a word read on the ring is the name's word
LEGIBLE_RING_WORDS = 3  # printed ring words (RING_WORDS) read: the ring is legible
PLACE_LETTERS = 5  # a word naming the stamp's place has at least this many letters
OTHER_NUMBER_EDITS = 2  # a centre number this many edits from the header's is another's
# a constituency code: "NA-104", "PP 2"; a Sindh assembly seat ("PS-234") only with its
# dash, since "PS 18" is a polling station's number
CODE = re.compile(r"\b([A-Z]{2,3})\s*([-–—.]?)\s*(\d{1,3})\b")
DASHES = frozenset("-–—")
# the station's number in the centre, whole: "PS 16/7" or "PS 8&9" is a number misread;
# "PS-234" (a dash) is a Sindh seat's code
STATION_NUMBER = re.compile(r"\bP\s*S\s*[.:#]?\s*(\d{1,4})(?=\s|$)")
# words that say what kind of building a polling station is, shared by thousands of
# stations ("Govt Boys High School", "Basic Health Unit"): the name's other words (the
# place: "Gulberg", "Chak 12") are what tell one station's stamp from another's
INSTITUTION_WORDS = frozenset(
    """GOVT GOVERNMENT BOYS GIRLS PRIMARY MIDDLE HIGH HIGHER SECONDARY ELEMENTARY SCHOOL
    COLLEGE DEGREE BASIC HEALTH UNIT RURAL DISPENSARY HOSPITAL COMMUNITY CENTRE CENTER
    UNION COUNCIL OFFICE HALL MASJID MOSQUE MADRASSA PUBLIC LIBRARY NO""".split()  # noqa: SIM905
)
# words every station's ring prints whatever its place
RING_WORDS = INSTITUTION_WORDS | {"PRESIDING", "OFFICER", "POLLING", "STATION"}


@dataclass(frozen=True)
class StampText:
    ring: str  # the ring text as read (the strip goes twice round)
    centre: str  # the centre lines as read


def _square(ink: np.ndarray) -> np.ndarray:
    """An oval impression stretched back to a circle (ink = 255)."""
    h, w = ink.shape
    side = max(h, w)
    return cv2.resize(ink, (side, side), interpolation=cv2.INTER_LINEAR)


def unwrap_ring(ink: np.ndarray) -> np.ndarray:
    """The ring band as a straight strip (ink = 255), outside up, read left to right;
    twice round, so words across the seam are whole once."""
    square = _square(ink)
    radius = square.shape[0] / 2
    angular = max(64, int(2 * np.pi * radius * sum(RING_BAND) / 2))
    polar = cv2.warpPolar(
        square,
        (int(radius), angular),
        (radius, radius),
        radius,
        cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR,
    )
    band = polar[:, int(RING_BAND[0] * radius) : int(RING_BAND[1] * radius)]
    strip = cv2.rotate(band, cv2.ROTATE_90_COUNTERCLOCKWISE)
    # the inner and outer rings become long straight lines: remove them
    lines = cv2.morphologyEx(strip, cv2.MORPH_OPEN, np.ones((1, max(20, strip.shape[0] * 2))))
    strip = cv2.subtract(strip, cv2.dilate(lines, np.ones((3, 3), np.uint8)))
    return np.hstack([strip, strip])


def _turned(image: np.ndarray, angle: float) -> np.ndarray:
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR)


def _level_angle(disc: np.ndarray) -> float:
    """The turn that makes the centre lines horizontal: a stamp is pressed at any angle
    (the angle whose row profile is most uneven: lines of text and the gaps between)."""

    def score(angle: float) -> float:
        return float(_turned(disc, angle).sum(axis=1, dtype=np.float64).var())

    coarse = max(range(-60, 61, 4), key=score)
    return max(np.arange(coarse - 3, coarse + 3.5, 1.0), key=score)


def centre_of(ink: np.ndarray) -> np.ndarray:
    """The centre lines of the impression (ink = 255), inside the inner ring, levelled."""
    square = _square(ink)
    radius = square.shape[0] / 2
    c, half = int(radius), int(radius * CENTRE[0])
    disc = square[c - half : c + half, c - half : c + half].copy()
    mask = np.zeros_like(disc)
    cv2.circle(mask, (half, half), half, 255, -1)
    disc = cv2.bitwise_and(disc, mask)  # nothing of the rings at the corners
    level = _turned(disc, _level_angle(disc))
    band = int(radius * CENTRE[1])
    return level[max(0, half - band) : half + band]


def _read(ink: np.ndarray, psm: int) -> str:
    if ink.size == 0 or not ink.any():
        return ""
    page = cv2.copyMakeBorder(255 - ink, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
    words = ocr_words(page, lang="eng", psm=psm)
    return " ".join(w.text for w in words if w.confidence >= 0.3)


def read_stamp_text(ink: np.ndarray) -> StampText:
    """Ring and centre text of one impression (its tight crop, graded: ink = 255)."""
    if min(ink.shape) < 60:
        return StampText(ring="", centre="")
    return StampText(ring=_read(unwrap_ring(ink), psm=7), centre=_read(centre_of(ink), psm=6))


def _letters(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


def constituency_codes(text: str) -> set[str]:
    return {
        f"{p}-{int(n)}" for p, dash, n in CODE.findall(text.upper()) if p != "PS" or dash in DASHES
    }


def _words(text: str, letters: int) -> list[str]:
    return [w for w in (_letters(part) for part in text.split()) if len(w) >= letters]


def _like_any(word: str, others: Sequence[str] | frozenset[str]) -> bool:
    return any(similarity(word, other) >= WORD_MATCH for other in others)


def name_on_ring(name: str, ring: str) -> float:
    """Share of the station name's own words (3+ letters, not INSTITUTION_WORDS unless it
    has no other) found on the ring, each allowing a misread letter or two; one word lost
    to a faint patch leaves the rest."""
    words = _words(name, 3)
    wanted = [w for w in words if w not in INSTITUTION_WORDS] or words
    read = _words(ring, 2)
    if not wanted or not read:
        return 0.0
    return sum(_like_any(word, read) for word in wanted) / len(wanted)


def legible_ring_words(ring: str) -> int:
    """How many of the ring's words read as words every ring prints (RING_WORDS)."""
    return sum(_like_any(word, RING_WORDS) for word in _words(ring, 4))


def other_places(ring: str, name: str) -> list[str]:
    """Words of the ring that name a place other than the header's station: long, unlike
    the printed ring words and the name's own words, and read alike on both turns of the
    strip (the strip goes twice round: noise is not read the same twice, a word is)."""
    own = frozenset(RING_WORDS | set(_words(name, 3)))
    strange = [w for w in _words(ring, PLACE_LETTERS) if not _like_any(w, own)]
    return [
        w
        for i, w in enumerate(strange)
        if _like_any(w, [o for j, o in enumerate(strange) if j != i])
    ]


def another_number(stamped: Sequence[str], number: str) -> bool:
    """Every station number read in the centre is OTHER_NUMBER_EDITS or more edits
    from the header's (leading zeros aside): not one misread digit of it."""
    own = str(int(number))
    return bool(stamped) and all(
        Levenshtein.distance(str(int(s)), own) >= OTHER_NUMBER_EDITS for s in stamped
    )


def mismatch(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """What on the stamp names another station or constituency than the header, if
    two cues agree; None when they do not (or the stamp is not legible)."""
    return _ring_mismatch(text, header) or _another_station(text, header)


def _ring_mismatch(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """Another constituency code in ring and centre, or another station number in the
    centre with the header's station name absent from a legible ring."""
    if len(_letters(text.ring)) < MIN_RING_LETTERS:
        return None
    constituency = header.get("constituency", "")
    number = header.get("polling_station_number", "")
    wanted = constituency_codes(constituency)
    ring_codes, centre_codes = constituency_codes(text.ring), constituency_codes(text.centre)
    other_code = (ring_codes & centre_codes) - wanted
    stamped = STATION_NUMBER.findall(text.centre.upper())
    # the header's own station number in the centre: one of the two codes was misread
    same_station = number.isdigit() and any(int(s) == int(number) for s in stamped)
    if wanted and other_code and not (wanted & (ring_codes | centre_codes)) and not same_station:
        return {
            "header_constituency": constituency,
            "stamp_constituency": sorted(other_code)[0],
            "ring_text": text.ring,
            "centre_text": text.centre,
        }
    name = header.get("polling_station_name", "")
    if not name or same_station:
        return None
    share = name_on_ring(name, text.ring)  # share of the name's words
    if share > NAME_ABSENT:
        return None
    places = other_places(text.ring, name)
    if not (number.isdigit() and stamped):
        # no station number read in the centre: a ring read whole (the header's own
        # code, its printed words) that names another place on both turns says it alone
        if wanted & ring_codes and legible_ring_words(text.ring) >= LEGIBLE_RING_WORDS and places:
            return {
                "header_station_name": name,
                "name_words_on_ring": round(share, 3),
                "stamp_place_words": " ".join(dict.fromkeys(places)),
                "ring_text": text.ring,
                "centre_text": text.centre,
            }
        return None
    found: dict[str, str | float] = {
        "header_station_number": number,
        "stamp_station_number": stamped[0],
        "header_station_name": name,
        "name_words_on_ring": round(share, 3),
        "ring_text": text.ring,
        "centre_text": text.centre,
    }
    # the ring must be read well enough to show the header's own constituency code (a
    # garbled ring also "lacks" the station name, and a centre digit is easily misread),
    # and the centre number be no misread digit of the header's (on seed 10001's stored
    # run, benchmarks.rejudge: of its 153 findings, 6 false and 2 true ones gone)
    if wanted & ring_codes and another_number(stamped, number):
        return found
    # or, its code lost, its printed words show it legible, it names another place, and
    # no code read on it contradicts the header's (a misread code is a garbled ring)
    if (
        wanted
        and not ring_codes - wanted
        and legible_ring_words(text.ring) >= LEGIBLE_RING_WORDS
        and places
    ):
        return {**found, "stamp_place_words": " ".join(dict.fromkeys(places))}
    return None


def _another_station(text: StampText, header: dict[str, str]) -> dict[str, str | float] | None:
    """A centre number that is no misread of the header's, and a second cue: the centre
    line reads the header's constituency code exactly, or a ring legible by its printed
    words lacks the header's station name (and names no other constituency)."""
    number = header.get("polling_station_number", "")
    stamped = STATION_NUMBER.findall(text.centre.upper())
    if not (number.isdigit() and another_number(stamped, number)):
        return None
    wanted = constituency_codes(header.get("constituency", ""))
    name = header.get("polling_station_name", "")
    found: dict[str, str | float] = {
        "header_station_number": number,
        "stamp_station_number": stamped[0],
        "ring_text": text.ring,
        "centre_text": text.centre,
    }
    if wanted and constituency_codes(text.centre) == wanted:
        return {**found, "stamp_constituency": sorted(wanted)[0]}
    if not name or legible_ring_words(text.ring) < LEGIBLE_RING_WORDS:
        return None
    share = name_on_ring(name, text.ring)
    if share <= NAME_ABSENT and not constituency_codes(text.ring) - wanted:
        return {**found, "header_station_name": name, "name_words_on_ring": round(share, 3)}
    return None
