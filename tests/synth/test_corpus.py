"""The synthetic generator: deterministic, and its truth consistent with its images."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from pipeline.codes import FindingCode
from pipeline.synth import generate_corpus
from pipeline.synth.marks import press_stamp, stamp_design
from pipeline.truth import FileTruth, PageTruth


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, count=7, seed=0)  # seed 0 plans pastes, re-stamps, copies
    return out


def _truths(folder: Path) -> list[FileTruth]:
    return [
        FileTruth.model_validate_json(p.read_bytes()) for p in sorted(folder.glob("*.truth.json"))
    ]


def _pages(folder: Path) -> list[PageTruth]:
    return [page for truth in _truths(folder) for page in truth.pages]


def _int(value: object) -> int:
    assert isinstance(value, int), value
    return value


def _generate_in_new_process(out: Path, hash_seed: str) -> None:
    """Generate in a fresh interpreter whose str hashes are salted with `hash_seed`."""
    code = (
        "from pathlib import Path; from pipeline.synth import generate_corpus; "
        f"generate_corpus(Path({str(out)!r}), count=2, seed=11)"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).parents[2])


def test_same_seed_same_bytes_across_processes(tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    _generate_in_new_process(first, "1")
    _generate_in_new_process(again, "2")  # a salted hash() in the generator would show here

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    assert digest(first) == digest(again)
    assert len(digest(first)) >= 5  # two forms, the Form 47, their truths and the manifest


def test_every_file_has_truth_and_loads_with_the_right_page_count(corpus: Path) -> None:
    truths = _truths(corpus)
    assert truths
    for truth in truths:
        if truth.file.endswith(".pdf"):
            with pdfplumber.open(corpus / truth.file) as pdf:
                assert len(pdf.pages) == len(truth.pages)
            continue
        with Image.open(corpus / truth.file) as image:
            assert getattr(image, "n_frames", 1) == len(truth.pages)
            assert image.size == (truth.pages[0].width, truth.pages[0].height)


def test_boxes_lie_inside_their_page(corpus: Path) -> None:
    for page in _pages(corpus):
        boxes = [v.bbox for v in page.header.values()] + [v.bbox for v in page.totals.values()]
        boxes += [c.votes.bbox for c in page.candidates] + [s.bbox for s in page.stamps]
        boxes += [s.bbox for s in page.signatures]
        for box in boxes:
            assert box is not None
            assert 0 <= box.x0 < box.x1 <= page.width and 0 <= box.y0 < box.y1 <= page.height


def test_arithmetic_holds_unless_an_anomaly_says_otherwise(corpus: Path) -> None:
    forms: dict[str, list[PageTruth]] = {}
    for page in _pages(corpus):
        forms.setdefault(f"{page.file}", []).append(page)
    checked = 0
    for pages in forms.values():
        last = pages[-1]
        codes = {a.code for p in pages for a in p.anomalies}
        t = {k: v.value for k, v in last.totals.items()}
        cand_total = sum(
            _int(c.total_valid_votes.value if c.total_valid_votes else c.votes.value)
            for p in pages
            for c in p.candidates
        )
        if FindingCode.CANDIDATE_SUM_MISMATCH not in codes:
            assert cand_total == t["total_valid_votes"], last.file
        if FindingCode.POLLED_SUM_MISMATCH not in codes:
            assert t["total_valid_votes"] + t["rejected_votes"] == t["total_votes_polled"]  # type: ignore[operator]
        assert t["votes_polled_male"] + t["votes_polled_female"] == t["total_votes_polled"]  # type: ignore[operator]
        if "registered_voters" in pages[0].header:  # a Form 47 too: its own register
            registered = pages[0].header["registered_voters"].value
            over = FindingCode.TURNOUT_OVER_100 in codes
            assert (t["total_votes_polled"] > registered) == over  # type: ignore[operator]
        checked += 1
    assert checked >= 5


def test_form47_equals_the_sum_of_original_form45s(corpus: Path) -> None:
    pages = _pages(corpus)
    originals = [p for p in pages if p.type == "form45" and p.copy_label == "original"]
    for first in (p for p in pages if p.type == "form47" and p.page_of_form == 0):
        f47_pages = [p for p in pages if p.file == first.file]
        stations = {p.form_id for p in originals if p.constituency == first.constituency}
        assert first.header["number_of_polling_stations"].value == len(stations)
        f47 = first.model_copy(
            update={
                "candidates": tuple(c for p in f47_pages for c in p.candidates),
                "anomalies": tuple(a for p in f47_pages for a in p.anomalies),
            }
        )
        mismatch = {
            _int(a.values["serial"]) for a in f47.anomalies if a.code is FindingCode.FORM47_MISMATCH
        }
        for cand in f47.candidates:
            serial = cand.serial.value
            total = sum(
                _int(c.total_valid_votes.value if c.total_valid_votes else c.votes.value)
                for p in originals
                if p.constituency == f47.constituency and p.file.find("resubmitted") < 0
                for c in p.candidates
                if c.serial.value == serial
            )
            assert (cand.votes.value != total) == (serial in mismatch)


def _crop(folder: Path, page: PageTruth, box_index: int = 0) -> np.ndarray:
    stamp = page.stamps[box_index].bbox
    with Image.open(folder / page.file) as image:
        gray = np.asarray(image.convert("L"), dtype=np.float32)
    return gray[stamp.y0 : stamp.y1, stamp.x0 : stamp.x1]


def test_pasted_stamps_share_an_impression_and_restamps_do_not(corpus: Path) -> None:
    pages = [p for p in _pages(corpus) if p.stamps]
    by_impression: dict[str, list[PageTruth]] = {}
    for page in pages:
        by_impression.setdefault(page.stamps[0].impression_id, []).append(page)
    pasted = [group for group in by_impression.values() if len({p.form_id for p in group}) > 1]
    assert pasted, "seed 0 plans a pasted stamp"
    for group in pasted:
        for page in group:
            assert FindingCode.STAMP_DUPLICATE in {a.code for a in page.anomalies}
    physical: dict[str, set[str]] = {}
    for page in pages:
        physical.setdefault(page.stamps[0].physical_stamp_id, set()).add(
            page.stamps[0].impression_id
        )
    assert any(len(ids) > 1 for ids in physical.values()), "some stamp pressed twice"


def test_restamping_differs_much_more_than_recompressing_one_impression() -> None:
    rng = np.random.default_rng(4)
    design = stamp_design(
        "PRESIDING OFFICER * PS 12 * NA-130", ("PS 12", "NA-130"), diameter=300, oval=False
    )
    first, second = press_stamp(design, rng), press_stamp(design, rng)

    def jpeg(alpha: np.ndarray, quality: int) -> np.ndarray:
        buffer = io.BytesIO()
        Image.fromarray((255 - alpha * 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
        return np.asarray(Image.open(buffer), np.float32)

    pasted = float(np.abs(jpeg(first, 40) - jpeg(first, 90)).mean())
    restamped = float(np.abs(jpeg(first, 90) - jpeg(second, 90)).mean())
    assert restamped > 4 * pasted


def test_anomaly_boxes_point_at_their_field(corpus: Path) -> None:
    for page in _pages(corpus):
        for anomaly in page.anomalies:
            if anomaly.code in (FindingCode.FIGURE_OVERWRITTEN, FindingCode.CORRECTION_FLUID):
                assert anomaly.bbox in [c.votes.bbox for c in page.candidates]
            if anomaly.code is FindingCode.CANDIDATE_SUM_MISMATCH:
                assert anomaly.bbox == page.totals["total_valid_votes"].bbox


def test_forced_clean_flatbed_png_is_a4_at_300_dpi(tmp_path: Path) -> None:
    from pipeline.synth.corpus import write_sheet
    from pipeline.synth.plan import plan_constituency
    from pipeline.synth.render import MarkBank
    from pipeline.truth import Capture

    plan = plan_constituency(0, 3, np.random.default_rng(11))
    sheet = next(s for s in plan.sheets if s.form_type == "form45")
    capture = Capture(kind="flatbed", container="png")
    entry, _, truth = write_sheet(
        sheet, tmp_path, np.random.default_rng(1), MarkBank(), name="clean", capture=capture
    )
    assert entry.file == "clean.png" and entry.capture == capture
    with Image.open(tmp_path / "clean.png") as image:
        assert image.size == (2480, 3508)
    assert all(page.capture == capture for page in truth.pages)


def test_a_form47_past_its_own_register_says_so() -> None:
    from pipeline.synth.plan import plan_constituency

    seen = 0
    for index in range(60):
        plan = plan_constituency(index, 3, np.random.default_rng([5, index]))
        for sheet in plan.sheets:
            if sheet.form_type != "form47":
                continue
            polled = sheet.totals["total_votes_polled"].value
            over = polled > int(sheet.header["registered_voters"])
            assert over == any(a.code is FindingCode.TURNOUT_OVER_100 for a in sheet.anomalies)
            seen += over
    assert seen >= 1


def test_a_stamp_duplicate_label_means_an_impression_shared_with_another_form() -> None:
    """An agent copy is stamped afresh: its original's pasted stamp is not its own."""
    from pipeline.synth.plan import plan_constituency

    labelled = 0
    for index in range(40):
        plan = plan_constituency(index, 6, np.random.default_rng([7, index]))
        forms_of: dict[str, set[str]] = {}
        for sheet in plan.sheets:
            if sheet.stamp is not None:
                forms_of.setdefault(sheet.stamp.impression_id, set()).add(sheet.form_id)
        for sheet in plan.sheets:
            if any(a.code is FindingCode.STAMP_DUPLICATE for a in sheet.anomalies):
                labelled += 1
                assert sheet.stamp is not None
                assert forms_of[sheet.stamp.impression_id] - {sheet.form_id}, sheet.form_id
    assert labelled >= 2


