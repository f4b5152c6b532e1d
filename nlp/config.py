"""One config object for every threshold and limit, with documented defaults (docs/config.md).

``Config`` has one section per part of the product: ``limits`` (ingest), ``rules`` (form rules),
``narrative``, ``evidence``, ``directions``, ``duplicates``, ``highlights``, ``archive``, ``uploads`` (the review
app) and ``embeddings``. ``DEFAULT_CONFIG`` is the defaults with the near-duplicate thresholds calibrated by
models/calibrate_duplicates.py (models/duplicates.json, the one source of those numbers) laid over
``DuplicateConfig``'s documented defaults.

A config file is TOML with the same sections and keys: :func:`load_config` lays it over ``DEFAULT_CONFIG``
(a key the file leaves out keeps its default) and validates every value (type and range), answering with
every problem at once, each naming the key, the value and what is allowed; an unknown section or key is
refused by name. :func:`dump_config` writes every key back (``load_config`` of it gives the same object).
Trained artefacts (the direction model's thresholds and blend in models/directions.joblib) are not config.
"""
from __future__ import annotations

import json
import math
import tomllib
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .embeddings.config import EmbeddingConfig

ROOT = Path(__file__).resolve().parents[1]
#: the near-duplicate thresholds written by models/calibrate_duplicates.py (its ``thresholds`` object)
CALIBRATION = ROOT / "models" / "duplicates.json"


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
class EvidenceConfig:
    """Thresholds of the evidence (quantified claims) reader."""

    #: a before figure and an after figure further apart than this (characters) are not one before → after pair
    max_pair_gap: int = 80


@dataclass(frozen=True)
class DirectionConfig:
    """Thresholds of the direction checks that are config, not trained (the model's own thresholds and blend
    are chosen by cross-validation and ship in models/directions.joblib)."""

    #: the blended score at or above which a direction marked 否 is "clearly supported" (DIRECTION_UNDECLARED)
    undeclared_min_score: float = 0.75
    #: without a model: tag a direction when its lexicon score reaches this
    lexicon_only_threshold: float = 0.6


@dataclass(frozen=True)
class DuplicateConfig:
    """Thresholds of the near-duplicate layers (see docs/duplicates.md for how they were calibrated).

    These are the documented, uncalibrated defaults; ``DEFAULT_CONFIG.duplicates`` lays the calibrated values
    of models/duplicates.json over them (:func:`calibrated_duplicates`)."""

    shingle: int = 4
    num_perm: int = 128
    #: LSH threshold: candidate pairs whose estimated Jaccard (common shingles removed) reaches this
    lsh_threshold: float = 0.2
    #: a shingle found in at least this share of the collection's records, and in ``common_min_docs`` or more,
    #: is common (stock phrases); a text recycled fewer times than that keeps its shingles
    common_share: float = 0.02
    common_min_docs: int = 10
    #: light_edit: Jaccard of the figure-masked shingles, or containment
    light_edit: float = 0.6
    containment: float = 0.8
    #: template: figure-masked Jaccard at least this, with few figures shared, and ...
    template: float = 0.25
    #: ... at least this share of the shorter text in aligned shared passages of ``skeleton_min`` characters
    template_skeleton: float = 0.2
    skeleton_min: int = 6
    #: within a round, pairs with a figure-masked Jaccard below this are not compared further
    candidate_jaccard: float = 0.05
    #: paraphrase: embedding cosine at least this, and this share of figures shared
    paraphrase_cosine: float = 0.95
    paraphrase_figures: float = 0.5
    #: a shared passage shorter than this (characters) is not shown
    min_passage: int = 8
    #: characters of each narrative that are shingled and aligned (``Limits.max_analysed_chars``, the one cap of
    #: every superlinear step); the rest of a longer text is not compared (the narrative checks report TEXT_TOO_LONG)
    max_chars: int = Limits.max_analysed_chars


@dataclass(frozen=True)
class HighlightConfig:
    """Weights of the publicity excerpts' score and selection."""

    #: excerpts picked per record
    picks: int = 5
    #: MMR trade-off: 1.0 = relevance only, 0.0 = diversity only
    mmr_lambda: float = 0.7
    #: an excerpt has at least / at most this many characters
    min_chars: int = 18
    max_chars: int = 180


