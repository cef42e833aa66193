"""The one Markdown renderer and link policy, for article bodies, templates and entities.toml descriptions."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/|\.|[^:/?#]*(?:[/?#]|$))", re.I)
"""Links and images may point only to http(s), mailto, or a relative address: ``javascript:``, ``data:``,
``ms-msdt:``, ``search-ms:``, ``intent://`` and every other scheme are shown as text."""


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]
    return md


_MARKDOWN = _renderer()


def render_markdown(text: str) -> str:
    """``text`` as HTML: CommonMark, raw HTML shown as text, only safe link schemes (see SAFE_LINK)."""
    html: str = _MARKDOWN.render(text)
    return html
