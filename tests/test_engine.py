"""The incremental engine: a rebuild renders only the outputs whose recorded inputs changed, and the site it
publishes is byte for byte the site a clean build makes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import briefgen.engine
from briefgen.build import BuildResult, NlpProvider, build
from briefgen.cli import main
from briefgen.config import Config, load_config
from briefgen.model import Incident
from briefgen.render import default_theme_dir

from conftest import make_project

pytestmark = pytest.mark.nlp


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _clean_build(config: Config, tmp_path: Path, nlp: NlpProvider, name: str = "clean") -> dict[str, bytes]:
    """The same project built from nothing (no engine state, no previous site), its extraction cache shared."""
    out = tmp_path / f"{name}-site"
    shutil.rmtree(out, ignore_errors=True)
    state = tmp_path / f"{name}-cache"
    shutil.rmtree(state, ignore_errors=True)
    shutil.copytree(config.cache_dir, state, ignore=shutil.ignore_patterns("sites", "search"))
    result = build(load_config(root=config.root, out=str(out), cache_dir=str(state), n_process=1, search=False,
                               templates=str(config.templates)), nlp=nlp)
    assert not result.errors
    return _tree(out)


@pytest.fixture()
def engine_config(project: Path, tmp_path: Path) -> Config:
    return load_config(root=project, cache_dir=str(tmp_path / "cache"), n_process=1, search=False)


@pytest.fixture()
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the outputs each build renders (the others are kept as published)."""
    paths: list[str] = []
    real = briefgen.engine.render_recorded

    def spy(job: Any, site: Any) -> Any:
        output, note = real(job, site)
        paths.append(output.path)
        return output, note

    monkeypatch.setattr(briefgen.engine, "render_recorded", spy)
    return paths


