"""Finding messages written in more than one place: one function each, so the text reads the same wherever it
is made (the engine's round stage, the archive comparison, the store's city-confined view)."""
from __future__ import annotations

from .constants import DUPLICATE_KIND_ZH

#: what a city reviewer is told in place of another city's record
RESTRICTED_NOTE = "（其他地市的材料详情仅省级账号可见）"


def duplicate_message(kind: str, score: float, *, city: str | None, company: str | None = None,
                      where: str | None = None, round_label: str | None = None) -> str:
    """DUPLICATE_OF's message, from the other side's description (its city, company and where it was read; the
    earlier round it was submitted in, if any), the pair's kind and score:

    - 与佛山市“甲公司”（甲.xlsx 第3行）的材料完全相同，相似度1.00
    - 与2023年已报送的汕头市“乙公司”（乙.xlsx）的材料套用同一模板，相似度0.71
    - without company and place (what a city reviewer reads of another city's record):
      与汕头市的一份材料轻度改写（替换企业、地点或数据），相似度0.93（其他地市的材料详情仅省级账号可见）
    """
    when = f"{round_label}年已报送的" if round_label else ""
    label = DUPLICATE_KIND_ZH.get(kind, "相似")
    if company is None and where is None:
        return f"与{when}{city or '其他地市'}的一份材料{label}，相似度{score:.2f}{RESTRICTED_NOTE}"
    return f"与{when}{city or ''}“{company or ''}”（{where or ''}）的材料{label}，相似度{score:.2f}"
