"""The package's layers, as imports: each module may import only the layers its own layer may use.

Read from the source (every import statement, function-local ones included), so a forbidden import fails
here even when it is never executed by a test. A new module must be given a layer below.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "briefgen"

# The stages and what each may import. Extraction, the corpus stages and rendering are siblings: the
# corpus stages and rendering see plain records only, never extract/ (and so never spaCy).
LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("briefgen", "briefgen.errors", "briefgen.urls", "briefgen.forking", "briefgen.heap", "briefgen.text", "briefgen.markdown",
             "briefgen.textrank", "briefgen.names"),
    "model": ("briefgen.model",),
    "ingest": ("briefgen.sources", "briefgen.config"),
    "records": ("briefgen.curation", "briefgen.records", "briefgen.tracking", "briefgen.problems"),
    "extract": ("briefgen.extract", "briefgen.extract.actors", "briefgen.extract.cache",
                "briefgen.extract.context", "briefgen.extract.nlp", "briefgen.extract.quotes",
                "briefgen.extract.summary"),
    "execute": ("briefgen.executors",),
    "corpus": ("briefgen.graph", "briefgen.entities", "briefgen.incidents", "briefgen.incident_curation"),
    "view": ("briefgen.sourceview", "briefgen.charts"),
    "render": ("briefgen.render",),
    "publish": ("briefgen.search", "briefgen.write", "briefgen.project"),
    "build": ("briefgen.build", "briefgen.engine"),
    "serve": ("briefgen.serve",),
    "cli": ("briefgen.cli", "briefgen.__main__"),
}
MAY_IMPORT: dict[str, set[str]] = {
    "base": {"base"},  # small leaves (text rules, Markdown policy, URLs) that use each other
    "model": {"base"},
    "ingest": {"base", "model"},
    "records": {"base", "model", "ingest"},
    "extract": {"base", "model", "extract"},
    "execute": {"base", "model", "ingest", "extract"},
    "corpus": {"base", "model", "ingest", "records", "corpus"},
    "view": {"base", "model", "ingest"},
    "render": {"base", "model", "ingest", "records", "view"},
    "publish": {"base", "model", "ingest", "records", "view", "render"},
    # The stage functions (build.py) and the engine that drives them are one layer: each imports the other.
    "build": {"base", "model", "ingest", "records", "extract", "execute", "corpus", "view", "render", "publish",
              "build"},
    "serve": {"base", "model", "ingest", "records", "corpus", "view", "render", "publish", "build"},
    "cli": {"base", "model", "ingest", "records", "corpus", "view", "render", "publish", "build", "serve", "cli"},
}

# Imports that point up a layer on purpose, each with its reason.
EXCEPTIONS = {
    # Article's derived texts (nlp_text, paragraphs, body_html) are computed on access by sources.py, so
    # a record holds one copy of the text; the import is function-local and never runs at import time.
    ("briefgen.model", "briefgen.sources"),
}

# Third-party libraries that only one part of the package may use.
CONFINED = {
    "spacy": ("briefgen.extract",),
    "jinja2": ("briefgen.render",),
    "watchdog": ("briefgen.serve",),
    "dask": ("briefgen.executors",),
    "distributed": ("briefgen.executors",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pytest.fail(f"{path}: relative import; write the absolute module name")
            assert node.module is not None
            names.add(node.module)
            # `from briefgen import graph` imports briefgen.graph.
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in LAYER_OF)
    return names


LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}
MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer():
    assert sorted(set(MODULES) - set(LAYER_OF)) == []
    assert sorted(set(LAYER_OF) - set(MODULES)) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module: str):
    layer = LAYER_OF[module]
    wrong = []
    for name in sorted(_imports(MODULES[module])):
        if name.startswith("briefgen"):
            target = name if name in LAYER_OF else name.rsplit(".", 1)[0]
            if LAYER_OF[target] not in MAY_IMPORT[layer] and (module, target) not in EXCEPTIONS:
                wrong.append(f"{name} ({LAYER_OF[target]}; {layer} may import {sorted(MAY_IMPORT[layer])})")
        top = name.split(".")[0]
        if top in CONFINED and not any(module == o or module.startswith(o + ".") for o in CONFINED[top]):
            wrong.append(f"{name} (only {', '.join(CONFINED[top])} may import {top})")
    assert wrong == [], f"{module} imports {wrong}"


def test_corpus_stages_and_rendering_import_with_spacy_blocked():
    code = (
        "import sys\nclass Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'spacy' or name.startswith('spacy.'): raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import briefgen.graph, briefgen.render, briefgen.write, briefgen.sources, briefgen.build, briefgen.engine, "
        "briefgen.cli\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
