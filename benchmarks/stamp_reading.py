"""How well a stored run read its stamps' text: the centre's station number and the ring.

    .venv/bin/python -m benchmarks.stamp_reading RUN CORPUS [RUN CORPUS ...]

RUN is a batch's output folder (its forms.jsonl), CORPUS the synthetic forms' folder with
their `.truth.json`. Each stamp found is matched to the truth's impression it overlaps
(IoU > 0.3), whose rubber stamp names its station ("NA-12-PS045-stamp") and whose ring
text is known. For the centre: the station number read right, read wrong (one edit off,
which no stamp-text rule takes for another station, or two or more), or not read (no
"PS n" in the centre's text). For the ring: the share of the true ring's words (three
letters or more) found among the words read, a misread letter or two allowed
(`stamp_text.words_on_ring`), the share of rings whose constituency code was
read, and of rings with three or more printed words read (`legible_ring_words`). Reads
nothing again: two runs of one corpus at two commits, or runs of several seeds, compare
in seconds. A coloured stamp is also read from its ink's darkness (`Stamp.darkness_reading`):
its two readings are measured side by side on the stamps that have both.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.evaluate import load_results, load_truth
from pipeline.model import Stamp
from pipeline.stages.stamp_text import (
    LEGIBLE_RING_WORDS,
    STATION_NUMBER,
    constituency_codes,
    legible_ring_words,
    words_on_ring,
)
from pipeline.truth import PageTruth, TruthStamp

OVERLAP = 0.3  # IoU at which a stamp found is the truth's impression
STAMP_STATION = re.compile(r"-PS(\d+)-")  # the station in a rubber stamp's id


def _impression(stamp: Stamp, truth: PageTruth | None) -> TruthStamp | None:
    if truth is None:
        return None
    box = stamp.bbox
    best = max(truth.stamps, key=lambda s: box.iou(s.bbox), default=None)
    return best if best is not None and box.iou(best.bbox) > OVERLAP else None


def centre_verdict(centre: str, station: int) -> str:
    """ "right", "one_edit", "two_or_more" or "none" for a centre's text."""
    read = STATION_NUMBER.findall(centre.upper())
    if not read:
        return "none"
    edits = Levenshtein.distance(str(int(read[0])), str(station))
    return "right" if edits == 0 else "one_edit" if edits == 1 else "two_or_more"


class _Tally:
    """Readings of stamps whose station and ring are known, and how well they read."""

    def __init__(self) -> None:
        self.centre: Counter[str] = Counter()
        self.rings = self.words = self.codes = self.legible = 0.0

    def add(self, impression: TruthStamp, ring: str, centre: str) -> None:
        station = STAMP_STATION.search(impression.physical_stamp_id)
        if station is not None:
            self.centre[centre_verdict(centre, int(station.group(1)))] += 1
        if impression.ring_text:
            self.rings += 1
            self.words += words_on_ring(impression.ring_text, ring)
            self.codes += bool(constituency_codes(impression.ring_text) & constituency_codes(ring))
            self.legible += legible_ring_words(ring) >= LEGIBLE_RING_WORDS

    def figures(self, prefix: str = "") -> dict[str, float]:
        stations = sum(self.centre.values())
        centre = {k: round(self.centre[k] / max(1, stations), 3) for k in sorted(self.centre)}
        return {
            f"{prefix}stamps_of_a_station": stations,
            **{f"{prefix}centre_{k}": v for k, v in centre.items()},
            f"{prefix}rings": self.rings,
            f"{prefix}ring_words_found": round(self.words / max(1, self.rings), 3),
            f"{prefix}ring_code_read": round(self.codes / max(1, self.rings), 3),
            f"{prefix}ring_legible": round(self.legible / max(1, self.rings), 3),
        }


def measure(run: Path, corpus: Path) -> dict[str, float]:
    """Every stamp's first reading; and for the coloured stamps read twice (their
    `darkness_reading`), each reading of those same stamps: "colour_..." and "darkness_..."."""
    truth = {(t.file, t.page): t for t in load_truth(corpus)}
    first, colour, darkness = _Tally(), _Tally(), _Tally()
    for result in load_results(run / "forms.jsonl"):
        page = truth.get((Path(result.source.path).name, result.source.page))
        for stamp in result.stamps:
            impression = _impression(stamp, page)
            if impression is None:
                continue
            first.add(impression, stamp.ring_text or "", stamp.centre_text or "")
            again = stamp.darkness_reading
            if again is not None:
                colour.add(impression, stamp.ring_text or "", stamp.centre_text or "")
                darkness.add(impression, again.ring_text or "", again.centre_text or "")
    twice = colour.figures("colour_") | darkness.figures("darkness_") if colour.rings else {}
    return first.figures() | twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", type=Path, help="RUN CORPUS [RUN CORPUS ...]")
    args = parser.parse_args()
    if len(args.pairs) % 2:
        parser.error("give a CORPUS after each RUN")
    for run, corpus in zip(args.pairs[::2], args.pairs[1::2], strict=True):
        print(run, measure(run, corpus))


if __name__ == "__main__":
    main()
