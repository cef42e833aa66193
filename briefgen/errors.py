"""Errors and per-file diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message}"