@dataclass(frozen=True)
class ArchiveConfig:
    """The archive of earlier rounds (app/archive.py)."""

    #: a band key shared by more archived records than this (or than one in ``hot_band_one_in`` of them, if
    #: more) is a stock-phrase collision, skipped when proposing candidates; a text recycled fewer times keeps
    #: its keys
    hot_band_docs: int = 100
    hot_band_one_in: int = 1_000
    #: archived records read (evenly spaced) when counting the archive's frequent shingles
    common_sample_docs: int = 5_000


@dataclass(frozen=True)
class UploadConfig:
    """Caps of the review app's uploads (app/web/uploads.py) and its analysis budget."""

    #: bytes one uploaded file may have (``jigai serve --max-file-size`` overrides it)
    max_file_size: int = 50 * 1024 * 1024
    #: bytes all files of one upload may expand to, zips included
    max_total_bytes: int = 500 * 1024 * 1024
    #: files one upload may hold, counting those inside zips
    max_entries: int = 2_000
    #: zips inside zips: deeper nesting is refused
    max_zip_depth: int = 3
    #: bytes a .txt/.md 附件3 may have (a 1,500-字 典型做法 is some 5 KB)
    max_text_file_bytes: int = 256 * 1024
    #: seconds the analysis of one upload may take before its worker process is stopped
    analysis_timeout_s: int = 900


#: the round's stages after ingest, in order (nlp/stages: each registered by name)
ROUND_STAGES = ("row_rules", "city_quotas", "narratives", "directions", "highlights", "duplicates", "archive")


@dataclass(frozen=True)
class RoundConfig:
    """The round's stages (nlp/stages, docs/architecture.md): the registered names ``analyse`` runs, in order;
    a stage reads what the ones before it returned (highlights: narratives and directions; duplicates and
    archive: the directions' embedder)."""

    stages: tuple[str, ...] = ROUND_STAGES


@dataclass(frozen=True)
class Config:
    limits: Limits = Limits()
    rules: RuleConfig = RuleConfig()
    narrative: NarrativeConfig = NarrativeConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    directions: DirectionConfig = DirectionConfig()
    duplicates: DuplicateConfig = DuplicateConfig()
    highlights: HighlightConfig = HighlightConfig()
    archive: ArchiveConfig = ArchiveConfig()
    uploads: UploadConfig = UploadConfig()
    embeddings: EmbeddingConfig = EmbeddingConfig()
    round: RoundConfig = RoundConfig()


