"""The real per-form worker under a batch: decompression bombs and hung forms become errors."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from pipeline.batch.run import run_batch
from pipeline.options import Options
from tests.fixtures.bad_inputs import huge_png_header

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _errors(out: Path) -> dict[str, dict[str, str]]:
    lines = (out / "errors.jsonl").read_text().splitlines()
    return {Path(e["path"].split("!")[-1]).name: e for e in map(json.loads, lines)}


def test_png_declaring_absurd_pixels_in_an_archive_is_refused_with_its_size(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("bomb.png", huge_png_header())
    out = tmp_path / "out"
    summary = run_batch([str(archive)], out, Options(), workers=1, write_overlays=False)
    assert summary.failed == 1 and summary.processed == 0
    error = _errors(out)["bomb.png"]
    assert error["code"] == "INPUT_TOO_LARGE"
    assert "100000x100000" in error["reason"]


def test_a_form_over_the_time_limit_is_recorded_as_a_timeout(tmp_path: Path) -> None:
    form = next(p for p in sorted(SAMPLES.glob("*.pdf")) if "form47" not in p.name)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(form, folder / form.name)
    out = tmp_path / "out"
    options = Options(per_form_timeout_s=0.05)
    summary = run_batch([str(folder)], out, options, workers=1, write_overlays=False)
    assert summary.failed == 1
    assert _errors(out)[form.name]["code"] == "TIMEOUT"
    assert (out / "forms.jsonl").read_text() == ""