def test_a_typed_figure_is_overwritten_by_hand_over_the_digit_changed() -> None:
    """The truth's FIGURE_OVERWRITTEN on a typed form has ink to show for it: a digit
    written by hand over the typed one (before, the typed figure was printed clean)."""
    from pipeline.synth.handwriting import Hand, overwrite_digit, printed_number

    typed = printed_number("337", 40)
    assert len(typed.digit_spans) == 3
    for x0, x1 in typed.digit_spans:  # each span holds one typed digit's ink
        assert typed.alpha[:, x0:x1].max() > 0.5
    rng = np.random.default_rng(3)
    first, over = overwrite_digit(typed, 1, 2, Hand.random(rng), rng)
    columns = np.flatnonzero(over.max(axis=0) > 0.3)
    x0, x1 = typed.digit_spans[1]
    centre = (columns.min() + columns.max()) / 2
    assert x0 <= centre <= x1  # written over the middle digit, the "3" made a "2"
    assert np.array_equal(first[:, : typed.alpha.shape[1]], typed.alpha)


def test_no_two_constituencies_of_a_corpus_share_a_code() -> None:
    """Seed 9011 drew PK-12 for two constituencies: their files overwrote each other's."""
    from pipeline.synth.corpus import _constituency_plan, _station_counts
    from pipeline.synth.plan import plan_constituency

    sizes = _station_counts(500, np.random.default_rng(9011))
    codes: list[str] = []
    redrawn = []
    for index, stations in enumerate(sizes):
        plan = _constituency_plan(9011, index, stations, frozenset(codes))
        first = plan_constituency(index, stations, np.random.default_rng([9011, index]))
        if plan.code != first.code:
            redrawn.append(first.code)
        codes.append(plan.code)
    assert len(set(codes)) == len(codes)
    assert "PK-12" in redrawn  # drawn again, the others as they were
    assert len(redrawn) < len(codes) // 10


