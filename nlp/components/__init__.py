"""The narrative checks as registered spaCy components, assembled from nlp/narrative.cfg.

Each module registers one ``jigai_<name>`` factory with ``@Language.factory``; its ``default_config`` is read
from the one Config (nlp/config.py: ``DEFAULT_CONFIG``) and a value given in the pipeline's config is validated
by the same rules as a config file (:func:`validated`: key, value and allowed range named). A component reads
its Doc (nlp/doc.py) and writes only into it: its layer's spans, the analysers' result objects and its Findings
(``Doc._.findings[component]``). One pipeline serves projects and 典型做法: a component reads ``Doc._.kind`` /
``Doc._.group`` and does what the form asks of that field, so a round's narratives go through one ``nlp.pipe``.
See docs/components.md ("How to add a check").
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..config import DEFAULT_CONFIG, Config, ConfigError, NarrativeConfig, config_from_dict
from ..constants import FIELD_ZH
from ..doc import chars_tokenizer
from ..findings import Finding

#: the pipeline's config file
PIPELINE_CFG = Path(__file__).resolve().parent.parent / "narrative.cfg"
#: the order a field's findings are reported in (what is missing before what is wrong with a figure)
FINDINGS_ORDER = ("jigai_length", "jigai_aspects", "jigai_sections", "jigai_evidence", "jigai_sensitive")


def defaults(section: str, *keys: str) -> dict[str, Any]:
    """The default values of ``keys`` of the Config section ``section`` (the one source of every threshold)."""
    part = getattr(DEFAULT_CONFIG, section)
    return {key: getattr(part, key) for key in keys}


def validated(component: str, section: str, values: dict[str, Any]) -> Any:
    """``values`` checked as the ``[section]`` of a config file would be; raises ConfigError naming the
    component, each bad key, its value and the allowed range. Returns the section's config object."""
    try:
        return getattr(config_from_dict({section: dict(values)}, source=component), section)
    except ConfigError as e:
        raise ConfigError(f"{component}（{section}）", e.problems) from None


def label(doc: Doc) -> str:
    return FIELD_ZH.get(doc._.field, doc._.field)


def emit(doc: Doc, component: str, code: str, message: str, start: int | None = None, end: int | None = None,
         severity: str = "", **data: Any) -> Finding:
    """A Finding about the Doc's field, kept on the Doc (``Doc._.findings[component]``)."""
    ext = doc._
    record, name = ext.record, ext.field
    finding = Finding(code, message, field=name, provenance=record.provenance(name) if record is not None else None,
                      start=start, end=end, record_id=record.id if record is not None else None,
                      city=record.city if record is not None else None, severity=severity, data=data)
    if not isinstance(ext.findings, dict):
        ext.findings = {}
    ext.findings.setdefault(component, []).append(finding)
    return finding


def findings(doc: Doc) -> list[Finding]:
    """The Doc's findings in the report's order (FINDINGS_ORDER, then the other components in pipeline order)."""
    got = doc._.findings or {}
    if isinstance(got, list):
        return list(got)
    order = [c for c in FINDINGS_ORDER if c in got] + [c for c in got if c not in FINDINGS_ORDER]
    return [f for c in order for f in got[c]]


def partly(doc: Doc) -> str:
    """The note an absence finding carries when only the first part of the text was read."""
    ext = doc._
    return f"（仅检查了前{ext.cap}个字符）" if ext.cap < len(ext.text) else ""


@spacy.registry.tokenizers("jigai_chars")
def _make_tokenizer():
    def create(nlp: Language):
        return chars_tokenizer(nlp.vocab)
    return create


def overrides(config: NarrativeConfig | Config | None) -> dict[str, Any]:
    """The pipeline config's values for a given Config (or its narrative section): each component's keys."""
    if config is None:
        return {}
    narrative = config.narrative if isinstance(config, Config) else config
    highlights = config.highlights if isinstance(config, Config) else DEFAULT_CONFIG.highlights
    out = {}
    for name, keys in COMPONENT_KEYS.items():
        section, fields = keys
        source = narrative if section == "narrative" else highlights
        for key in fields:
            out[f"components.{name}.{key}"] = getattr(source, key)
    return out


#: component → (Config section, the keys of it the component takes)
COMPONENT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {}


def load_pipeline(config: NarrativeConfig | Config | None = None, path: Path = PIPELINE_CFG) -> Language:
    """The narrative pipeline as the config file assembles it, under ``config``'s thresholds."""
    return _load(path, tuple(sorted(overrides(config).items())))


@lru_cache(maxsize=8)
def _load(path: Path, items: tuple) -> Language:
    cfg = spacy.util.load_config(path, overrides=dict(items), interpolate=False)
    return spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)


from . import segments, length, evidence, aspects, sections, sensitive, directions, highlights  # noqa: E402,F401