class ConfigError(ValueError):
    """A config file (or calibration file) that cannot be used; ``problems`` lists every one, each naming the
    key, the value and what is allowed."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"配置文件 {source} 有 {len(problems)} 处错误：\n" + "\n".join(f"  {p}" for p in problems))


_INF = None
#: allowed range of every number, inclusive: ``section.key`` → (lowest, highest); None = unbounded.
#: Every int/float key has an entry (a test keeps it so).
RANGES: dict[str, tuple[float | None, float | None]] = {
    "limits.zip_max_entries": (1, _INF), "limits.zip_max_total_bytes": (1, _INF), "limits.zip_max_ratio": (1, _INF),
    "limits.zip_ratio_min_bytes": (0, _INF), "limits.convert_timeout_s": (1, _INF),
    "limits.header_scan_rows": (1, 1_000), "limits.max_analysed_chars": (1_500, _INF),
    "limits.max_document_chars": (1_500, _INF), "limits.max_pdf_pages": (1, _INF),
    "limits.max_cell_chars": (1_500, _INF),
    "rules.investment_wan_threshold": (0, _INF), "rules.investment_yuan_threshold": (0, _INF),
    "rules.benchmark_min": (0, _INF), "rules.benchmark_max": (0, _INF),
    "narrative.project_limit": (1, _INF), "narrative.practice_limit": (1, _INF),
    "narrative.near_empty_chars": (0, _INF), "narrative.max_increase_percent": (0, _INF),
    "evidence.max_pair_gap": (0, _INF),
    "directions.undeclared_min_score": (0, 1), "directions.lexicon_only_threshold": (0, 1),
    "duplicates.shingle": (1, 16), "duplicates.num_perm": (16, 1_024), "duplicates.lsh_threshold": (0, 1),
    "duplicates.common_share": (0, 1), "duplicates.common_min_docs": (1, _INF), "duplicates.light_edit": (0, 1),
    "duplicates.containment": (0, 1), "duplicates.template": (0, 1), "duplicates.template_skeleton": (0, 1),
    "duplicates.skeleton_min": (1, _INF), "duplicates.candidate_jaccard": (0, 1),
    "duplicates.paraphrase_cosine": (0, 1), "duplicates.paraphrase_figures": (0, 1),
    "duplicates.min_passage": (1, _INF), "duplicates.max_chars": (1, _INF),
    "highlights.picks": (0, 100), "highlights.mmr_lambda": (0, 1), "highlights.min_chars": (1, _INF),
    "highlights.max_chars": (1, _INF),
    "archive.hot_band_docs": (1, _INF), "archive.hot_band_one_in": (1, _INF), "archive.common_sample_docs": (1, _INF),
    "uploads.max_file_size": (1, _INF), "uploads.max_total_bytes": (1, _INF), "uploads.max_entries": (1, _INF),
    "uploads.max_zip_depth": (0, 16), "uploads.max_text_file_bytes": (1, _INF),
    "uploads.analysis_timeout_s": (1, _INF),
    "embeddings.batch_size": (1, _INF), "embeddings.tfidf_dim": (1, _INF), "embeddings.num_threads": (1, _INF),
}
#: checks across keys of one section: (section, test, message)
_CROSS = (
    ("rules", lambda s: s.benchmark_min <= s.benchmark_max, "rules.benchmark_min 不能大于 rules.benchmark_max"),
    ("rules", lambda s: 1 <= s.earliest_completion[1] <= 12,
     "rules.earliest_completion 应为 [年, 月]，月在 1 到 12 之间"),
    ("highlights", lambda s: s.min_chars <= s.max_chars, "highlights.min_chars 不能大于 highlights.max_chars"),
    ("round", lambda s: _unknown_stages(s.stages) == [],
     lambda s: f"round.stages 中的 {'、'.join(_unknown_stages(s.stages))} 不是已注册的环节或重复列出"
               f"（已注册：{'、'.join(_registered_stages())}）"),
)


def _unknown_stages(names: tuple[str, ...]) -> list[str]:
    from .stages import STAGES  # the registry imports this module

    return [n for n in names if n not in STAGES] + [n for i, n in enumerate(names) if n in names[:i]]


def _registered_stages() -> list[str]:
    from .stages import STAGES

    return list(STAGES)


_TYPE_ZH = {int: "整数", float: "数", str: "文字", bool: "true 或 false"}


def sections() -> dict[str, type]:
    """Section name → its dataclass, in ``Config``'s order."""
    hints = typing.get_type_hints(Config)
    return {f.name: hints[f.name] for f in fields(Config)}


