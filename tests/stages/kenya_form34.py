"""The real Kenya Form 34 scan and the values read off it by eye (our own labels).

Source: /work/shared/realdata/kenya-form34-2013/example_form_Page_1.jpg, from
parksaew/kenya_election_research @ a55b6514c6ef, cspro_form34/descriptives/images/
(IEBC Form 34, 2013 presidential election, Ngomano Primary School (001), Kibwezi West (087)).
"""

from __future__ import annotations

import os
from pathlib import Path

REALDATA = Path(
    os.environ.get(
        "TALLYSCOPE_REALDATA", Path(__file__).resolve().parents[3] / "shared" / "realdata"
    )
)
SCAN = REALDATA / "kenya-form34-2013" / "example_form_Page_1.jpg"

# Printed candidate names, top to bottom (rows 9-21 are crossed out with X's).
CANDIDATE_NAMES = (
    "JAMES LEGILISHO KIYIAPI",
    "MARTHA WANGARI KARUA",
    "MOHAMED ABDUBA DIDA",
    "MUSALIA MUDAVADI",
    "PAUL KIBUGI MUITE",
    "PETER KENNETH",
    "RAILA ODINGA",
    "UHURU KENYATTA",
)
# Handwritten figures in the key-value table (rows 1-7).
FIGURES = {
    "registered_voters": 445,
    "spoilt_ballots": 0,
    "total_votes_polled": 376,
    "rejected_votes": 0,
    "disputed_votes": 0,
    "rejected_objected_votes": 0,
    "total_valid_votes": 376,
}
# The candidates table's outline and the key-value table's value column, in scan pixels
# (measured on the scan by eye, +- 25 px).
CANDIDATES_TABLE = (320, 1586, 2160, 2770)
VALUE_COLUMN_X = (1524, 2160)