def _append(seed: Path, text: str) -> None:
    seed.write_text(seed.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_an_article_edit_renders_only_its_dependants_and_matches_a_clean_build(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str]
):
    first = build(engine_config, nlp=nlp_provider)
    everything = set(rendered)
    assert first.rendered == len(everything) > 40
    rendered.clear()

    assert build(engine_config, nlp=nlp_provider).rendered == 0 and rendered == []

    _append(engine_config.source / "no-quotes.txt", "\nThe road reopened on Friday after crews cleared it.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.extracted == 1 and not edited.errors
    assert "briefings/no-quotes.html" in rendered
    # The other articles' pages do not show this one: they are kept as they were.
    assert "briefings/canada-balloon.html" not in rendered
    assert "assets/style.css" not in rendered and "robots.txt" not in rendered
    # The actors' overview shows only how many actors and briefings there are: the same after this edit.
    assert "entities/index.html" not in rendered
    assert 0 < len(rendered) < len(everything) / 2
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_a_template_edit_renders_only_the_pages_that_use_it(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str]
):
    build(engine_config, nlp=nlp_provider)
    entity_pages = {p for p in rendered if p.startswith("entities/") and p.count("/") == 1
                    and p.endswith(".html") and p != "entities/index.html"}
    assert entity_pages
    rendered.clear()

    engine_config.templates.mkdir()
    text = (default_theme_dir() / "entity.html").read_text(encoding="utf-8")
    (engine_config.templates / "entity.html").write_text(text.replace("{% block main %}", "{% block main %}<!-- local -->"),
                                                         encoding="utf-8")
    build(engine_config, nlp=nlp_provider)
    assert set(rendered) == entity_pages
    assert "<!-- local -->" in (engine_config.out / sorted(entity_pages)[0]).read_text(encoding="utf-8")
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_a_template_reading_the_whole_site_depends_on_all_of_it(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str]
):
    # A user's briefing page prints a corpus-wide figure: every briefing page must follow any change.
    engine_config.templates.mkdir()
    text = (default_theme_dir() / "briefing.html").read_text(encoding="utf-8")
    (engine_config.templates / "briefing.html").write_text(
        text.replace("{% block main %}", "{% block main %}<p class='count'>{{ site.briefings | length }} in all</p>"),
        encoding="utf-8")
    build(engine_config, nlp=nlp_provider)
    rendered.clear()

    shutil.copy(engine_config.source / "no-quotes.txt", engine_config.source / "another.txt")
    _append(engine_config.source / "another.txt", "\nA second report followed.\n")
    build(engine_config, nlp=nlp_provider)
    assert "briefings/canada-balloon.html" in rendered
    assert "5 in all" in (engine_config.out / "briefings/canada-balloon.html").read_text(encoding="utf-8")
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_deleting_the_engine_state_only_costs_time(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path
):
    first = build(engine_config, nlp=nlp_provider)
    shutil.rmtree(engine_config.cache_dir / "sites")
    again = build(engine_config, nlp=nlp_provider)
    assert again.rendered == first.rendered and again.written == 0

    shutil.rmtree(engine_config.cache_dir / "sites")
    _append(engine_config.source / "canada-balloon.txt", "\nOfficials declined to comment further.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.rendered == first.rendered and not edited.errors
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)

    # Each part of the state damaged in turn (then all of it): a full render, the same site.
    (state,) = [d for d in (engine_config.cache_dir / "sites").iterdir() if not d.name.endswith((".site", ".items"))]
    parts = sorted(p for p in state.iterdir() if p.is_file())
    assert len(parts) > 1
    for part in [*parts, None]:
        for damaged in [part] if part else parts:
            if damaged.exists():
                damaged.write_bytes(damaged.read_bytes()[:len(damaged.read_bytes()) // 2] + b"not a state")
        result = build(engine_config, nlp=nlp_provider)
        assert result.written == 0 and not result.errors
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_verify_fails_for_a_page_judged_unchanged_that_is_not(
    project: Path, nlp_provider: NlpProvider, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    config = load_config(root=project, n_process=1, search=False)
    build(config, nlp=nlp_provider)
    monkeypatch.chdir(project)
    assert main(["build", "--verify", "-q"]) == 0  # every clean page equals its fresh render

    # An engine that wrongly judges every page clean: --verify names each page it got wrong.
    real = briefgen.engine.Engine.plan

    def blind(self: briefgen.engine.Engine, *args: Any) -> briefgen.engine.Plan:
        plan = real(self, *args)
        plan.clean.update(p for p in plan.jobs if p in self.state.records)
        return plan

    monkeypatch.setattr(briefgen.engine.Engine, "plan", blind)
    _append(config.source / "no-quotes.txt", "\nThe road reopened on Friday.\n")
    capsys.readouterr()
    assert main(["build", "--verify", "-q"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "fresh render differs" in line]
    assert any(line.startswith("briefings/no-quotes.html:") for line in errors)
    assert not any(line.startswith("briefings/canada-balloon.html:") for line in errors)
    # What was published is the fresh render, not the stale page.
    assert "reopened on Friday" in (config.out / "briefings/no-quotes.html").read_text(encoding="utf-8")


def test_verify_is_in_the_help(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    assert "--verify" in capsys.readouterr().out


def test_an_unchanged_entity_record_stops_the_invalidation(
    engine_config: Config, nlp_provider: NlpProvider, rendered: list[str]
):
    result: BuildResult = build(engine_config, nlp=nlp_provider)
    assert result.site is not None
    entities = dict(result.site.entities)
    rendered.clear()
    # A sentence that names no one: the article's actors, and so their records, stay as they were.
    _append(engine_config.source / "canada-balloon.txt", "\nThe weather was calm that evening.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.site is not None
    mentioned = {a.slug for a in edited.site.briefing("canada-balloon").actors}
    unchanged = [slug for slug, e in edited.site.entities.items() if entities.get(slug) == e and slug not in mentioned]
    assert unchanged
    assert not any(f"entities/{slug}.html" in rendered for slug in unchanged)
    assert "briefings/canada-balloon.html" in rendered


def _unchanged_actor_pages(before: BuildResult, after: BuildResult, slug: str) -> set[str]:
    """The entity pages of briefing ``slug``'s actors whose entity records an edit left as they were."""
    assert before.site is not None and after.site is not None
    return {f"entities/{a.slug}.html" for a in after.site.briefing(slug).actors
            if a.slug in after.site.entities and before.site.entities.get(a.slug) == after.site.entities[a.slug]}


def test_an_article_text_edit_leaves_the_pages_listing_it_as_they_were(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str]
):
    first = build(engine_config, nlp=nlp_provider)
    rendered.clear()
    # A sentence that names no one: its actors' pages list the briefing by title and date, which stay the same.
    _append(engine_config.source / "canada-balloon.txt", "\nThe weather was calm that evening.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.extracted == 1 and not edited.errors
    listing = _unchanged_actor_pages(first, edited, "canada-balloon")
    assert len(listing) > 5
    assert "briefings/canada-balloon.html" in rendered
    assert listing.isdisjoint(rendered)
    assert edited.rendered == len(rendered) < 15
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_an_article_title_edit_renders_the_pages_listing_it(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str]
):
    first = build(engine_config, nlp=nlp_provider)
    rendered.clear()
    # A headline of the same length: the text spaCy reads (headline blanked) and so every actor stay the same.
    seed = engine_config.source / "harbour-fire.txt"
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("terminal halts shipping", "terminal stops shipping", 1), encoding="utf-8")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.extracted == 0 and not edited.errors
    listing = _unchanged_actor_pages(first, edited, "harbour-fire")
    assert listing and listing <= set(rendered)
    for page in listing:
        assert "terminal stops shipping" in (engine_config.out / page).read_text(encoding="utf-8")
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)



@pytest.mark.parametrize("shown", [
    "{{ b.article.paragraphs | length }} paragraphs",  # a property: it reads the text
    "{{ b.article | string | length }}",  # the article as a whole
])
def test_a_template_reading_more_of_an_article_follows_its_text(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, rendered: list[str], shown: str
):
    engine_config.templates.mkdir()
    text = (default_theme_dir() / "entity.html").read_text(encoding="utf-8")
    (engine_config.templates / "entity.html").write_text(text.replace(
        "{% block main %}", "{% block main %}{% for b in entity_briefings %}<p>" + shown + "</p>{% endfor %}"),
        encoding="utf-8")
    first = build(engine_config, nlp=nlp_provider)
    rendered.clear()
    _append(engine_config.source / "canada-balloon.txt", "\nThe weather was calm that evening.\n")
    edited = build(engine_config, nlp=nlp_provider)
    listing = _unchanged_actor_pages(first, edited, "canada-balloon")
    assert listing and listing <= set(rendered)
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)


def test_a_build_reuses_the_entity_resolution_the_last_build_saved(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import briefgen.entities

    resolved: list[int] = []
    real = briefgen.entities._Corpus.resolve

    def counting(corpus: Any) -> Any:
        resolved.append(len(corpus.briefings))
        return real(corpus)

    monkeypatch.setattr(briefgen.entities._Corpus, "resolve", counting)
    # With a curation, both resolvers are saved: the one before it and the one after.
    (engine_config.root / "entities.toml").write_text('[entity."Canada"]\nkind = "place"\n', encoding="utf-8")
    build(engine_config, nlp=nlp_provider)
    assert len(resolved) == 2
    resolved.clear()
    # A new process (a new engine, the state read back from disk) after a sentence that names no one.
    _append(engine_config.source / "canada-balloon.txt", "\nThe weather was calm that evening.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.extracted == 1 and not edited.errors
    assert resolved == []
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)
    resolved.clear()
    # Another article: every actor's page is decided afresh.
    (engine_config.source / "brief.txt").write_text(
        "date 2024-05-02\n\nThe Canadian coast guard said the harbour in Halifax reopened on Thursday.\n",
        encoding="utf-8")
    added = build(engine_config, nlp=nlp_provider)
    assert not added.errors and resolved == [5, 5]
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider, name="clean2")


def test_a_build_relinks_and_digests_only_what_an_edit_changed(
    engine_config: Config, nlp_provider: NlpProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The site graph the last build saved: a build in a new process relinks and digests the edited briefing,
    not every briefing and entity again, and its site is still the site a clean build writes."""
    import briefgen.graph

    relinked: list[str] = []
    real_relink = briefgen.graph._relink
    digested: list[str] = []
    real_records = briefgen.engine.Digests.records

    def relink(b: Any, page: Any) -> Any:
        relinked.append(b.slug)
        return real_relink(b, page)

    def records(self: Any, objects: Any) -> Any:
        objects = list(objects)
        digested.extend(o.slug for o in objects if type(o) is not Incident and self.known(o) is None)
        return real_records(self, objects)

    monkeypatch.setattr(briefgen.graph, "_relink", relink)
    monkeypatch.setattr(briefgen.engine.Digests, "records", records)
    first = build(engine_config, nlp=nlp_provider)
    assert len(relinked) == first.articles and len(digested) > first.articles
    relinked.clear()
    digested.clear()

    _append(engine_config.source / "canada-balloon.txt", "\nThe weather was calm that evening.\n")
    edited = build(engine_config, nlp=nlp_provider)
    assert edited.extracted == 1 and not edited.errors
    assert relinked == ["canada-balloon"]
    assert digested == ["canada-balloon"]
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider)

    # A curation: every page is decided under it (nothing of the last graph is taken as it was).
    (engine_config.root / "entities.toml").write_text('[entity."Canada"]\nkind = "place"\n', encoding="utf-8")
    assert not build(engine_config, nlp=nlp_provider).errors
    assert _tree(engine_config.out) == _clean_build(engine_config, tmp_path, nlp_provider, name="curated")


def test_serve_reuses_the_pages_an_article_edit_leaves_unchanged(project: Path, tmp_path: Path,
                                                               nlp_provider: NlpProvider):
    from briefgen.engine import Change, LiveBuilder

    config = load_config(root=project, cache_dir=str(tmp_path / "cache"), n_process=1, search=False)
    builder = LiveBuilder(lambda: config, nlp=nlp_provider)
    first = builder.rebuild().snapshot
    assert first is not None
    other, edited = "briefings/canada-balloon.html", "briefings/no-quotes.html"
    before = {p: first.pages.get(p) for p in (other, edited)}

    seed = config.source / "no-quotes.txt"
    _append(seed, "\nThe road reopened on Friday after crews cleared it.\n")
    second = builder.rebuild(Change.ARTICLES, [str(seed)]).snapshot
    assert second is not None
    rendered = second.pages.rendered
    assert second.pages.get(other) == before[other]
    assert second.pages.rendered == rendered  # the unchanged page's bytes came from the build before
    assert "reopened on Friday" in second.pages.get(edited).decode()
    assert second.pages.rendered == rendered + 1

    # And what serve shows is what a clean build writes.
    result = build(config, nlp=nlp_provider)
    assert not result.errors
    for path in (other, edited):
        assert second.pages.get(path) == (config.out / path).read_bytes()


def test_serve_after_article_and_entities_file_edits_matches_a_fresh_serve(project: Path, tmp_path: Path,
                                                                          nlp_provider: NlpProvider):
    """What one server reuses from build to build (resolutions, briefings, digests) never shows: after each
    edit, every page equals the page a server started afresh on the same files serves."""
    from briefgen.engine import Change, LiveBuilder

    config = load_config(root=project, cache_dir=str(tmp_path / "cache"), n_process=1, search=False)
    builder = LiveBuilder(lambda: config, nlp=nlp_provider)
    first = builder.rebuild().snapshot
    assert first is not None
    entity = max(first.site.entities.values(), key=lambda e: (e.mention_count, e.slug))
    curation = config.entities
    seed = config.source / "no-quotes.txt"

    def same_as_fresh(change: Change, path: Path) -> None:
        served = builder.rebuild(change, [str(path)]).snapshot
        fresh = LiveBuilder(lambda: config, nlp=nlp_provider).rebuild().snapshot
        assert served is not None and fresh is not None
        assert sorted(served.pages.paths()) == sorted(fresh.pages.paths())
        differ = [p for p in fresh.pages.paths() if served.pages.get(p) != fresh.pages.get(p)]
        assert differ == []

    _append(seed, "\nThe road reopened on Friday after crews cleared it.\n")
    same_as_fresh(Change.ARTICLES, seed)
    curation.write_text(f'[entity."{entity.name}"]\ndescription = "Watched closely."\n', encoding="utf-8")
    same_as_fresh(Change.CURATION, curation)
    curation.write_text(f'[entity."Renamed Entity"]\naliases = ["{entity.name}"]\nkind = "organization"\n',
                        encoding="utf-8")
    same_as_fresh(Change.CURATION, curation)
    _append(seed, "\nOfficials said more rain was expected.\n")
    same_as_fresh(Change.ARTICLES, seed)
    curation.unlink()
    same_as_fresh(Change.CURATION, curation)
