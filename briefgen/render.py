"""Site graph -> rendered outputs (path, bytes). The only module that imports Jinja."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from briefgen.errors import RenderError
from briefgen.model import Briefing, EntityKind, Site
from briefgen.records import briefing_record
from briefgen.urls import briefing_path, entity_path, relative_url

PACKAGE_THEME = Path(__file__).resolve().parent / "_theme"
SOURCE_THEME = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = "static"
ASSETS = "assets"


@dataclass(frozen=True, slots=True)
class Output:
    path: str
    """Site-relative POSIX path."""
    data: bytes


def default_theme_dir() -> Path:
    """The packaged theme: inside the wheel, or the repository's templates/ in a source checkout."""
    return PACKAGE_THEME if PACKAGE_THEME.is_dir() else SOURCE_THEME


def theme_dirs(user_templates: Path | None) -> list[Path]:
    """Search order: the user's templates first, then the packaged theme (one file overrides one file)."""
    dirs = []
    if user_templates is not None and user_templates.is_dir():
        dirs.append(user_templates)
    default = default_theme_dir()
    if default.is_dir() and all(d.resolve() != default.resolve() for d in dirs):
        dirs.append(default)
    return dirs


def _long_date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if value else "Undated"


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script>: no '</script>' or HTML comment can break out."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _json_list(records: Iterator[Any]) -> bytes:
    """The bytes of ``json.dumps(list(records), ensure_ascii=False, indent=1)``, one record at a time.

    At 20,000 briefings the whole list of dicts plus its text and bytes was the build's memory peak.
    JSON strings hold no raw newline, so indenting every line of an item by one space is exact.
    """
    parts = [
        b" " + json.dumps(record, ensure_ascii=False, indent=1).replace("\n", "\n ").encode("utf-8")
        for record in records
    ]
    return b"[\n" + b",\n".join(parts) + b"\n]" if parts else b"[]"


def make_env(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = _long_date
    env.filters["json_script"] = _json_script
    return env


def describe_template_error(exc: Exception, dirs: list[Path]) -> str:
    """'templates/x.html:12: message' from a Jinja error, without a Jinja stack."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name} (looked in {', '.join(str(d) for d in dirs)})"
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json", ".css")) and not filename.endswith(".py"):
            where = f"{filename}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return f"{where}{type(exc).__name__}: {exc}"


class Renderer:
    """Renders every page of a Site through one Jinja environment."""

    def __init__(self, dirs: list[Path], *, key_actors: int = 8) -> None:
        self.dirs = dirs
        self.key_actors = key_actors
        self.env = make_env(dirs)

    def _page(self, template: str, path: str, site: Site, **context: Any) -> Output:
        def url(target: str) -> str:
            return relative_url(path, target)

        try:
            text = self.env.get_template(template).render(
                site=site,
                current=path,
                url=url,
                root=url(""),
                briefing_url=lambda slug: url(briefing_path(slug)),
                entity_url=lambda slug: url(entity_path(slug)),
                kinds=list(EntityKind),
                key_actors=self.key_actors,
                **context,
            )
        except jinja2.TemplateError as exc:
            raise RenderError(describe_template_error(exc, self.dirs)) from None
        except Exception as exc:  # a bug in a user template (e.g. a bad filter argument)
            raise RenderError(describe_template_error(exc, self.dirs)) from None
        return Output(path, text.encode("utf-8"))

    def render_briefing(self, site: Site, b: Briefing, older: Briefing | None, newer: Briefing | None) -> Output:
        by_speaker: dict[str, list[Any]] = {}
        for q in b.quotes:
            by_speaker.setdefault(q.speaker or "Unattributed", []).append(q)
        return self._page(
            "briefing.html", briefing_path(b.slug), site, briefing=b, older=older, newer=newer,
            quotes_by_speaker=list(by_speaker.items()), body=[p.text for p in b.article.paragraphs],
            # Rendered by markdown-it-py with raw HTML off and safe link schemes only (see sources.py).
            body_html=Markup(b.article.body_html) if b.article.body_html else None,
        )

    def plan(self, site: Site) -> dict[str, Callable[[], Output]]:
        """Every output path of the site and how to render it, in order; nothing is rendered yet.

        The dev server renders from this lazily (the requested page first); a build renders all of it.
        """
        pages: dict[str, Callable[[], Output]] = {}

        def add(path: str, render: Callable[[], Output]) -> None:
            if path in pages:
                raise RenderError(f"two pages would be written to {path}")
            pages[path] = render

        add("index.html", lambda: self._page("index.html", "index.html", site))
        briefings = site.briefings
        for i, b in enumerate(briefings):
            newer = briefings[i - 1] if i > 0 else None
            older = briefings[i + 1] if i + 1 < len(briefings) else None
            add(briefing_path(b.slug), partial(self.render_briefing, site, b, older, newer))
        grouped = {
            kind: sorted((e for e in site.entities.values() if e.kind is kind), key=lambda e: e.name.lower())
            for kind in EntityKind
        }
        add("entities/index.html", lambda: self._page("entities.html", "entities/index.html", site, grouped=grouped))
        briefings_by_slug = {b.slug: b for b in briefings}
        for entity in site.entities.values():
            add(entity_path(entity.slug), partial(
                self._page, "entity.html", entity_path(entity.slug), site, entity=entity,
                entity_briefings=[briefings_by_slug[s] for s in entity.briefing_slugs],
            ))
        add("404.html", lambda: self._page("404.html", "404.html", site))
        add("briefings.json", lambda: Output("briefings.json", _json_list(briefing_record(b) for b in briefings)))
        for output in self.iter_static():
            add(output.path, partial(lambda o: o, output))
        return pages

    def iter_outputs(self, site: Site) -> Iterator[Output]:
        for render in self.plan(site).values():
            yield render()

    def iter_static(self) -> Iterator[Output]:
        seen: set[str] = set()
        for d in self.dirs:
            static = d / STATIC_DIR
            if not static.is_dir():
                continue
            for f in sorted(static.rglob("*")):
                rel = f.relative_to(static).as_posix()
                if f.is_file() and rel not in seen and not re.search(r"(^|/)\.", rel):
                    seen.add(rel)
                    yield Output(f"{ASSETS}/{rel}", f.read_bytes())


def render_site(site: Site, dirs: list[Path], *, key_actors: int = 8) -> Iterator[Output]:
    """Every output of the site, graph first then pages: nothing here touches the disk."""
    return Renderer(dirs, key_actors=key_actors).iter_outputs(site)
