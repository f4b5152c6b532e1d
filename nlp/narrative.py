"""Narrative checks: length, required content and sections, quantitative evidence, content unfit for
publication, direction evidence and excerpts, as the registered components of nlp/components run over one
annotated Doc per narrative field (nlp/doc.py). :func:`annotate` runs the pipeline (nlp/narrative.cfg) over a
round's narratives in batches; :func:`analyse_narratives` returns each record's NarrativeResult built from its
Docs (the Findings the components produced, collected and returned here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from .aspects import Coverage
from .components import findings as doc_findings, load_pipeline
from .components.sections import SECTION_NAMES, SUBPART_ZH  # noqa: F401  (the names the checks report)
from .components.sensitive import SENSITIVE_CODES  # noqa: F401
from .config import DEFAULT_CONFIG, Config, NarrativeConfig
from .constants import FIELD_ZH, NARRATIVE_FIELDS  # FIELD_ZH: how a field is named in messages
from .counting import char_count, wps_count
from .doc import make_doc
from .evidence import Claim
from .findings import Finding
from .records import PracticeRecord, ProjectRecord, Record
from .spans import Span

#: a project's narrative fields (nlp.constants) → the aspect group each is checked for
PROJECT_FIELDS = dict(zip(NARRATIVE_FIELDS["project"], ("content", "effect")))


@dataclass
class FieldAnalysis:
    """What one narrative field holds."""

    field: str
    chars: int
    wps: int
    claims: list[Claim]
    coverage: Coverage | None
    sensitive: list[Span]
    #: the field's text as read
    text: str = ""
    #: how many of its first characters the superlinear steps read (claims, aspects, sections, highlights,
    #: directions, alignment): all of them unless the text is over ``Limits.max_analysed_chars``
    analysed: int | None = None
    #: the form's limit on its 字数 (NarrativeConfig), which LEN_OVER_LIMIT checks
    limit: int | None = None
    #: the annotated Doc the components wrote (its layers: nlp.doc.layers_json)
    doc: Doc | None = None

    @property
    def analysed_text(self) -> str:
        """The part of the text the claims, aspects, sections and highlights were found in (a prefix)."""
        return self.text if self.analysed is None else self.text[:self.analysed]

    @property
    def truncated(self) -> bool:
        return self.analysed is not None and self.analysed < len(self.text)


@dataclass
class NarrativeResult:
    fields: dict[str, FieldAnalysis] = field(default_factory=dict)
    sections: dict[str, Any] | None = None
    subparts: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def docs(self) -> dict[str, Doc]:
        """Field → its annotated Doc."""
        return {name: fa.doc for name, fa in self.fields.items() if fa.doc is not None}

    @property
    def before_after(self) -> bool:
        return any(c.compares for f in self.fields.values() for c in f.claims)


#: characters of a text the superlinear steps read unless told otherwise
MAX_ANALYSED_CHARS = DEFAULT_CONFIG.limits.max_analysed_chars
#: a project's narrative fields (nlp.constants) → the aspect group each is checked for
PROJECT_FIELDS = dict(zip(NARRATIVE_FIELDS["project"], ("content", "effect")))
#: Docs per nlp.pipe batch
BATCH_SIZE = 256


def _docs_of(record: Record, max_chars: int) -> list[Doc]:
    if isinstance(record, ProjectRecord):
        return [make_doc(record.text(name), name, "project", group, record, max_chars)
                for name, group in PROJECT_FIELDS.items() if name in record.fields]
    if isinstance(record, PracticeRecord):
        return [make_doc(record.text("text"), "text", "practice", None, record, max_chars)]
    return []


def annotate(records: list[Record], config: NarrativeConfig | Config = DEFAULT_CONFIG,
             max_chars: int = MAX_ANALYSED_CHARS) -> dict[str, dict[str, Doc]]:
    """Record id → field → its annotated Doc, for every narrative field of every project and 典型做法: the
    pipeline of nlp/narrative.cfg under ``config``'s thresholds, run with ``nlp.pipe`` in batches. Each Doc is
    made with its context (record, field, kind, cap) before the pipe, so every component can read it."""
    nlp = load_pipeline(config)
    made = [(record.id, doc) for record in records for doc in _docs_of(record, max_chars)]
    out: dict[str, dict[str, Doc]] = {}
    for (record_id, _), doc in zip(made, nlp.pipe((d for _, d in made), batch_size=BATCH_SIZE)):
        out.setdefault(record_id, {})[doc._.field] = doc
    return out


def _field_analysis(doc: Doc) -> FieldAnalysis:
    text = doc._.text
    return FieldAnalysis(doc._.field, char_count(text), wps_count(text), list(doc._.claims or []), doc._.coverage,
                         list(doc._.sensitive or []), text, doc._.cap, doc._.limit, doc)


def _too_long_name(record: ProjectRecord, max_chars: int) -> list[Finding]:
    """TEXT_TOO_LONG for a project name read only in part (the name is not a narrative, so not a Doc)."""
    name = record.name
    if len(name) <= max_chars:
        return []
    return [Finding("TEXT_TOO_LONG", f"项目名称长达{len(name)}个字符，远超字数限制；只分析了前{max_chars}个字符"
                    f"（章节、数据、改造方向和查重比对），其后{len(name) - max_chars}个字符未分析（字数按全文统计）",
                    field="项目名称", provenance=record.provenance("项目名称"), start=max_chars, end=len(name),
                    record_id=record.id, city=record.city, data={"length": len(name), "analysed": max_chars})]


def result_of(record: Record, docs: dict[str, Doc], max_chars: int = MAX_ANALYSED_CHARS) -> NarrativeResult:
    """A record's NarrativeResult from its annotated Docs: the analyses and the findings, in the form's order."""
    result = NarrativeResult()
    if isinstance(record, ProjectRecord):
        result.findings.extend(_too_long_name(record, max_chars))
    for name, doc in docs.items():
        result.fields[name] = _field_analysis(doc)
        result.findings.extend(doc_findings(doc))
        if doc._.kind == "practice":
            result.sections, result.subparts = doc._.sections, doc._.subparts
    return result


def analyse_project(record: ProjectRecord, config: NarrativeConfig | Config = DEFAULT_CONFIG,
                    max_chars: int = MAX_ANALYSED_CHARS) -> NarrativeResult:
    return result_of(record, annotate([record], config, max_chars).get(record.id, {}), max_chars)


def analyse_practice(record: PracticeRecord, config: NarrativeConfig | Config = DEFAULT_CONFIG,
                     max_chars: int = MAX_ANALYSED_CHARS) -> NarrativeResult:
    return result_of(record, annotate([record], config, max_chars).get(record.id, {}), max_chars)


def analyse_narratives(records: list[Record], config: NarrativeConfig | Config = DEFAULT_CONFIG,
                       max_chars: int = MAX_ANALYSED_CHARS) -> dict[str, NarrativeResult]:
    """Narrative results by record id, for every project and 典型做法 (``max_chars``:
    ``Limits.max_analysed_chars``, the characters of each text the superlinear steps read), built from the
    Docs of :func:`annotate` (``NarrativeResult.docs``)."""
    docs = annotate(records, config, max_chars)
    return {record.id: result_of(record, docs.get(record.id, {}), max_chars) for record in records
            if isinstance(record, (ProjectRecord, PracticeRecord))}


def direction_evidence(record: Record, result: NarrativeResult, max_chars: int = MAX_ANALYSED_CHARS) -> list:
    """The direction lexicon's hits in a record's texts, in field order: a project's name (not a narrative, so
    read here) and then what its Docs hold (``jigai_directions``): what
    ``find_evidence(nlp.directions.record_fields(record))`` returns, without reading the narratives again."""
    from .directions.lexicon import find_evidence

    out = find_evidence({"项目名称": record.text("项目名称")[:max_chars]}) if isinstance(record, ProjectRecord) else []
    return out + [e for fa in result.fields.values() if fa.doc is not None for e in (fa.doc._.evidence or [])]


def excerpts(result: NarrativeResult) -> list:
    """A record's candidate publicity excerpts as its Docs hold them (``jigai_highlights``), in
    HIGHLIGHT_FIELDS order: what the round's highlights stage picks from the same inputs."""
    from .constants import HIGHLIGHT_FIELDS

    return [h for name in HIGHLIGHT_FIELDS if (fa := result.fields.get(name)) is not None and fa.doc is not None
            for h in (fa.doc._.highlights or [])]
