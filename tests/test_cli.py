"""The CLI edge: bad input gets one line and a distinct exit code, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from pipeline.errors import ExitCode
from tests.fixtures.bad_inputs import encrypted_pdf, huge_png_header, truncated_png, write

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.png", b"", ExitCode.INPUT_EMPTY),
        ("notes.png", b"this is not an image at all", ExitCode.INPUT_CORRUPT),
        ("cut.png", truncated_png(), ExitCode.INPUT_CORRUPT),
        ("locked.pdf", encrypted_pdf(), ExitCode.INPUT_ENCRYPTED),
        ("bomb.png", huge_png_header(), ExitCode.INPUT_TOO_LARGE),
    ],
)
def test_bad_input_exits_with_its_code_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, code: ExitCode
) -> None:
    path = write(tmp_path, name, data)
    assert main(["inspect", str(path)]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tallyscope: error:"), err
    assert "Traceback" not in "\n".join(err)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "nowhere.jpg")]) == ExitCode.INPUT_MISSING
    assert "no such file" in capsys.readouterr().err


def test_unknown_template_is_its_own_error(capsys: pytest.CaptureFixture[str]) -> None:
    sample = sorted(SAMPLES.glob("*.pdf"))[0]
    assert main(["inspect", str(sample), "--template", "xx-form99"]) == ExitCode.TEMPLATE_INVALID
    assert "no template named" in capsys.readouterr().err


def test_usage_error_is_bad_args(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect"]) == ExitCode.BAD_ARGS


def test_schema_command_prints_a_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "schema_version" in schema["properties"]


@pytest.mark.slow
def test_inspect_json_validates_against_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLES / "NA-17_form47.pdf"
    overlay = tmp_path / "overlay.png"
    assert main(["inspect", str(sample), "--json", "--overlay", str(overlay)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    pages = out if isinstance(out, list) else [out]
    for page in pages:
        jsonschema.validate(page, schema)
    assert pages[0]["form"]["type"] == "form47"
    assert (tmp_path / "overlay-p1.png").exists()
