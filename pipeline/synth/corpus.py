"""Write a synthetic corpus: images in several containers, truth beside each, a manifest."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict

from pipeline.atomic import write_bytes_atomic, write_text_atomic
from pipeline.codes import FindingCode
from pipeline.model import BBox, SignatureRole, SignatureStatus
from pipeline.synth.capture import apply_capture, clone_region, map_box, plan_capture
from pipeline.synth.plan import ConstituencyPlan, plan_constituency
from pipeline.synth.render import MarkBank, RenderedPage, render_sheet
from pipeline.synth.sheet import Figure, FormSheet
from pipeline.truth import (
    Capture,
    FileTruth,
    PageTruth,
    TruthAnomaly,
    TruthCandidate,
    TruthSignature,
    TruthStamp,
    TruthValue,
)

# 1.1: a Form 47 past its own register carries TURNOUT_OVER_100; 1.2: no two constituencies
# of a corpus share a code (`_constituency_plan`); 1.3: a Form 45's stamp pressed at the foot
# of its page (STAMP_MISPLACED, `plan._stamp_astray`); 1.4: ... only where there is room for
# it under the agents' grid, else in its place (1.3 pressed it over the grid and past the
# page's edge: seed 9054's PP-201_ps152 and ps190)
GENERATOR_VERSION = "1.4"
REDRAW_STREAM = 1_000_000  # random streams of a constituency drawn again start here
FIXED_DATE = time.strptime("2024-02-08", "%Y-%m-%d")
EXTENSIONS = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf", "gif": "gif"}


class ManifestFile(BaseModel):
    model_config = ConfigDict(frozen=True)
    file: str
    form_id: str
    type: str
    constituency: str
    pages: int
    capture: Capture
    anomalies: list[str]


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True)
    generator_version: str = GENERATOR_VERSION
    seed: int
    count: int
    constituencies: list[str]
    files: list[ManifestFile]


def _encode(images: list[np.ndarray], capture: Capture) -> bytes:
    pil = [Image.fromarray(im) for im in images]
    buffer = io.BytesIO()
    dpi = (capture.dpi, capture.dpi)
    if capture.container == "png":
        pil[0].save(buffer, "PNG", dpi=dpi, compress_level=6)
    elif capture.container == "jpeg":
        pil[0].save(buffer, "JPEG", quality=capture.jpeg_quality or 85, dpi=dpi)
    elif capture.container == "gif":
        pil[0].convert("P", palette=Image.Palette.ADAPTIVE, colors=256).save(buffer, "GIF")
    elif capture.container == "tiff":
        # photos compress badly without loss: JPEG inside TIFF, as phones and scanners do
        compression = "jpeg" if capture.kind == "phone" else "tiff_adobe_deflate"
        pil[0].save(
            buffer, "TIFF", save_all=True, append_images=pil[1:], compression=compression, dpi=dpi
        )
    else:  # pdf: scanned pages, image only, JPEG inside
        pil[0].save(
            buffer,
            "PDF",
            save_all=True,
            append_images=pil[1:],
            resolution=float(capture.dpi),
            quality=capture.jpeg_quality or 85,
            creationDate=FIXED_DATE,  # fixed dates keep the bytes deterministic
            modDate=FIXED_DATE,
        )
    return buffer.getvalue()


def _value(value: int | str | None, box: BBox | None, handwritten: bool) -> TruthValue:
    return TruthValue(value=value, bbox=box, handwritten=handwritten)


def _figure(fig: Figure | None, box: BBox | None, handwritten: bool) -> TruthValue | None:
    return None if fig is None else _value(fig.value, box, handwritten)


def _cloned(sheet: FormSheet, index: int) -> int:
    """The signature whose pixels box `index` shows (another's, where it was cloned over)."""
    if sheet.tamper is not None and sheet.tamper.target == f"signatures[{index}]":
        return int(sheet.tamper.source[len("signatures[") : -1])
    return index


def _page_truth(
    sheet: FormSheet,
    page: RenderedPage,
    page_index: int,
    pages: int,
    file: str,
    file_page: int,
    capture: Capture,
    matrix: np.ndarray,
    size: tuple[int, int],
    is_last: bool,
) -> PageTruth:
    w, h = size

    def box(key: str) -> BBox | None:
        return map_box(page.boxes[key], matrix, w, h) if key in page.boxes else None

    header: dict[str, TruthValue] = {}
    if page_index == 0:
        for key, value in sheet.header.items():
            header[key] = _value(value, box(f"header.{key}"), key in sheet.header_handwritten)
    candidates = []
    for i in page.candidate_indices:
        line = sheet.candidates[i]
        hw = sheet.handwritten
        candidates.append(
            TruthCandidate(
                serial=_value(line.serial, box(f"candidates[{i}].serial"), False),
                name=_value(line.name, box(f"candidates[{i}].name"), False),
                party=_value(line.party, box(f"candidates[{i}].party"), False),
                votes=_value(line.votes.value, box(f"candidates[{i}].votes"), hw),
                tendered_votes=_figure(line.tendered, box(f"candidates[{i}].tendered_votes"), hw)
                if f"candidates[{i}].tendered_votes" in page.boxes
                else None,
                challenged_votes=_figure(
                    line.challenged, box(f"candidates[{i}].challenged_votes"), hw
                )
                if f"candidates[{i}].challenged_votes" in page.boxes
                else None,
                total_valid_votes=_figure(line.total, box(f"candidates[{i}].total_valid_votes"), hw)
                if f"candidates[{i}].total_valid_votes" in page.boxes
                else None,
            )
        )
    totals = (
        {k: _value(f.value, box(f"totals.{k}"), sheet.handwritten) for k, f in sheet.totals.items()}
        if is_last
        else {}
    )
    stamps = []
    if is_last and sheet.stamp is not None and "stamp" in page.boxes:
        stamp_box = box("stamp")
        assert stamp_box is not None
        stamps.append(
            TruthStamp(
                bbox=stamp_box,
                color=sheet.stamp.colour,
                shape=sheet.stamp.shape,
                physical_stamp_id=sheet.stamp.physical_stamp_id,
                impression_id=sheet.stamp.impression_id,
                ring_text=sheet.stamp.ring_text,
            )
        )
    signatures = []
    if is_last:
        for i, plan in enumerate(sheet.signatures):
            sig_box = box(f"signatures[{i}]")
            if sig_box is None:
                continue
            signatures.append(
                TruthSignature(
                    role=plan.role,
                    label=plan.label,
                    status=plan.status,
                    bbox=sig_box,
                    signer_id=plan.signer_id if plan.status is SignatureStatus.PRESENT else None,
                    image_id=(plan.paste_id or f"{sheet.form_id}-sig{_cloned(sheet, i)}")
                    if plan.status is SignatureStatus.PRESENT
                    else None,
                    kind="thumb_impression" if plan.kind == "thumb_impression" else "signature",
                )
            )
    anomalies = []
    for anomaly in sheet.anomalies:
        if anomaly.code is FindingCode.STAMP_MISPLACED and not page.stamp_astray:
            continue  # no room under the agents' grid: the stamp was pressed in its place
        target = anomaly.target
        if target.startswith("candidates["):
            row = int(target[len("candidates[") : target.index("]")])
            if row not in page.candidate_indices:
                continue
            a_box = box(target)
        elif target.startswith("signatures["):
            if not is_last:
                continue
            a_box = box(target)
        elif (
            target.startswith("signature.")
            or target in ("stamp", "stamp_area")
            or target.startswith("totals.")
        ):
            if not is_last:
                continue
            if target == "signature.presiding_officer":
                idx = next(
                    i
                    for i, p in enumerate(sheet.signatures)
                    if p.role is SignatureRole.PRESIDING_OFFICER and p.kind == "signature"
                )
                a_box = box(f"signatures[{idx}]")
            elif target == "signature.agents":
                a_box = None
            else:
                a_box = box(target)
        elif page_index != 0:
            continue
        else:
            a_box = None
        anomalies.append(
            TruthAnomaly(
                code=anomaly.code,
                detail=anomaly.detail,
                bbox=a_box,
                values=dict(anomaly.values),
                related=anomaly.related,
            )
        )
    return PageTruth(
        file=file,
        page=file_page,
        width=w,
        height=h,
        form_id=sheet.form_id,
        page_of_form=page_index,
        pages_in_form=pages,
        type=sheet.form_type,  # type: ignore[arg-type]
        template=sheet.template_name,
        constituency=sheet.constituency,
        polling_station_number=sheet.polling_station_number,
        copy_label=sheet.copy_label,
        handwritten=sheet.handwritten,
        capture=capture,
        header=header,
        candidates=tuple(candidates),
        totals=totals,
        stamps=tuple(stamps),
        signatures=tuple(signatures),
        anomalies=tuple(anomalies),
        table_bbox=box("table"),
    )


def _edited(
    image: np.ndarray, sheet: FormSheet, page: RenderedPage, matrix: np.ndarray, capture: Capture
) -> np.ndarray:
    """The captured page after the sheet's digital edit, if it has one on this page: the
    scan as first saved (JPEG where the container is lossy) is opened, a region cloned,
    and the file saved again by `_encode`."""
    plan = sheet.tamper
    if plan is None or plan.source not in page.boxes or plan.target not in page.boxes:
        return image
    if capture.container in ("jpeg", "pdf"):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, "JPEG", quality=capture.jpeg_quality or 85)
        image = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return clone_region(image, page.boxes[plan.source], page.boxes[plan.target], matrix)


