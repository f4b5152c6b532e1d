"""Row-level form-rule checks. Each check reads one record and returns Findings; nothing else."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..codelists import codelists
from ..config import RuleConfig
from ..findings import Finding
from ..ingest.tables import cell_findings
from ..records import EnterpriseRecord, ProjectRecord, Record
from ..textnorm import squash
from .values import Month, month_of, parse_amount, parse_contact, parse_period, yes_no

from ..constants import DIRECTIONS


@dataclass(frozen=True)
class RoundContext:
    """What the checks need to know about the round."""

    #: the round's date: a project ending after this month is not completed
    round_month: Month
    rules: RuleConfig = RuleConfig()


def _finding(record: Record, code: str, message: str, name: str | None, start: int | None = None,
             end: int | None = None, **data) -> Finding:
    text = record.text(name) if name else ""
    if name and start is None and text:
        start, end = 0, len(text)
    return Finding(code, message, field=name, provenance=record.provenance(name) if name else record.source,
                   start=start, end=end, record_id=record.id, city=record.city, data=data)


# ---- required fields ----------------------------------------------------------------------------
PROJECT_REQUIRED = ("项目名称", "项目承担单位", "项目建设地点", "所属战略产业集群", "所属行业", "建设起止时间",
                    "总投资(亿元)", "项目建设内容", "技术改造实施效果", "企业联系人及联系方式")


def check_required(record: Record, ctx: RoundContext) -> list[Finding]:
    names = PROJECT_REQUIRED if isinstance(record, ProjectRecord) else ("企业名称",)
    out = []
    for name in names:
        if name == "建设起止时间" and ("开工时间" in record.fields or "完工时间" in record.fields):
            continue
        value = record.fields.get(name)
        if value is not None and not value.text.strip():  # absent columns are reported per sheet
            out.append(_finding(record, "FIELD_MISSING", f"“{name}”为空", name))
    return out


# ---- location -----------------------------------------------------------------------------------
_PLACE_TOKEN = re.compile(r"^(.{1,10}?(?:自治县|区|县|市|新区))")


def check_location(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, ProjectRecord):
        return []
    name = "项目建设地点"
    text = record.text(name)
    if not text.strip():
        return []
    lists = codelists()
    key = squash(text)
    body = re.sub(r"^(中国|中华人民共和国)", "", key)
    for province in lists.other_provinces:
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", province)
        if body.startswith(province) or (len(short) >= 2 and body.startswith(short)):
            pos = text.find(short[0]) if short else 0
            return [_finding(record, "LOCATION_NOT_GUANGDONG", f"项目建设地点不在广东省（“{province}”）：{text}",
                             name, max(pos, 0), max(pos, 0) + len(short), province=province)]
    city = lists.find_city(text)
    out: list[Finding] = []
    if city is None:
        guess = lists.find_city_by_place(text)
        hint = f"，按区县推断为{guess.name}" if guess else ""
        return [_finding(record, "LOCATION_CITY_UNKNOWN", f"项目建设地点未写明广东省内地市{hint}：{text}", name,
                         inferred_city=guess.name if guess else None)]
    after = body.split(city.name, 1)[1] if city.name in body else body.split(city.short, 1)[-1]
    m = _PLACE_TOKEN.match(after)
    if m and not city.towns:
        token = m.group(1)
        own = (*city.counties, *city.zones)
        if not any(token == p or token in p or p in token for p in own):
            owner = next((c for c in lists.cities if c is not city and token in c.counties), None)
            if owner is not None:
                pos = text.find(token)
                out.append(_finding(record, "LOCATION_DISTRICT_MISMATCH",
                                    f"“{token}”属于{owner.name}，不属于{city.name}", name,
                                    pos if pos >= 0 else None, pos + len(token) if pos >= 0 else None,
                                    district=token, city=city.name, belongs_to=owner.name))
    if record.city and record.city != city.name:
        out.append(_finding(record, "LOCATION_OTHER_CITY",
                            f"项目建设地点在{city.name}，但由{record.city}报送", name, located_in=city.name))
    return out


# ---- code lists ---------------------------------------------------------------------------------
def check_codes(record: Record, ctx: RoundContext) -> list[Finding]:
    lists = codelists()
    out: list[Finding] = []
    cluster = None
    text = record.text("所属战略产业集群").strip()
    if text:
        cluster = lists.cluster(text)
        if cluster is None:
            out.append(_finding(record, "CLUSTER_UNKNOWN",
                                f"“{text}”不在20个战略性产业集群目录内", "所属战略产业集群"))
        elif squash(text) != cluster.name:
            out.append(_finding(record, "CLUSTER_VARIANT", f"“{text}”按“{cluster.name}”处理", "所属战略产业集群",
                                normalised=cluster.name))
    text = record.text("所属行业").strip()
    if text:
        match = lists.sector(text)
        if match.sector is None:
            out.append(_finding(record, "SECTOR_UNKNOWN", f"“{text}”不在统计制度41个工业行业内", "所属行业"))
        else:
            if match.written_number is not None:
                out.append(_finding(record, "SECTOR_NUMBER_MISMATCH",
                                    f"“{text}”：{match.sector.name}的序号应为{match.sector.no}", "所属行业",
                                    sector=match.sector.no))
            if cluster is not None and match.sector.no not in cluster.sectors:
                out.append(_finding(record, "SECTOR_CLUSTER_IMPLAUSIBLE",
                                    f"行业“{match.sector.name}”与产业集群“{cluster.name}”不太匹配，请核实",
                                    "所属行业", sector=match.sector.no, cluster=cluster.name))
    text = record.text("所属五大优势传统产业").strip()
    if text and lists.traditional_industry(text) is None:
        out.append(_finding(record, "TRADITIONAL_UNKNOWN",
                            f"“{text}”应为家居、食品饮料、纺织服装、家电、建材之一或“不属于”", "所属五大优势传统产业"))
    return out


# ---- directions ---------------------------------------------------------------------------------
def declared_directions(record: Record) -> dict[str, bool]:
    """The directions marked 是 (or written into a single 技术改造方向 column)."""
    if any(d in record.fields for d in DIRECTIONS):
        return {d: yes_no(record.text(d))[0] for d in DIRECTIONS}
    combined = record.text("技术改造方向")
    return {d: d in combined or d[:2] in combined for d in DIRECTIONS}


def check_directions(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, ProjectRecord):
        return []
    out = []
    for d in DIRECTIONS:
        text = record.text(d).strip()
        if text:
            value, valid = yes_no(text)
            if not valid:
                meaning = "按“是”处理" if value else "按“否”处理"
                out.append(_finding(record, "DIRECTION_VALUE_INVALID", f"{d}一栏填写“{text}”，应填“是”或“否”（{meaning}）",
                                    d, read_as=value))
    has_columns = any(d in record.fields for d in (*DIRECTIONS, "技术改造方向"))
    if has_columns and not any(declared_directions(record).values()):
        out.append(_finding(record, "DIRECTION_NONE", "智能化、数字化、绿色化均未填“是”，至少应选择一个方向", None))
    return out


# ---- construction period ------------------------------------------------------------------------
def _fmt(month: Month) -> str:
    return f"{month[0]}年{month[1]}月"


def check_period(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, ProjectRecord):
        return []
    if "建设起止时间" in record.fields:
        name = "建设起止时间"
        value = record.fields[name]
        if not value.text.strip():
            return []
        period = parse_period(value.raw if not isinstance(value.raw, str) else value.text)
        start, end = period.start, period.end
        if start is None:
            return [_finding(record, "PERIOD_UNPARSEABLE", f"建设起止时间“{value.text}”无法识别：{period.problem}", name)]
        out = [] if period.standard else [_finding(record, "PERIOD_FORMAT_NONSTANDARD",
                                                   f"建设起止时间“{value.text}”应按“2021年2月-2023年4月”格式填写", name)]
    elif "开工时间" in record.fields or "完工时间" in record.fields:
        name = "完工时间"
        start = month_of(record.fields["开工时间"].raw) if "开工时间" in record.fields else None
        end = month_of(record.fields["完工时间"].raw) if "完工时间" in record.fields else None
        if start is None or end is None:
            bad = "开工时间" if start is None else "完工时间"
            return [_finding(record, "PERIOD_UNPARSEABLE", f"{bad}“{record.text(bad)}”无法识别为年月", bad)]
        out = []
    else:
        return []
    if start > end:
        out.append(_finding(record, "PERIOD_START_AFTER_END", f"开工时间{_fmt(start)}晚于完工时间{_fmt(end)}", name))
    if end < ctx.rules.earliest_completion:
        out.append(_finding(record, "PERIOD_ENDS_BEFORE_2021", f"完工时间{_fmt(end)}早于2021年，不符合“2021年以来完工”",
                            name))
    elif end > ctx.round_month:
        out.append(_finding(record, "PERIOD_ENDS_AFTER_ROUND",
                            f"完工时间{_fmt(end)}晚于本轮申报时间{_fmt(ctx.round_month)}，项目尚未完工", name))
    for f in out:
        if f.field == name and f.start is None and record.text(name):
            f.start, f.end = 0, len(record.text(name))
    return out


# ---- investment ---------------------------------------------------------------------------------
def check_investment(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, ProjectRecord) or "总投资(亿元)" not in record.fields:
        return []
    name = "总投资(亿元)"
    value = record.fields[name]
    if not value.text.strip():
        return []
    amount = parse_amount(value.raw, record.units.get(name))
    if amount.value is None:
        return [_finding(record, "INVESTMENT_NOT_NUMERIC", f"总投资“{value.text}”不是数字", name)]
    if amount.value <= 0:
        return [_finding(record, "INVESTMENT_NOT_POSITIVE", f"总投资“{value.text}”应大于0", name)]
    rules = ctx.rules
    if amount.value >= rules.investment_yuan_threshold:
        return [_finding(record, "INVESTMENT_UNIT_SUSPECT",
                         f"总投资{value.text}亿元数额异常，疑似按“元”填写（折合{amount.value / 1e8:g}亿元）", name,
                         read_as_yuan=amount.value / 1e8)]
    if amount.value >= rules.investment_wan_threshold:
        return [_finding(record, "INVESTMENT_UNIT_SUSPECT",
                         f"总投资{value.text}亿元数额异常，疑似按“万元”填写（折合{amount.value / 1e4:g}亿元）", name,
                         read_as_wan=amount.value / 1e4)]
    return []


# ---- contact ------------------------------------------------------------------------------------
def check_contact(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, ProjectRecord):
        return []
    name = "企业联系人及联系方式"
    text = record.text(name)
    if not text.strip():
        return []
    contact = parse_contact(text)
    lacking = [what for what, v in (("姓名", contact.name), ("联系电话", contact.phone)) if not v]
    if lacking:
        return [_finding(record, "CONTACT_INCOMPLETE", f"联系人信息缺少{'和'.join(lacking)}：{text}", name)]
    return []


# ---- 附件2 ---------------------------------------------------------------------------------------
def check_benchmark_value(record: Record, ctx: RoundContext) -> list[Finding]:
    if not isinstance(record, EnterpriseRecord):
        return []
    text = record.text("是否标杆企业").strip()
    if text and not yes_no(text)[1]:
        return [_finding(record, "BENCHMARK_VALUE_INVALID", f"是否标杆企业填写“{text}”，应填“是”或“否”",
                         "是否标杆企业")]
    return []


def check_cells(record: Record, ctx: RoundContext) -> list[Finding]:
    """Fields read from a formula without a saved result or an error value (CELL_FORMULA / CELL_ERROR)."""
    return cell_findings(record)


RowCheck = Callable[[Record, RoundContext], list[Finding]]

#: every row-level check, in the order findings are listed
ROW_CHECKS: tuple[RowCheck, ...] = (check_cells, check_required, check_location, check_codes, check_directions,
                                    check_period, check_investment, check_contact, check_benchmark_value)
