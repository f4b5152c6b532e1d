"""Findings: what every check returns, and the one registry of Finding codes.

A Finding names a stable code, a severity (error = a rule of the form is broken; warning = a reviewer
should look; info = normalised or noted), the field it is about, a Chinese message for the reviewer,
the character span in the field's text as read (0-based, end exclusive) and the cell it came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from .constants import SEVERITIES, SEVERITY_RANK, SEVERITY_ZH  # noqa: F401  (the one severity order)


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: file, sheet, 1-based row and column letter (or a paragraph for documents)."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    paragraph: int | None = None

    @property
    def cell(self) -> str | None:
        if self.column and self.row:
            return f"{self.column}{self.row}"
        return None

    def describe(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格{self.cell}")
        elif self.row:
            parts.append(f"第{self.row}行")
        if self.paragraph is not None:
            parts.append(f"第{self.paragraph + 1}段")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        for key in ("sheet", "row", "column", "paragraph"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.cell:
            out["cell"] = self.cell
        return out


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: str
    title: str
    description: str


def _codes(*rows: tuple[str, str, str, str]) -> dict[str, CodeInfo]:
    return {code: CodeInfo(code, sev, title, desc) for code, sev, title, desc in rows}


#: The one registry of Finding codes (documented in docs/findings.md; a test keeps the two in step).
CODES: dict[str, CodeInfo] = _codes(
    # table structure
    ("COLUMN_MISSING", "error", "缺少必填列", "A column the form requires was not found in the sheet's header."),
    ("SHEET_SKIPPED", "info", "工作表未识别", "A sheet without a recognisable header was skipped (others in the file were read)."),
    ("ROW_UNREADABLE", "warning", "行无法读取", "A row could not be read; it was skipped and the rest of the sheet kept."),
    ("CELL_FORMULA", "warning", "公式单元格无计算结果", "A cell holds a formula with no saved result (a text typed with a leading `=` that the spreadsheet program turned into a formula, or a file written by a program that saves no results): the field holds the formula's text (`=…`), never nothing; the span is the whole field. A formula with a saved result is read as that result, silently."),
    ("CELL_ERROR", "warning", "单元格为错误值", "A cell holds an error value (#NAME?, #REF!, #VALUE!, #DIV/0!, #N/A, …): the field holds the formula's text when the cell has one (a narrative typed with a leading `=` typically saves #NAME?), else the error value itself, never nothing or a number; the span is the whole field."),
    # required content
    ("FIELD_MISSING", "error", "必填项为空", "A required field of the row is empty."),
    # location
    ("LOCATION_NOT_GUANGDONG", "error", "建设地点不在广东省", "项目建设地点 names another province or region."),
    ("LOCATION_CITY_UNKNOWN", "warning", "建设地点未写明地市", "项目建设地点 names none of Guangdong's 21 cities."),
    ("LOCATION_DISTRICT_MISMATCH", "warning", "区县与地市不符", "The district named does not belong to the city named."),
    ("LOCATION_OTHER_CITY", "warning", "建设地点不属于报送地市", "The project is located in another city than the one submitting it."),
    # code lists
    ("CLUSTER_UNKNOWN", "error", "产业集群不在目录内", "所属战略产业集群 matches none of the 20 clusters."),
    ("CLUSTER_VARIANT", "info", "产业集群写法不规范", "所属战略产业集群 written as a variant; normalised to the list's name."),
    ("SECTOR_UNKNOWN", "error", "所属行业不在41个行业内", "所属行业 matches none of the 41 industrial sectors."),
    ("SECTOR_NUMBER_MISMATCH", "warning", "行业序号与名称不符", "The number written before the sector's name is not that sector's number."),
    ("SECTOR_CLUSTER_IMPLAUSIBLE", "warning", "产业集群与行业不匹配", "The sector is unusual for the declared cluster."),
    ("TRADITIONAL_UNKNOWN", "warning", "传统产业填写不规范", "所属五大优势传统产业 is none of the five nor 不属于."),
    # directions
    ("DIRECTION_VALUE_INVALID", "warning", "改造方向应填“是”或“否”", "A 技术改造方向 cell holds something other than 是/否."),
    ("DIRECTION_NONE", "error", "未选择技术改造方向", "None of 智能化/数字化/绿色化 is marked 是."),
    # construction period
    ("PERIOD_UNPARSEABLE", "error", "建设起止时间无法识别", "建设起止时间 could not be read as a start and an end month."),
    ("PERIOD_FORMAT_NONSTANDARD", "info", "建设起止时间格式不规范", "Read, but not written as the form asks (2021年2月-2023年4月)."),
    ("PERIOD_START_AFTER_END", "error", "开工时间晚于完工时间", "The start month is after the end month."),
    ("PERIOD_ENDS_BEFORE_2021", "error", "完工时间早于2021年", "The notice asks for projects completed since 2021."),
    ("PERIOD_ENDS_AFTER_ROUND", "error", "项目尚未完工", "The end month lies after the round's date: the project is not completed."),
    # investment
    ("INVESTMENT_NOT_NUMERIC", "error", "总投资不是数字", "总投资(亿元) is not a number."),
    ("INVESTMENT_NOT_POSITIVE", "error", "总投资应为正数", "总投资(亿元) is zero or negative."),
    ("INVESTMENT_UNIT_SUSPECT", "warning", "总投资单位疑似错误", "The magnitude suggests 万元 or 元 were typed instead of 亿元."),
    # contact
    ("CONTACT_INCOMPLETE", "warning", "联系人信息不完整", "企业联系人及联系方式 lacks a name or a phone number."),
    # enterprise summary (附件2)
    ("BENCHMARK_VALUE_INVALID", "warning", "是否标杆企业应填“是”或“否”", "是否标杆企业 holds something other than 是/否."),
    # directions
    ("DIRECTION_UNDECLARED", "warning", "文字支持但未申报的方向", "The text clearly describes a direction marked 否."),
    ("DIRECTION_UNSUPPORTED", "warning", "申报方向缺乏文字支撑", "A direction marked 是 has no done work in the text supporting it."),
    # near-duplicates
    ("DUPLICATE_OF", "warning", "疑似重复或套用材料", "The narratives are a near-duplicate of another record's (exact, light edit, template or paraphrase)."),
    # narratives: length
    ("LEN_OVER_LIMIT", "error", "超过字数限制", "A narrative is over its limit (300 for 项目建设内容/技术改造实施效果, 1500 for 典型做法): an error when the WPS/Word 字数统计 (the 字数 the notice's limit is worded in, and the count a city sees) is over it; a warning, giving both counts, when only the characters without spaces are (there each half-width letter and digit counts one). The span is the overflow by that count."),
    ("TEXT_NEAR_EMPTY", "warning", "内容过短", "A narrative has almost no content."),
    ("TEXT_TOO_LONG", "warning", "文本过长，仅部分比对", "A narrative (or a 项目名称) is far longer than any form allows (over `Limits.max_analysed_chars`): it is still counted in full and checked for sensitive content, but the steps whose cost grows faster than its length (claims and aspects, sections, excerpts, the direction lexicon and model, alignment) read only its first part; the span is the part not analysed."),
    ("TEXT_RESTATES_NAME", "warning", "内容仅重复项目名称", "A narrative only restates the project's name."),
    # narratives: required content
    ("CONTENT_PART_MISSING", "warning", "建设内容缺少要素", "项目建设内容 lacks one of 建设内容, 产线规模, 技术设备, 工艺路线 (info when only 产线规模/工艺路线 are missing)."),
    ("SECTION_MISSING", "error", "典型做法缺少部分", "A 典型做法 lacks one of its three sections (by content, not only by heading)."),
    ("SUBPART_MISSING", "warning", "典型做法缺少要点", "A 典型做法 section lacks a sub-part the template asks for (e.g. the no-accident statement)."),
    # narratives: quantitative evidence
    ("NO_QUANT_EVIDENCE", "error", "缺少量化数据", "An effect narrative (or a 典型做法) states no figures."),
    ("NO_BEFORE_AFTER", "warning", "缺少改造前后对比", "Figures are given but no before→after comparison or change."),
    ("IMPLAUSIBLE_VALUE", "warning", "数据不合理", "A figure cannot be right (a rate above 100%, a reduction over 100%, an extreme increase)."),
    ("UNIT_MISSING", "warning", "数据缺少单位", "A figure in a claim has no unit."),
    # narratives: unfit for publication
    ("SENSITIVE_CONTACT", "error", "含联系方式或证件号", "A narrative holds a phone number, an e-mail address or an ID number."),
    ("SENSITIVE_NAME", "warning", "含个人姓名", "A narrative names a member of staff."),
    ("SENSITIVE_CONFIDENTIAL", "warning", "疑似涉密内容", "A phrase suggests confidential or secret content (核心工艺参数, 客户名单, 涉密 …)."),
    # city-level (batch) checks
    ("QUOTA_PROJECTS_SHORT", "error", "重点项目数量不足", "The city recommends fewer projects than the notice asks (珠三角 60, others 40)."),
    ("QUOTA_ENTERPRISES_SHORT", "error", "示范企业数量不足", "The city recommends fewer enterprises than the notice asks (珠三角 6, others 4)."),
    ("BENCHMARK_COUNT", "error", "标杆企业数量不符", "A city names 1–2 技术改造标杆企业 among its enterprises."),
    ("ENTERPRISE_NO_PROJECT", "error", "示范企业无推荐项目", "An enterprise of 附件2 has no project in 附件1."),
    ("PRACTICE_MISSING", "warning", "缺少典型做法材料", "An enterprise of 附件2 has no 典型做法 (附件3) document."),
    ("PRACTICE_NOT_IN_SUMMARY", "warning", "典型做法企业不在汇总表", "A 典型做法 document's company is not in the city's 附件2."),
)


@dataclass
class Finding:
    """One problem or note about a record (or a city, for batch checks)."""

    code: str
    message: str
    field: str | None = None
    provenance: Provenance | None = None
    start: int | None = None
    end: int | None = None
    record_id: str | None = None
    city: str | None = None
    severity: str = ""
    data: dict[str, Any] = dc_field(default_factory=dict)

    def __post_init__(self) -> None:
        info = CODES.get(self.code)
        if info is None:
            raise KeyError(f"unregistered Finding code {self.code!r}")
        if not self.severity:
            self.severity = info.severity
        if self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r}")

    @property
    def title(self) -> str:
        return CODES[self.code].title

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "field": self.field,
                               "message": self.message}
        if self.start is not None:
            out["start"], out["end"] = self.start, self.end
        if self.provenance is not None:
            out["source"] = self.provenance.to_json()
        if self.data:
            out["data"] = self.data
        return out


def worst_severity(findings: list[Finding]) -> str | None:
    """The most severe level among the findings, or None."""
    worst = None
    for f in findings:
        if SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]:
            worst = f.severity
    return worst