def _file_name(sheet: FormSheet) -> str:
    if sheet.form_type == "form47":
        return f"{sheet.constituency}_form47"
    suffix = "" if sheet.copy_label == "original" else f"_{sheet.copy_label}"
    return f"{sheet.constituency}_ps{sheet.polling_station_number:03d}{suffix}"


def write_sheet(
    sheet: FormSheet,
    out_dir: Path,
    rng: np.random.Generator,
    bank: MarkBank,
    name: str | None = None,
    capture: Capture | None = None,
) -> tuple[ManifestFile, bytes, FileTruth]:
    """Render, capture, encode and write one form; return its manifest entry.

    `capture` forces the capture conditions (previews, tests); by default they are drawn.
    """
    pages = render_sheet(sheet, rng, bank)
    drawn = plan_capture(rng, pages=len(pages))
    capture = capture or drawn
    stem = name or _file_name(sheet)
    file = f"{stem}.{EXTENSIONS[capture.container]}"
    images, truths = [], []
    for index, page in enumerate(pages):
        captured = apply_capture(page.image, capture, rng)
        images.append(_edited(captured.image, sheet, page, captured.matrix, capture))
        size = (captured.image.shape[1], captured.image.shape[0])
        truths.append(
            _page_truth(
                sheet,
                page,
                index,
                len(pages),
                file,
                index,
                capture,
                captured.matrix,
                size,
                index == len(pages) - 1,
            )
        )
    data = _encode(images, capture)
    truth = FileTruth(file=file, pages=tuple(truths))
    write_bytes_atomic(out_dir / file, data)
    write_text_atomic(out_dir / f"{stem}.truth.json", truth.model_dump_json(indent=1))
    entry = ManifestFile(
        file=file,
        form_id=sheet.form_id,
        type=sheet.form_type,
        constituency=sheet.constituency,
        pages=len(pages),
        capture=capture,
        anomalies=sorted({a.code.value for t in truths for a in t.anomalies}),
    )
    return entry, data, truth


