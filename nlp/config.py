"""One config object for every threshold and limit, with documented defaults."""
from __future__ import annotations

from dataclasses import dataclass

from .embeddings.config import EmbeddingConfig


@dataclass(frozen=True)
class Limits:
    """Limits that protect ingest from hostile or accidental input."""

    #: most entries a zip container (xlsx/docx/zip) may hold
    zip_max_entries: int = 20_000
    #: most bytes all entries of one container may expand to
    zip_max_total_bytes: int = 1_500_000_000
    #: highest expansion ratio an entry (larger than ``zip_ratio_min_bytes``) may have
    zip_max_ratio: float = 200.0
    zip_ratio_min_bytes: int = 1_000_000
    #: seconds a LibreOffice conversion may take
    convert_timeout_s: int = 120
    #: rows scanned from the top of a sheet when looking for the header
    header_scan_rows: int = 20
    #: characters of one narrative that the superlinear steps (alignment, sections, the model) read; a longer
    #: text is counted in full and gets TEXT_TOO_LONG (the longest form limit is 1,500)
    max_analysed_chars: int = 6_000
    #: characters a 附件3 document (.txt/.md/.docx/.pdf) may hold: a 典型做法 is at most 1,500 字, so one over
    #: 100,000 (some 60 pages) is not one; it is refused as a file (before decoding when its bytes already
    #: say so), never read into the round
    max_document_chars: int = 100_000
    #: pages a PDF 附件3 may have (pages are counted before any text is extracted)
    max_pdf_pages: int = 200
    #: characters one spreadsheet cell may hold: 32,767 is the most Excel and WPS can store, so a longer cell
    #: (from a csv or a generated file) makes its row ROW_UNREADABLE, the rest of the sheet being read
    max_cell_chars: int = 32_767


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the form-rule checks."""

    #: earliest month a project may end (the notice: 2021年以来完工项目)
    earliest_completion: tuple[int, int] = (2021, 1)
    #: 总投资(亿元) at or above this suggests 万元 were typed
    investment_wan_threshold: float = 100.0
    #: 总投资(亿元) at or above this suggests 元 were typed
    investment_yuan_threshold: float = 1_000_000.0
    #: a city names 1–2 技术改造标杆企业
    benchmark_min: int = 1
    benchmark_max: int = 2


@dataclass(frozen=True)
class NarrativeConfig:
    """Limits and thresholds of the narrative checks."""

    #: the form's limits, in characters without spaces
    project_limit: int = 300
    practice_limit: int = 1500
    #: a narrative with fewer counted characters than this is near-empty
    near_empty_chars: int = 20
    #: a percentage increase at or above this is implausible
    max_increase_percent: float = 1000.0


@dataclass(frozen=True)
class Config:
    limits: Limits = Limits()
    rules: RuleConfig = RuleConfig()
    narrative: NarrativeConfig = NarrativeConfig()
    embeddings: EmbeddingConfig = EmbeddingConfig()


DEFAULT_CONFIG = Config()