def test_a_stamp_astray_lies_under_the_officers_boxes_and_its_copy_where_it_belongs(
    tmp_path: Path,
) -> None:
    """STAMP_MISPLACED in the truth: the stamp pressed at the foot of the last page, below
    the officers' boxes its area lies beside; an agent's copy is stamped afresh, in place."""
    from pipeline.model import SignatureRole
    from pipeline.synth.corpus import write_sheet
    from pipeline.synth.plan import _agent_copy, plan_constituency
    from pipeline.synth.render import MarkBank
    from pipeline.truth import Capture

    astray = [
        sheet
        for index in range(40)
        for sheet in plan_constituency(index, 6, np.random.default_rng([3, index])).sheets
        if sheet.stamp_astray
    ]
    assert astray
    for sheet in astray:
        assert sheet.stamp is not None
        assert FindingCode.STAMP_MISPLACED in [a.code for a in sheet.anomalies]
    capture = Capture(kind="flatbed", container="png")
    pressed = {True: 0, False: 0}
    for n, sheet in enumerate(astray[:4]):
        name = f"astray{n}"
        _, _, truth = write_sheet(
            sheet, tmp_path, np.random.default_rng(1), MarkBank(), name=name, capture=capture
        )
        *before, last = truth.pages
        (stamp,) = last.stamps
        said = [a for a in last.anomalies if a.code is FindingCode.STAMP_MISPLACED]
        assert not [a for p in before for a in p.anomalies if a.code is FindingCode.STAMP_MISPLACED]
        boxes = [s.bbox for s in last.signatures if s.bbox is not None]
        officers = [
            s.bbox for s in last.signatures if s.role is not SignatureRole.POLLING_AGENT and s.bbox
        ]
        if said:  # under the agents' grid, clear of it and of the page's edge
            assert said[0].bbox == stamp.bbox
            assert stamp.bbox.y0 > max(b.y1 for b in boxes) and stamp.bbox.y1 < last.height
        else:  # no room there: in its place, beside the officers' boxes
            assert stamp.bbox.y0 < max(b.y1 for b in officers)
        pressed[bool(said)] += 1
    assert pressed[True] >= 1
    _, copy = _agent_copy(sheet, np.random.default_rng(2), diverge=False, swap=False)
    assert not copy.stamp_astray
    assert FindingCode.STAMP_MISPLACED not in [a.code for a in copy.anomalies]


def test_forms_regenerated_alone_are_the_corpus_files(corpus: Path, tmp_path: Path) -> None:
    """`regenerate_forms` writes a form's constituency again byte for byte, a stamp
    pasted from another of its forms included (seed 0 pastes one)."""
    from pipeline.synth.corpus import regenerate_forms

    pasted = sorted(
        Path(page.file).stem
        for page in _pages(corpus)
        if any(a.code is FindingCode.STAMP_DUPLICATE for a in page.anomalies)
    )
    assert pasted
    written = regenerate_forms(tmp_path, count=7, seed=0, names={pasted[0]})
    assert any(Path(f).stem == pasted[0] for f in written)
    for file in written:
        assert (tmp_path / file).read_bytes() == (corpus / file).read_bytes(), file
    assert regenerate_forms(tmp_path / "none", count=7, seed=0, names={"NA-0_ps999"}) == []
