"""Batch: outputs, resume after kill -9, duplicates, crashes, hostile archives, Dask."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from pipeline.batch.inputs import ArchiveLimits, InputItem, Refusal, expand_inputs
from pipeline.batch.run import run_batch
from pipeline.options import Options
from tests.batch.workers import crashing_worker, truth_worker
from tests.fixtures.bad_inputs import png_bytes

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    shutil.copytree(SAMPLES, folder)
    return folder


def _lines(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "forms.jsonl").read_text().splitlines() if line]


def _expected_pages(folder: Path) -> int:
    return sum(len(json.loads(p.read_text())["pages"]) for p in folder.glob("*.truth.json"))


def test_batch_writes_every_output_and_reconciles(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch([str(archive)], out, Options(), workers=2, worker=truth_worker)
    assert summary.failed == 0 and summary.processed == len(list(archive.glob("*.truth.json")))
    for name in (
        "forms.jsonl",
        "errors.jsonl",
        "findings.csv",
        "summary.json",
        "report.html",
        "crossform.json",
        "reconcile.json",
        "reconcile.csv",
    ):
        assert (out / name).exists(), name
    assert len(_lines(out)) == _expected_pages(archive)
    reconciliation = json.loads((out / "reconcile.json").read_text())
    codes = {f["finding"]["code"] for f in reconciliation["findings"]}
    assert {"FORM47_MISMATCH", "COPY_DIVERGENCE", "FIGURES_SWAPPED"} <= codes


def test_rerun_skips_done_work_and_same_content_is_processed_once(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = sorted(archive.glob("*.pdf"))[0]
    shutil.copy(first, archive / "renamed_copy.pdf")
    summary = run_batch([str(archive)], out, Options(), workers=2, worker=truth_worker)
    assert summary.duplicate_inputs == 1
    again = run_batch([str(archive)], out, Options(), workers=2, worker=truth_worker)
    assert again.processed == 0 and again.skipped_done == summary.processed
    assert (
        len(_lines(out))
        == _expected_pages(archive)
        - len(json.loads(first.with_suffix(".truth.json").read_text())["pages"]) * 0
    )
    assert "DUPLICATE_FORM" in (out / "findings.csv").read_text()


def test_kill_minus_nine_then_resume_loses_and_doubles_nothing(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r});"
        "from pathlib import Path;"
        "from pipeline.batch.run import run_batch;"
        "from pipeline.options import Options;"
        "from tests.batch.workers import truth_worker;"
        f"run_batch([{str(archive)!r}], Path({str(out)!r}), Options(), workers=1,"
        " worker=truth_worker)"
    )
    env = {**os.environ, "TALLYSCOPE_TEST_DELAY": "0.25"}
    child = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        path = out / "forms.jsonl"
        if path.exists() and path.read_text().count("\n") >= 4:
            break
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    partial = out / "forms.jsonl"
    partial.write_bytes(partial.read_bytes() + b'{"source": {"sha256": "torn')  # a torn write
    run_batch([str(archive)], out, Options(), workers=2, worker=truth_worker)
    lines = _lines(out)
    keys = [(line["source"]["sha256"], line["source"]["page"]) for line in lines]  # type: ignore[index]
    assert len(keys) == len(set(keys)) == _expected_pages(archive)


def test_a_crashing_worker_is_recorded_and_the_batch_goes_on(archive: Path, tmp_path: Path) -> None:
    (archive / "crash_me.png").write_bytes(png_bytes())
    out = tmp_path / "out"
    summary = run_batch([str(archive)], out, Options(), workers=2, worker=crashing_worker)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert any(e["code"] == "WORKER_CRASHED" and "crash_me" in e["path"] for e in errors)
    rerun = run_batch([str(archive)], out, Options(), workers=1, worker=truth_worker)
    assert rerun.failed == 0
    assert len(_lines(out)) == _expected_pages(archive) + 1
    del summary


def test_hostile_archives_are_refused_with_reasons(tmp_path: Path) -> None:
    zipped = tmp_path / "hostile.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("../escape.png", png_bytes())
        z.writestr("/etc/absolute.png", png_bytes())
        z.writestr("bomb.png", b"\0" * 5_000_000)
        z.writestr("fine.png", png_bytes())
    tarred = tmp_path / "links.tar"
    with tarfile.open(tarred, "w") as t:
        link = tarfile.TarInfo("evil.png")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
        data = png_bytes()
        info = tarfile.TarInfo("ok.png")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    entries = list(expand_inputs([str(zipped), str(tarred)]))
    refused = {Path(e.name.split("!")[1]).name: e.code for e in entries if isinstance(e, Refusal)}
    accepted = sorted(Path(e.name.split("!")[1]).name for e in entries if isinstance(e, InputItem))
    assert refused == {
        "escape.png": "ARCHIVE_UNSAFE_MEMBER",
        "absolute.png": "ARCHIVE_UNSAFE_MEMBER",
        "bomb.png": "ARCHIVE_BOMB",
        "evil.png": "ARCHIVE_UNSAFE_MEMBER",
    }
    assert accepted == ["fine.png", "ok.png"]
    assert not (tmp_path.parent / "escape.png").exists()
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5):
            z.writestr(f"{i}.png", png_bytes())
    (entry,) = expand_inputs([str(many)], limits=ArchiveLimits(max_members=3))
    assert isinstance(entry, Refusal) and entry.code == "ARCHIVE_TOO_MANY_MEMBERS"


def test_batch_on_a_real_dask_local_cluster(archive: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = run_batch(
            [str(archive)], out, Options(), worker=truth_worker, scheduler=cluster.scheduler_address
        )
    assert summary.failed == 0
    assert len(_lines(out)) == _expected_pages(archive)
