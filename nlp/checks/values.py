"""Parsers for the form's typed cells: construction period, investment, contact, 是/否."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..textnorm import nfkc, squash

Month = tuple[int, int]

_MONTH = re.compile(
    r"((?:19|20)\d{2})\s*(?:年|[.\-/])\s*(\d{1,2})(?!\d)(?:\s*月)?"
    r"(?:\s*(?:[.\-/]\s*\d{1,2}(?!\d)|\d{1,2}\s*日))?")
_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}\s*年?")
_STANDARD = re.compile(r"^\d{4}年\d{1,2}月[-—–~至]{1,2}\d{4}年\d{1,2}月$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def month_of(value: object) -> Month | None:
    """A (year, month) from a date cell, an Excel date serial or a single written month."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.year, value.month
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        day = _EXCEL_EPOCH + dt.timedelta(days=float(value))
        return day.year, day.month
    if isinstance(value, str):
        months = [(int(y), int(m)) for y, m in _MONTH.findall(nfkc(value))]
        if len(months) == 1 and 1 <= months[0][1] <= 12:
            return months[0]
        digits = squash(value)
        if re.fullmatch(r"\d{5}(\.\d+)?", digits):
            return month_of(float(digits))
    return None


@dataclass(frozen=True)
class Period:
    start: Month | None
    end: Month | None
    standard: bool
    problem: str | None = None  # Chinese: why it could not be read


def parse_period(value: object) -> Period:
    """Read 建设起止时间: 2021年3月-2023年10月, 2021.3-2023.10, 2021/03—2023/10, 2021年3月至2023年10月 …"""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Period(None, None, False, "未填写")
    if not isinstance(value, str):
        single = month_of(value)
        if single:
            return Period(None, None, False, "只有一个日期（单元格被识别为日期），应填写起止两个年月")
        return Period(None, None, False, "不是起止年月")
    text = nfkc(value)
    months = [(int(y), int(m)) for y, m in _MONTH.findall(text)]
    if any(not 1 <= m <= 12 for _, m in months):
        return Period(None, None, False, "月份不在1—12之间")
    if len(months) == 2:
        return Period(months[0], months[1], bool(_STANDARD.match(squash(value))))
    if len(months) < 2 and len(_YEAR_ONLY.findall(text)) >= 2 and not months:
        return Period(None, None, False, "只写了年份，应填写至月（如：2021年2月-2023年4月）")
    if len(months) == 1:
        return Period(None, None, False, "只有一个年月，应填写起止两个年月")
    if len(months) > 2:
        return Period(None, None, False, "包含两个以上的年月")
    return Period(None, None, False, "无法识别为起止年月（如：2021年2月-2023年4月）")


@dataclass(frozen=True)
class Amount:
    value: float | None
    #: the unit the value was written in, if any: 亿元/万元/元
    unit: str | None
    problem: str | None = None


#: how many of each unit make one 亿元
_UNIT_DIVISORS = {"亿元": 1.0, "亿": 1.0, "万元": 1e4, "万": 1e4, "元": 1e8}


def parse_amount(value: object, header_unit: str | None = None) -> Amount:
    """An amount in 亿元 from a number or text ("2.85", "约2.85亿元", "5000万元", "1,200")."""
    divisor = _UNIT_DIVISORS.get(header_unit or "亿元", 1.0)
    if isinstance(value, bool):
        return Amount(None, None, "不是数字")
    if isinstance(value, (int, float)):
        return Amount(float(value) / divisor, header_unit)
    text = squash(str(value or ""))
    if not text:
        return Amount(None, None, "未填写")
    m = re.fullmatch(r"(?:约|合计|共)?(-?\d+(?:,\d{3})*(?:\.\d+)?)(亿元|亿|万元|万|元)?", text)
    if not m:
        return Amount(None, None, "不是数字")
    number = float(m.group(1).replace(",", ""))
    unit = m.group(2)
    if unit:
        return Amount(number / _UNIT_DIVISORS[unit], unit)
    return Amount(number / divisor, header_unit)


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:0\d{2,3}[\s\-]?)?[2-9]\d{6,7}(?!\d)")
_NAME = re.compile(r"[\u4e00-\u9fa5]{2,4}|[A-Za-z]+ [A-Za-z]+|[\u4e00-\u9fa5](?:先生|女士|经理|工|总)")


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None


def parse_contact(text: str) -> Contact:
    """A contact cell: a name and a phone (mobile or landline)."""
    norm = nfkc(text or "")
    phone_m = _MOBILE.search(norm) or _LANDLINE.search(norm)
    rest = norm
    if phone_m:
        rest = norm[:phone_m.start()] + " " + norm[phone_m.end():]
    rest = re.sub(r"(联系人|联系电话|电话|手机|联系方式|职务)\s*[:：]?", " ", rest)
    name_m = _NAME.search(rest)
    return Contact(name_m.group(0) if name_m else None, phone_m.group(0) if phone_m else None)


YES = {"是", "√", "✓", "✔", "Y", "y", "YES", "Yes", "yes", "1", "TRUE", "True"}
NO = {"否", "×", "✗", "N", "n", "NO", "No", "no", "0", "FALSE", "False", "无", "/", "-", "—"}


def yes_no(text: str) -> tuple[bool, bool]:
    """(value, valid): 是/否 are valid; √/×/Y/N are read but not what the form asks for."""
    key = squash(text)
    if key in ("", "否"):
        return False, True
    if key == "是":
        return True, True
    if key in YES:
        return True, False
    return False, False
