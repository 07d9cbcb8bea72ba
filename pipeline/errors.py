"""Exit codes and the exceptions that carry them.

Helpers raise these; only the CLI edge (`pipeline.cli`) turns them into exit codes and one
line on stderr. A missing stamp or an unreadable cell is a *result*, never an exception:
exceptions are for the tool failing to process an input at all.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, stable and documented in the README."""

    OK = 0
    FINDINGS = 1  # processed fine, but at least one form failed a check or needs review
    BAD_ARGS = 2
    INPUT_MISSING = 3
    INPUT_EMPTY = 4
    INPUT_CORRUPT = 5  # truncated, not an image/PDF, undecodable
    INPUT_ENCRYPTED = 6
    INPUT_TOO_LARGE = 7  # pixel or size limits (decompression bombs)
    INPUT_NO_PAGES = 8
    MISSING_DEPENDENCY = 9  # tesseract or its language data, the digit model
    TEMPLATE_INVALID = 10
    PARTIAL_FAILURE = 11  # batch: some inputs could not be processed (see errors.jsonl)
    TIMEOUT = 12
    INTERNAL = 70
    CTRL_C = 130


class TallyscopeError(Exception):
    """Base class: a message for the user and the exit code it maps to."""

    exit_code: ExitCode = ExitCode.INTERNAL
    code: str = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadArguments(TallyscopeError):
    exit_code = ExitCode.BAD_ARGS
    code = "BAD_ARGUMENTS"


class InputMissing(TallyscopeError):
    exit_code = ExitCode.INPUT_MISSING
    code = "INPUT_MISSING"


class InputEmpty(TallyscopeError):
    exit_code = ExitCode.INPUT_EMPTY
    code = "INPUT_EMPTY"


class InputCorrupt(TallyscopeError):
    exit_code = ExitCode.INPUT_CORRUPT
    code = "INPUT_CORRUPT"


class InputEncrypted(TallyscopeError):
    exit_code = ExitCode.INPUT_ENCRYPTED
    code = "INPUT_ENCRYPTED"


class InputTooLarge(TallyscopeError):
    exit_code = ExitCode.INPUT_TOO_LARGE
    code = "INPUT_TOO_LARGE"


class InputNoPages(TallyscopeError):
    exit_code = ExitCode.INPUT_NO_PAGES
    code = "INPUT_NO_PAGES"


class MissingDependency(TallyscopeError):
    exit_code = ExitCode.MISSING_DEPENDENCY
    code = "MISSING_DEPENDENCY"


class TemplateInvalid(TallyscopeError):
    exit_code = ExitCode.TEMPLATE_INVALID
    code = "TEMPLATE_INVALID"


class ProcessingTimeout(TallyscopeError):
    exit_code = ExitCode.TIMEOUT
    code = "TIMEOUT"
