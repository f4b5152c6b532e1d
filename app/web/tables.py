"""The queue and the dashboard as pandas DataFrames (Gradio's Dataframe and BarPlot take them)."""
from __future__ import annotations

import pandas as pd

from nlp.constants import CODES, RECORD_KIND_ZH, SEVERITY_ZH

QUEUE_COLUMNS = ["地市", "企业", "项目", "类型", "最严重", "问题数", "申报方向", "识别方向", "疑似重复", "审核状态", "出处", "记录编号"]
QUEUE_WIDTHS = ["64px", "200px", "220px", "70px", "60px", "60px", "110px", "110px", "64px", "72px", "220px", "220px"]
ID_COLUMN = QUEUE_COLUMNS.index("记录编号")
KIND_SHORT = {k: v.split("（")[0] for k, v in RECORD_KIND_ZH.items()}


def queue_frame(rows) -> pd.DataFrame:
    """One line per QueueRow, in the store's order."""
    data = [[r.city, r.company, r.project, KIND_SHORT.get(r.kind, r.kind), SEVERITY_ZH.get(r.worst_severity, "无"),
             r.findings, "、".join(r.declared) or "—", "、".join(r.inferred) or "—", "是" if r.duplicate else "",
             r.status, r.source, r.record_id] for r in rows]
    return pd.DataFrame(data, columns=QUEUE_COLUMNS)


def _ratio(have, need) -> str:
    return f"{have}/{need}" if need else str(have if have is not None else "")


def dashboard_frames(dash: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(per-city quota table, directions for a bar chart, finding codes for a bar chart, status counts)."""
    cities = pd.DataFrame(
        [[c.get("city"), c.get("region") or "", c.get("records", 0), c.get("reviewed", 0), c.get("pending", 0),
          _ratio(c.get("projects"), c.get("min_projects")), _ratio(c.get("enterprises"), c.get("min_enterprises")),
          c.get("benchmark_enterprises", ""), c.get("practices", ""),
          "" if "quota_ok" not in c else ("达标" if c["quota_ok"] else "未达标")]
         for c in dash.get("cities") or []],
        columns=["地市", "区域", "记录数", "已审（通过或退回）", "待定", "重点项目（实际/要求）", "示范企业（实际/要求）", "标杆企业", "典型做法", "配额"])
    directions = pd.DataFrame(
        [[f"{d}·{zh}", zh, counts.get(key, 0)] for d, counts in (dash.get("directions") or {}).items()
         for key, zh in (("declared", "申报"), ("inferred", "识别"))],
        columns=["方向", "类别", "记录数"])
    codes = pd.DataFrame(
        [[CODES[c].title if c in CODES else c, c, n] for c, n in sorted((dash.get("codes") or {}).items(),
                                                                         key=lambda x: -x[1])],
        columns=["问题", "代码", "数量"])
    status = pd.DataFrame(list((dash.get("status") or {}).items()), columns=["审核状态", "记录数"])
    return cities, directions, codes, status
