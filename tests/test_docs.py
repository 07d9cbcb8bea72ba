"""The README documents every finding code and exit code, and the two commands."""

from pathlib import Path

from pipeline.codes import FINDING_DOCS, FindingCode
from pipeline.errors import ExitCode

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_finding_code_is_documented_once_in_code_and_in_the_readme() -> None:
    assert set(FINDING_DOCS) == set(FindingCode)
    for code in FindingCode:
        assert f"| `{code.value}` |" in README, code


def test_every_exit_code_is_documented() -> None:
    for code in ExitCode:
        assert f"| {int(code)} | `{code.name}` |" in README, code


def test_readme_gives_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