def _fmt(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _coerce(key: str, hint: Any, value: Any, problems: list[str]) -> Any:
    """``value`` as the type ``hint`` names, or a problem naming ``key`` (returns None then)."""
    args = typing.get_args(hint)
    if type(None) in args:  # X | None: TOML has no null, so a key left out is None
        hint = next(a for a in args if a is not type(None))
        args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args[1:] == (Ellipsis,):  # a list of names
        if not (isinstance(value, (list, tuple)) and all(isinstance(v, args[0]) for v in value)):
            problems.append(f"{key} = {_fmt(value)}：应为文字的数组，如 [\"row_rules\", \"narratives\"]")
            return None
        return tuple(value)
    if typing.get_origin(hint) is tuple:
        ok = isinstance(value, (list, tuple)) and len(value) == len(args) and all(
            isinstance(v, a) and not isinstance(v, bool) for v, a in zip(value, args))
        if not ok:
            problems.append(f"{key} = {_fmt(value)}：应为 {len(args)} 个整数的数组，如 [2021, 1]")
            return None
        return tuple(value)
    given = value  # named in a message as the file wrote it
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, hint) or (hint in (int, float) and isinstance(value, bool)):
        problems.append(f"{key} = {_fmt(value)}：应为{_TYPE_ZH.get(hint, hint.__name__)}")
        return None
    if hint is float and math.isnan(value):
        problems.append(f"{key} = nan：应为一个数")
        return None
    low, high = RANGES.get(key, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            problems.append(f"{key} = {_fmt(given)}：应不小于 {low}")
        else:
            problems.append(f"{key} = {_fmt(given)}：应在 {low} 到 {high} 之间")
        return None
    return value


def _section(name: str, cls: type, base: Any, values: Any, problems: list[str]) -> Any:
    if not isinstance(values, dict):
        problems.append(f"[{name}] 应为一个节（[{name}] 下写 键 = 值），不是 {_fmt(values)}")
        return base
    hints = typing.get_type_hints(cls)
    known = [f.name for f in fields(cls)]
    changes = {}
    for key, value in values.items():
        if key not in hints:
            problems.append(f"未知的配置项 {name}.{key}（[{name}] 的配置项有：{', '.join(known)}）")
            continue
        coerced = _coerce(f"{name}.{key}", hints[key], value, problems)
        if coerced is not None:
            changes[key] = coerced
    try:
        out = replace(base, **changes)
    except ValueError as e:  # a section's own checks (EmbeddingConfig's names of backends, precisions)
        problems.append(f"[{name}] {e}")
        return base
    for section, test, message in _CROSS:
        if section == name and not test(out):
            problems.append(message(out) if callable(message) else message)
    return out


def config_from_dict(data: dict, base: Config | None = None, source: str = "<dict>") -> Config:
    """``data`` (``{section: {key: value}}``) laid over ``base`` (``DEFAULT_CONFIG``), validated; raises
    :class:`ConfigError` listing every problem."""
    base = DEFAULT_CONFIG if base is None else base
    problems: list[str] = []
    known = sections()
    changes = {}
    for name, values in data.items():
        if name not in known:
            problems.append(f"未知的配置节 [{name}]（配置节有：{', '.join(known)}）")
            continue
        changes[name] = _section(name, known[name], getattr(base, name), values, problems)
    if problems:
        raise ConfigError(source, problems)
    return replace(base, **changes)


def load_config(path: str | Path, base: Config | None = None) -> Config:
    """The config in the TOML file ``path``, laid over ``base`` (``DEFAULT_CONFIG``) and validated."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), ["文件不存在"]) from None
    except UnicodeDecodeError as e:
        raise ConfigError(str(path), [f"不是 UTF-8 文本（第 {e.start} 字节）"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), [f"不是有效的 TOML：{e}"]) from None
    return config_from_dict(data, base, str(path))


def config_to_dict(config: Config) -> dict[str, dict[str, Any]]:
    """Every key of every section (None values, which TOML cannot write, left out)."""
    out = {}
    for f in fields(config):
        section = getattr(config, f.name)
        out[f.name] = {k.name: (list(v) if isinstance(v, tuple) else v) for k in fields(section)
                       if (v := getattr(section, k.name)) is not None}
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or math.isfinite(value) else (
            "inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def dump_config(config: Config) -> str:
    """``config`` as TOML text, every section and key (``load_config`` of it gives ``config`` back)."""
    lines = ["# jigai config: every threshold and limit (docs/config.md); `jigai config check FILE` validates it"]
    for name, values in config_to_dict(config).items():
        lines += ["", f"[{name}]"] + [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def write_config(config: Config, path: str | Path) -> None:
    Path(path).write_text(dump_config(config), encoding="utf-8")


def calibrated_duplicates(path: Path = CALIBRATION, base: DuplicateConfig = DuplicateConfig()) -> DuplicateConfig:
    """``base`` with the thresholds models/calibrate_duplicates.py wrote into ``path`` (its ``thresholds``
    object: the one source of the calibrated numbers), validated like a config file; ``base`` without it."""
    if not path.exists():
        return base
    values = json.loads(path.read_text(encoding="utf-8")).get("thresholds", {})
    problems: list[str] = []
    known = {f.name for f in fields(DuplicateConfig)}
    out = _section("duplicates", DuplicateConfig, base, {k: v for k, v in values.items() if k in known}, problems)
    if problems:
        raise ConfigError(str(path), problems)
    return out


#: the defaults, with the calibrated near-duplicate thresholds of models/duplicates.json
DEFAULT_CONFIG = Config(duplicates=calibrated_duplicates())
