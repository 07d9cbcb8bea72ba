"""report.html in a real browser: Debian's Chromium, headless, loading the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.batch.run import run_batch
from pipeline.options import Options
from tests.batch.workers import truth_worker

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    run = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return run.stdout


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)"
)
def test_report_loads_and_filters_in_chromium(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([str(SAMPLES)], out, Options(), workers=2, worker=truth_worker)
    page = (out / "report.html").resolve()
    dom = dump_dom(page.as_uri(), tmp_path / "profile")
    assert "tallyscope batch report" in dom
    rows = dom.count("<tr data-code=")
    assert rows > 5 and 'class="hidden"' not in dom
    assert "FORM47_MISMATCH" in dom
    filtered = dump_dom(page.as_uri() + "#code=STAMP_MISSING", tmp_path / "profile2")
    hidden = filtered.count('class="hidden"')
    shown = filtered.count('<tr data-code="STAMP_MISSING"')
    assert shown >= 1 and hidden == rows - shown
