"""Problems as the dev server shows them: one line in the terminal, and in the browser's error overlay
with the lines around the fault."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import Diagnostic, quote_path
from briefgen.sources import display_path

EXCERPT_CONTEXT = 2
"""Lines shown either side of a problem's line in the error overlay."""
EXCERPT_LINE = 4000
"""Characters shown of the problem's line (a minified template is one long line)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One error shown in the terminal and in the browser overlay."""

    path: str
    """The file at fault as the user knows it ('' when no single file is)."""
    line: int | None
    message: str
    excerpt: tuple[tuple[int, str], ...] = ()
    """(line number, text) around ``line``."""

    def __str__(self) -> str:
        path = quote_path(self.path)  # a newline in a file name must not start a fake line
        where = f"{path}:{self.line}: " if self.path and self.line else f"{path}: " if self.path else ""
        return where + self.message


_LOCATED = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+): (?P<message>.*)$", re.S)
_FILE_FIRST = re.compile(r"^(?P<path>[^\n:]+\.(?:toml|html|xml|txt|json|css|md|markdown)): (?P<message>.*)$", re.S)
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _excerpt(file: Path, line: int | None) -> tuple[tuple[int, str], ...]:
    if not line:
        return ()
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    first = max(1, line - EXCERPT_CONTEXT)
    # The problem's own line whole (the overlay wraps it: the fault may be at its far end), others cut.
    return tuple((n, lines[n - 1][:EXCERPT_LINE if n == line else 200])
                 for n in range(first, min(len(lines), line + EXCERPT_CONTEXT) + 1))


def make_problem(path: str, line: int | None, message: str, root: Path | None) -> Problem:
    """A Problem with the excerpt read from the file now (it may be fixed a second later)."""
    file = Path(path)
    if not file.is_absolute() and root is not None:
        file = root / file
    return Problem(display_path(file, root) if path else "", line, message, _excerpt(file, line))


def problem_from_error(exc: BaseException, root: Path | None) -> Problem:
    """Parse briefgen's one-line 'file:line: message' errors back into their parts."""
    text = str(exc)
    if m := _LOCATED.match(text):
        return make_problem(m["path"], int(m["line"]), m["message"], root)
    if m := _FILE_FIRST.match(text):
        # tomllib puts the place in the message: "... (at line 3, column 7)"; the overlay shows that line.
        line = _TOML_LINE.search(m["message"])
        return make_problem(m["path"], int(line[1]) if line else None, m["message"], root)
    return Problem("", None, text)


def problem_from_diagnostic(d: Diagnostic, root: Path | None) -> Problem:
    return make_problem(d.path, d.line, d.message, root)
