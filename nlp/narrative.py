"""Narrative checks: length, required content and sections, quantitative evidence, content unfit for
publication. One call per record; the results hold the spans the UI highlights and the Findings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .aspects import CONTENT_PARTS, Coverage, coverage
from .config import DEFAULT_CONFIG, NarrativeConfig
from .counting import analysed_part, char_count, offset_after, wps_count
from .evidence import Claim, extract_claims
from .findings import Finding
from .records import PracticeRecord, ProjectRecord, Record
from .sections import detect_sections, detect_subparts
from .sensitive import find_sensitive
from .constants import FIELD_ZH, NARRATIVE_FIELDS  # FIELD_ZH: how a field is named in messages
from .spans import Span

#: a project's narrative fields (nlp.constants) → the aspect group each is checked for
PROJECT_FIELDS = dict(zip(NARRATIVE_FIELDS["project"], ("content", "effect")))
SECTION_NAMES = ("企业简介", "技术改造情况", "经验做法")
SUBPART_ZH = {"无事故说明": "近三年无重大及以上事故的说明", "投入与时间段": "技术改造投入及时间段",
              "顶层设计与路径": "顶层设计、改造路径和目标规划", "成效数据": "技术改造成效数据",
              "典型案例": "1-2个典型案例", "分条经验": "分条提炼的经验做法"}
SENSITIVE_CODES = {"phone": "SENSITIVE_CONTACT", "email": "SENSITIVE_CONTACT", "id_number": "SENSITIVE_CONTACT",
                   "person_name": "SENSITIVE_NAME", "confidential": "SENSITIVE_CONFIDENTIAL"}


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

    @property
    def analysed_text(self) -> str:
        """The part of the text the claims, aspects, sections and highlights were found in (a prefix)."""
        return self.text if self.analysed is None else self.text[:self.analysed]

    @property
    def truncated(self) -> bool:
        return self.analysed is not None and self.analysed < len(self.text)

    def spans(self) -> dict[str, list[Span]]:
        out = {"evidence": [c.span() for c in self.claims], "sensitive": self.sensitive}
        if self.coverage is not None:
            out["aspects"] = self.coverage.spans
        return out


@dataclass
class NarrativeResult:
    fields: dict[str, FieldAnalysis] = field(default_factory=dict)
    sections: dict[str, Any] | None = None
    subparts: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def before_after(self) -> bool:
        return any(c.compares for f in self.fields.values() for c in f.claims)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).replace("项目", "")


#: content parts whose absence is a warning; the others (产线规模, 工艺路线) are info (包括但不限于)
KEY_CONTENT_PARTS = ("建设内容", "技术设备")


def _add(result: NarrativeResult, record: Record, code: str, message: str, name: str,
         start: int | None = None, end: int | None = None, severity: str = "", **data) -> None:
    result.findings.append(Finding(code, message, field=name, provenance=record.provenance(name), start=start,
                                   end=end, record_id=record.id, city=record.city, severity=severity, data=data))


#: how the notice words each limit (programme-notice.txt): in 字数, which is what WPS/Word's 字数统计 counts
NOTICE_WORDING = {300: "字数不超过300字", 1500: "总字数不超过1500字"}


def _length(result: NarrativeResult, record: Record, name: str, text: str, limit: int, fa: FieldAnalysis,
            config: NarrativeConfig) -> None:
    """LEN_OVER_LIMIT: an error when the WPS/Word 字数统计 (the count a city sees) is over the limit; a warning
    when only the characters without spaces are (each half-width letter and digit counts one there)."""
    label = FIELD_ZH.get(name, name)
    fa.limit = limit
    counts = {"chars": fa.chars, "wps": fa.wps, "limit": limit}
    if fa.wps > limit:
        _add(result, record, "LEN_OVER_LIMIT",
             f"{label}超过{limit}字：WPS/Word“字数统计”为{fa.wps}字，超出{fa.wps - limit}字"
             f"（不计空格的字符数为{fa.chars}）", name, offset_after(text, limit, by="wps"), len(text),
             severity="error", measure="wps", **counts)
    elif fa.chars > limit:
        wording = NOTICE_WORDING.get(limit, f"字数不超过{limit}字")
        _add(result, record, "LEN_OVER_LIMIT",
             f"{label}WPS/Word“字数统计”为{fa.wps}字，未超过{limit}字；但不计空格的字符数为{fa.chars}，"
             f"超出{fa.chars - limit}个（半角字母、数字逐个计，如“2.85”计4个）。通知要求“{wording}”，"
             f"以WPS/Word“字数统计”为准，此处仅提示", name, offset_after(text, limit), len(text),
             severity="warning", measure="chars", **counts)
    elif 0 < fa.chars < config.near_empty_chars:
        _add(result, record, "TEXT_NEAR_EMPTY", f"{label}仅{fa.chars}字，内容过短", name, 0, len(text))


def _too_long(result: NarrativeResult, record: Record, name: str, text: str, analysed: int) -> None:
    """TEXT_TOO_LONG once per field read only in part; its span is the part not analysed."""
    if analysed >= len(text):
        return
    label = FIELD_ZH.get(name, name)
    _add(result, record, "TEXT_TOO_LONG",
         f"{label}长达{len(text)}个字符，远超字数限制；只分析了前{analysed}个字符（章节、数据、改造方向和查重比对），"
         f"其后{len(text) - analysed}个字符未分析（字数按全文统计）", name, analysed, len(text),
         length=len(text), analysed=analysed)


def _partly(fa: FieldAnalysis) -> str:
    """The note an absence finding carries when only the first part of the text was read."""
    return f"（仅检查了前{fa.analysed}个字符）" if fa.truncated else ""


def _evidence(result: NarrativeResult, record: Record, name: str, text: str, fa: FieldAnalysis) -> None:
    if not fa.claims:
        _add(result, record, "NO_QUANT_EVIDENCE", f"{name}未使用数据说明改造前后变化{_partly(fa)}", name, 0, len(text))
    elif not any(c.compares for c in fa.claims):
        _add(result, record, "NO_BEFORE_AFTER", f"{name}有数据但没有改造前后对比或变化幅度{_partly(fa)}", name, 0,
             len(text))
    for claim in fa.claims:
        for code, reason in claim.problems:
            _add(result, record, code, f"“{claim.text}”：{reason}", name, claim.start, claim.end)


def _sensitive(result: NarrativeResult, record: Record, name: str, fa: FieldAnalysis) -> None:
    for span in fa.sensitive:
        reason = span.data.get("reason", span.label)
        _add(result, record, SENSITIVE_CODES[span.label], f"{FIELD_ZH.get(name, name)}含{reason}“{span.text}”，不宜公开", name,
             span.start, span.end, kind=span.label)


#: characters of a text the superlinear steps read unless told otherwise
MAX_ANALYSED_CHARS = DEFAULT_CONFIG.limits.max_analysed_chars


def _analyse_field(text: str, group: str | None, config: NarrativeConfig, max_chars: int) -> FieldAnalysis:
    """Counts and sensitive content over the whole text (linear); claims and aspects (superlinear in the
    text's length) over its first ``max_chars`` characters."""
    part = analysed_part(text, max_chars)
    claims = extract_claims(part, config.max_increase_percent)
    cov = coverage(part, group, claims) if group else None
    return FieldAnalysis("", char_count(text), wps_count(text), claims, cov, find_sensitive(text), text, len(part))


def analyse_project(record: ProjectRecord, config: NarrativeConfig,
                    max_chars: int = MAX_ANALYSED_CHARS) -> NarrativeResult:
    result = NarrativeResult()
    name_norm = _norm(record.name)
    _too_long(result, record, "项目名称", record.name, min(len(record.name), max_chars))
    for name, group in PROJECT_FIELDS.items():
        if name not in record.fields:
            continue
        text = record.text(name)
        fa = _analyse_field(text, group, config, max_chars)
        fa.field = name
        result.fields[name] = fa
        if not text.strip():
            continue  # FIELD_MISSING says it
        _length(result, record, name, text, config.project_limit, fa, config)
        _too_long(result, record, name, text, fa.analysed)
        norm = _norm(text)
        if name_norm and norm and (norm in name_norm or (name_norm in norm and len(norm) <= len(name_norm) + 8)):
            _add(result, record, "TEXT_RESTATES_NAME", f"{name}只是重复项目名称，没有实质内容", name, 0, len(text))
        if group == "content" and fa.chars >= config.near_empty_chars:
            missing = fa.coverage.missing(CONTENT_PARTS)
            if missing:
                severity = "warning" if any(p in KEY_CONTENT_PARTS for p in missing) else "info"
                _add(result, record, "CONTENT_PART_MISSING", f"项目建设内容未写明：{'、'.join(missing)}{_partly(fa)}", name, 0,
                     len(text), severity=severity, missing=missing)
        if group == "effect":
            _evidence(result, record, name, text, fa)
        _sensitive(result, record, name, fa)
    return result


def analyse_practice(record: PracticeRecord, config: NarrativeConfig,
                     max_chars: int = MAX_ANALYSED_CHARS) -> NarrativeResult:
    result = NarrativeResult()
    name = "text"
    text = record.text(name)
    fa = _analyse_field(text, None, config, max_chars)
    fa.field = name
    result.fields[name] = fa
    _length(result, record, name, text, config.practice_limit, fa, config)
    _too_long(result, record, name, text, fa.analysed)
    part, note = fa.analysed_text, _partly(fa)
    sections = detect_sections(part)
    subparts = detect_subparts(part, sections)
    result.sections, result.subparts = sections, subparts
    for section in SECTION_NAMES:
        if not sections[section].present:
            _add(result, record, "SECTION_MISSING", f"典型做法缺少“{section}”部分（按内容判断，非仅看标题）{note}", name,
                 section=section)
    for sub, zh in SUBPART_ZH.items():
        if not subparts[sub].present:
            _add(result, record, "SUBPART_MISSING", f"典型做法未见{zh}{note}", name, subpart=sub)
    if not fa.claims:
        _add(result, record, "NO_QUANT_EVIDENCE", f"典型做法未使用数据说明技术改造成效{note}", name, 0, len(text))
    for claim in fa.claims:
        for code, reason in claim.problems:
            if code == "IMPLAUSIBLE_VALUE":
                _add(result, record, code, f"“{claim.text}”：{reason}", name, claim.start, claim.end)
    _sensitive(result, record, name, fa)
    return result


def analyse_narratives(records: list[Record], config: NarrativeConfig,
                       max_chars: int = MAX_ANALYSED_CHARS) -> dict[str, NarrativeResult]:
    """Narrative results by record id, for every project and 典型做法 (``max_chars``:
    ``Limits.max_analysed_chars``, the characters of each text the superlinear steps read)."""
    out: dict[str, NarrativeResult] = {}
    for record in records:
        if isinstance(record, ProjectRecord):
            out[record.id] = analyse_project(record, config, max_chars)
        elif isinstance(record, PracticeRecord):
            out[record.id] = analyse_practice(record, config, max_chars)
    return out
