"""The one module of the project's shared names and labels: what the engine, the store and the web agree on.

Every list or label used in more than one place lives here and is imported, never written again (a test,
tests/test_config.py::test_no_second_definition, greps the source tree for second definitions):

- ``DIRECTIONS``: the notice's three transformation directions, in the form's column order;
- ``NARRATIVE_FIELDS``: the narrative fields of each record kind (the texts the narrative checks, the
  duplicates, the directions and the archive read), ``ALL_NARRATIVE_FIELDS`` all of them in display order,
  ``HIGHLIGHT_FIELDS`` the fields whose sentences are publicity candidates, ``FIELD_ZH`` the Chinese name of a
  field whose key is not Chinese already;
- ``SEVERITIES``: the one severity order (worst first); ``SEVERITY_RANK`` (higher = worse, ``None`` 0, for
  "the worst of these findings") and ``SEVERITY_POSITION`` (0 = worst, ``""`` = no findings, the store's
  ``severity_rank`` column and sort order) are derived from it, ``SEVERITY_ZH`` labels it;
- ``RECORD_KIND_ZH``: the record kinds (附件1/2/3) as a reviewer reads them;
- ``DUPLICATE_KIND_ZH``: the near-duplicate kinds, with ``DUPLICATE_KIND_SHORT`` (the label without its
  parenthesis) derived from it;
- ``codelists()``: the notice's code lists (cities, industries), re-exported from nlp/codelists.py;
- ``CODES``: a read-only view of the registry of Finding codes (nlp/findings.py holds the registry itself), so
  that app/ reads code titles and severities without importing engine internals.

Thresholds and limits are not here: they live in the one config object, :mod:`nlp.config`.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from .codelists import codelists  # noqa: F401  (the code lists: cities, industries; app/ imports them from here)

#: the notice's three directions (the form's columns 智能化/数字化/绿色化, in this order)
DIRECTIONS: tuple[str, ...] = ("智能化", "数字化", "绿色化")

#: record kinds, as the contract names them
RECORD_KINDS: tuple[str, ...] = ("project", "enterprise", "practice")
#: the record kinds as a reviewer reads them
RECORD_KIND_ZH: Mapping[str, str] = MappingProxyType(
    {"project": "重点项目（附件1）", "enterprise": "示范企业（附件2）", "practice": "典型做法（附件3）"})

#: the narrative fields of each record kind (a 示范企业 has none); a 典型做法's one text is the field "text"
NARRATIVE_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"project": ("项目建设内容", "技术改造实施效果"), "practice": ("text",)})
#: every narrative field, in display order
ALL_NARRATIVE_FIELDS: tuple[str, ...] = tuple(n for names in NARRATIVE_FIELDS.values() for n in names)
#: the fields whose sentences are publicity candidates (a 典型做法's text, a project's 技术改造实施效果)
HIGHLIGHT_FIELDS: tuple[str, ...] = ("text", "技术改造实施效果")
#: the Chinese name of a field whose key is not Chinese already
FIELD_ZH: Mapping[str, str] = MappingProxyType({"text": "典型做法"})

#: the one severity order, worst first: error = a rule of the form is broken; warning = a reviewer should
#: look; info = normalised or noted
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: higher = worse; ``None`` (no finding) is 0: ``SEVERITY_RANK[a] > SEVERITY_RANK[b]`` means a is worse
SEVERITY_RANK: Mapping[str | None, int] = MappingProxyType(
    {**{s: len(SEVERITIES) - i for i, s in enumerate(SEVERITIES)}, None: 0})
#: 0 = worst; ``""`` (no findings) last: the store's ``severity_rank`` column and its ascending sort
SEVERITY_POSITION: Mapping[str, int] = MappingProxyType(
    {**{s: i for i, s in enumerate(SEVERITIES)}, "": len(SEVERITIES)})
#: the severities as a reviewer reads them
SEVERITY_ZH: Mapping[str, str] = MappingProxyType({"error": "错误", "warning": "警告", "info": "提示"})

#: the near-duplicate kinds (DuplicatePair.kind) as a reviewer reads them
DUPLICATE_KINDS: tuple[str, ...] = ("exact", "light_edit", "template", "paraphrase")
DUPLICATE_KIND_ZH: Mapping[str, str] = MappingProxyType(
    {"exact": "完全相同", "light_edit": "轻度改写（替换企业、地点或数据）", "template": "套用同一模板",
     "paraphrase": "同一事实换种说法"})
#: the same labels without their parenthesis (tables, panels)
DUPLICATE_KIND_SHORT: Mapping[str, str] = MappingProxyType(
    {k: v.split("（")[0] for k, v in DUPLICATE_KIND_ZH.items()})


def __getattr__(name: str) -> Any:
    # CODES is read lazily: nlp.findings imports this module for the severities, so it cannot be imported here
    if name == "CODES":
        from .findings import CODES as registry

        view = MappingProxyType(registry)
        globals()["CODES"] = view
        return view
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