def _duplicate_scan(
    entry: ManifestFile, data: bytes, truth: FileTruth, out_dir: Path
) -> ManifestFile:
    """The same scan submitted again under another name."""
    stem = f"{Path(entry.file).stem}_resubmitted"
    file = f"{stem}{Path(entry.file).suffix}"
    write_bytes_atomic(out_dir / file, data)
    dup = TruthAnomaly(
        code=FindingCode.DUPLICATE_FORM, detail=f"same scan as {entry.file}", related=(entry.file,)
    )
    pages = tuple(
        p.model_copy(update={"file": file, "anomalies": (*p.anomalies, dup)}) for p in truth.pages
    )
    write_text_atomic(
        out_dir / f"{stem}.truth.json", FileTruth(file=file, pages=pages).model_dump_json(indent=1)
    )
    return entry.model_copy(
        update={
            "file": file,
            "anomalies": sorted({*entry.anomalies, FindingCode.DUPLICATE_FORM.value}),
        }
    )


def _station_counts(count: int, rng: np.random.Generator) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < count:
        left = count - sum(sizes)
        size = int(rng.integers(6, 16))
        sizes.append(left if left - size < 3 else size)
    return sizes


def corpus_manifest(out_dir: Path) -> Manifest | None:
    """The manifest of the corpus in `out_dir`, None when there is none (or unreadable)."""
    try:
        return Manifest.model_validate_json((out_dir / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return None


def corpus_is_current(out_dir: Path, *, count: int, seed: int) -> bool:
    """Whether `out_dir` holds the corpus this generator writes for `count` and `seed`
    (a corpus of an older generator version has older truth, though its images may be
    the same)."""
    manifest = corpus_manifest(out_dir)
    return manifest is not None and (manifest.generator_version, manifest.count, manifest.seed) == (
        GENERATOR_VERSION,
        count,
        seed,
    )


def _constituency_plan(
    seed: int, index: int, stations: int, taken: frozenset[str]
) -> ConstituencyPlan:
    """Constituency `index` of the corpus, its code drawn again while another constituency
    of the corpus has it: two seats of one code wrote each other's files (one
    "PK-12_form47.truth.json" for two Form 47s) and reconciliation, rightly, took them for
    one constituency (seeds 9005, 9006, 9009 and 9011 each had one or two such pairs).
    A corpus without a repeated code is as before."""
    plan = plan_constituency(index, stations, np.random.default_rng([seed, index]))
    attempt = 0
    while plan.code in taken:
        attempt += 1  # apart from the sheets' streams, [seed, index, number]
        rng = np.random.default_rng([seed, index, REDRAW_STREAM + attempt])
        plan = plan_constituency(index, stations, rng)
    return plan


def _constituency_plans(count: int, seed: int) -> Iterator[ConstituencyPlan]:
    """The corpus's constituencies in order, each planned (no sheet drawn yet)."""
    sizes = _station_counts(count, np.random.default_rng(seed))
    codes: list[str] = []
    for index, stations in enumerate(sizes):
        plan = _constituency_plan(seed, index, stations, frozenset(codes))
        codes.append(plan.code)
        yield plan


def regenerate_forms(out_dir: Path, *, count: int, seed: int, names: set[str]) -> list[str]:
    """Write again, as `generate_corpus(count=count, seed=seed)` wrote them, the files of
    the constituencies that hold the forms `names` (file names without their extension,
    "PP-226_ps108"): every sheet of such a constituency, in order, so that a stamp or
    signature pasted from another of its forms is the same image. A form resubmitted
    under another name is not written again, nor its truth marked so. Returns the files
    written. A corpus's runs outlive their images; this brings back the pages a run got
    wrong in seconds rather than the whole corpus in minutes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for index, plan in enumerate(_constituency_plans(count, seed)):
        if not names & {_file_name(sheet) for sheet in plan.sheets}:
            continue
        bank = MarkBank()
        for number, sheet in enumerate(plan.sheets):
            sheet_rng = np.random.default_rng([seed, index, number])
            written.append(write_sheet(sheet, out_dir, sheet_rng, bank)[0].file)
    return written


def generate_corpus(
    out_dir: Path, *, count: int, seed: int, progress: Callable[[str], None] | None = None
) -> Manifest:
    """Generate `count` polling-station Form 45s (grouped in constituencies, each with its
    Form 47, some copies and re-submissions) with truth; deterministic per seed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[ManifestFile] = []
    codes: list[str] = []
    bank = MarkBank()
    for index, plan in enumerate(_constituency_plans(count, seed)):
        codes.append(plan.code)
        for number, sheet in enumerate(plan.sheets):
            sheet_rng = np.random.default_rng([seed, index, number])
            entry, data, truth = write_sheet(sheet, out_dir, sheet_rng, bank)
            entries.append(entry)
            if sheet.form_id in plan.duplicate_scans:
                original = entry.model_copy(
                    update={
                        "anomalies": sorted({*entry.anomalies, FindingCode.DUPLICATE_FORM.value})
                    }
                )
                entries[-1] = original
                dup = TruthAnomaly(
                    code=FindingCode.DUPLICATE_FORM,
                    detail="submitted again under another name",
                    related=(f"{Path(entry.file).stem}_resubmitted{Path(entry.file).suffix}",),
                )
                marked = FileTruth(
                    file=truth.file,
                    pages=tuple(
                        p.model_copy(update={"anomalies": (*p.anomalies, dup)}) for p in truth.pages
                    ),
                )
                stem = Path(entry.file).stem
                write_text_atomic(out_dir / f"{stem}.truth.json", marked.model_dump_json(indent=1))
                entries.append(_duplicate_scan(entry, data, truth, out_dir))
            if progress:
                progress(entry.file)
    manifest = Manifest(seed=seed, count=count, constituencies=codes, files=entries)
    write_text_atomic(out_dir / "manifest.json", manifest.model_dump_json(indent=1))
    return manifest
