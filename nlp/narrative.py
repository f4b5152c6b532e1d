"""Narrative checks: length, required content and sections, quantitative evidence, content unfit for
publication. One call per record; the results hold the spans the UI highlights and the Findings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .aspects import CONTENT_PARTS, Coverage, coverage
from .config import NarrativeConfig
from .counting import char_count, offset_after, wps_count
from .evidence import Claim, extract_claims
from .findings import Finding
from .records import PracticeRecord, ProjectRecord, Record
from .sections import detect_sections, detect_subparts
from .sensitive import find_sensitive
from .spans import Span

PROJECT_FIELDS = {"项目建设内容": "content", "技术改造实施效果": "effect"}
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


#: how a field is named in messages
FIELD_ZH = {"text": "典型做法"}
#: content parts whose absence is a warning; the others (产线规模, 工艺路线) are info (包括但不限于)
KEY_CONTENT_PARTS = ("建设内容", "技术设备")


def _add(result: NarrativeResult, record: Record, code: str, message: str, name: str,
         start: int | None = None, end: int | None = None, severity: str = "", **data) -> None:
    result.findings.append(Finding(code, message, field=name, provenance=record.provenance(name), start=start,
                                   end=end, record_id=record.id, city=record.city, severity=severity, data=data))


def _length(result: NarrativeResult, record: Record, name: str, text: str, limit: int, fa: FieldAnalysis,
            config: NarrativeConfig) -> None:
    label = FIELD_ZH.get(name, name)
    if fa.chars > limit:
        cut = offset_after(text, limit)
        wps_note = f"（WPS字数统计为{fa.wps}字，未超）" if fa.wps <= limit else f"（WPS字数统计{fa.wps}字）"
        _add(result, record, "LEN_OVER_LIMIT", f"{label}超过{limit}字：共{fa.chars}字{wps_note}，超出{fa.chars - limit}字",
             name, cut, len(text), chars=fa.chars, wps=fa.wps, limit=limit)
    elif 0 < fa.chars < config.near_empty_chars:
        _add(result, record, "TEXT_NEAR_EMPTY", f"{label}仅{fa.chars}字，内容过短", name, 0, len(text))


def _evidence(result: NarrativeResult, record: Record, name: str, text: str, fa: FieldAnalysis) -> None:
    if not fa.claims:
        _add(result, record, "NO_QUANT_EVIDENCE", f"{name}未使用数据说明改造前后变化", name, 0, len(text))
    elif not any(c.compares for c in fa.claims):
        _add(result, record, "NO_BEFORE_AFTER", f"{name}有数据但没有改造前后对比或变化幅度", name, 0, len(text))
    for claim in fa.claims:
        for code, reason in claim.problems:
            _add(result, record, code, f"“{claim.text}”：{reason}", name, claim.start, claim.end)


def _sensitive(result: NarrativeResult, record: Record, name: str, fa: FieldAnalysis) -> None:
    for span in fa.sensitive:
        reason = span.data.get("reason", span.label)
        _add(result, record, SENSITIVE_CODES[span.label], f"{FIELD_ZH.get(name, name)}含{reason}“{span.text}”，不宜公开", name,
             span.start, span.end, kind=span.label)


def _analyse_field(text: str, group: str | None, config: NarrativeConfig) -> FieldAnalysis:
    claims = extract_claims(text, config.max_increase_percent)
    cov = coverage(text, group, claims) if group else None
    return FieldAnalysis("", char_count(text), wps_count(text), claims, cov, find_sensitive(text), text)


def analyse_project(record: ProjectRecord, config: NarrativeConfig) -> NarrativeResult:
    result = NarrativeResult()
    name_norm = _norm(record.name)
    for name, group in PROJECT_FIELDS.items():
        if name not in record.fields:
            continue
        text = record.text(name)
        fa = _analyse_field(text, group, config)
        fa.field = name
        result.fields[name] = fa
        if not text.strip():
            continue  # FIELD_MISSING says it
        _length(result, record, name, text, config.project_limit, fa, config)
        norm = _norm(text)
        if name_norm and norm and (norm in name_norm or (name_norm in norm and len(norm) <= len(name_norm) + 8)):
            _add(result, record, "TEXT_RESTATES_NAME", f"{name}只是重复项目名称，没有实质内容", name, 0, len(text))
        if group == "content" and fa.chars >= config.near_empty_chars:
            missing = fa.coverage.missing(CONTENT_PARTS)
            if missing:
                severity = "warning" if any(p in KEY_CONTENT_PARTS for p in missing) else "info"
                _add(result, record, "CONTENT_PART_MISSING", f"项目建设内容未写明：{'、'.join(missing)}", name, 0,
                     len(text), severity=severity, missing=missing)
        if group == "effect":
            _evidence(result, record, name, text, fa)
        _sensitive(result, record, name, fa)
    return result


def analyse_practice(record: PracticeRecord, config: NarrativeConfig) -> NarrativeResult:
    result = NarrativeResult()
    name = "text"
    text = record.text(name)
    fa = _analyse_field(text, None, config)
    fa.field = name
    result.fields[name] = fa
    _length(result, record, name, text, config.practice_limit, fa, config)
    sections = detect_sections(text)
    subparts = detect_subparts(text, sections)
    result.sections, result.subparts = sections, subparts
    for section in SECTION_NAMES:
        if not sections[section].present:
            _add(result, record, "SECTION_MISSING", f"典型做法缺少“{section}”部分（按内容判断，非仅看标题）", name,
                 section=section)
    for sub, zh in SUBPART_ZH.items():
        if not subparts[sub].present:
            _add(result, record, "SUBPART_MISSING", f"典型做法未见{zh}", name, subpart=sub)
    if not fa.claims:
        _add(result, record, "NO_QUANT_EVIDENCE", "典型做法未使用数据说明技术改造成效", name, 0, len(text))
    for claim in fa.claims:
        for code, reason in claim.problems:
            if code == "IMPLAUSIBLE_VALUE":
                _add(result, record, code, f"“{claim.text}”：{reason}", name, claim.start, claim.end)
    _sensitive(result, record, name, fa)
    return result


def analyse_narratives(records: list[Record], config: NarrativeConfig) -> dict[str, NarrativeResult]:
    """Narrative results by record id, for every project and 典型做法."""
    out: dict[str, NarrativeResult] = {}
    for record in records:
        if isinstance(record, ProjectRecord):
            out[record.id] = analyse_project(record, config)
        elif isinstance(record, PracticeRecord):
            out[record.id] = analyse_practice(record, config)
    return out
