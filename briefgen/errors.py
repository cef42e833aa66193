"""Errors and per-file diagnostics."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum

# Format characters (bidi controls, zero-width) print as nothing; in a quoted path they are escaped.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_ESCAPE_INVISIBLE = {c: f"\\u{c:04x}" for c in [0xAD, 0x61C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                                  *range(0x2060, 0x2070), 0xFEFF]}


class BriefgenError(Exception):
    """Base for every error briefgen reports to the user without a traceback."""


class ConfigError(BriefgenError):
    """The configuration file or an option is invalid."""


class ExtractError(BriefgenError):
    """The NLP stage cannot run (for example no model is installed)."""


class RenderError(BriefgenError):
    """A template failed to load or render."""


class OutputError(BriefgenError):
    """The output folder cannot be written safely."""


class SourceError(BriefgenError):
    """The source folder is missing or unreadable: a build must not publish."""


def quote_path(path: str) -> str:
    """``path`` as shown in an error line: as it is when plain, else quoted with escapes, so a newline or
    a bidi override in a file name can neither split the line nor fake another one."""
    if path.isprintable() and path == path.strip() and not _INVISIBLE.search(path):
        return path
    return json.dumps(path, ensure_ascii=False).translate(_ESCAPE_INVISIBLE)


def describe_os_error(exc: OSError) -> str:
    """One line saying what failed and where: "cannot write 'site/x.html': No space left on device"."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    where = quote_path(str(exc.filename))
    if exc.filename2 is not None:
        where += f" -> {quote_path(str(exc.filename2))}"
    return f"{where}: {reason}"


class Severity(str, Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem with one file, reported as a single line."""

    path: str
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None

    def __str__(self) -> str:
        path = quote_path(self.path)
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity.value}: {self.message}"
