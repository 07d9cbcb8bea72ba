"""benchmarks.regenerate: a form no seed's corpus holds is named, nothing written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import regenerate


def test_a_form_the_corpus_does_not_hold_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["regenerate", str(tmp_path / "out"), "NA-0_ps999", "--seed", "0", "--count", "7"]
    monkeypatch.setattr(sys, "argv", argv)
    regenerate.main()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "NA-0_ps999: no such form in seed 0's corpus of 7" in captured.err
    assert not any((tmp_path / "out").iterdir())
