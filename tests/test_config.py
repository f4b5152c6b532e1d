"""The one config (nlp/config.py) and the one constants module (nlp/constants.py)."""
from __future__ import annotations

import json
import re
import typing
from dataclasses import fields, replace
from pathlib import Path

import pytest

from nlp.config import (CALIBRATION, DEFAULT_CONFIG, RANGES, Config, ConfigError, DuplicateConfig, calibrated_duplicates,
                        config_from_dict, dump_config, load_config, sections, write_config)

ROOT = Path(__file__).resolve().parents[1]


def test_the_defaults_round_trip_through_a_file(tmp_path):
    path = tmp_path / "jigai.toml"
    write_config(DEFAULT_CONFIG, path)
    assert load_config(path) == DEFAULT_CONFIG
    # read over the bare defaults too: the file alone says every value
    assert load_config(path, base=Config()) == DEFAULT_CONFIG


def test_a_changed_config_round_trips_through_a_file(tmp_path):
    config = replace(DEFAULT_CONFIG,
                     limits=replace(DEFAULT_CONFIG.limits, max_pdf_pages=17, zip_max_ratio=12.5),
                     rules=replace(DEFAULT_CONFIG.rules, earliest_completion=(2022, 7)),
                     duplicates=replace(DEFAULT_CONFIG.duplicates, template=0.333),
                     highlights=replace(DEFAULT_CONFIG.highlights, picks=2),
                     uploads=replace(DEFAULT_CONFIG.uploads, max_entries=9),
                     embeddings=replace(DEFAULT_CONFIG.embeddings, backend="tfidf", model_dir="/模型/目录 \"x\"",
                                        num_threads=3))
    path = tmp_path / "changed.toml"
    write_config(config, path)
    back = load_config(path)
    assert back == config and back != DEFAULT_CONFIG
    assert back.rules.earliest_completion == (2022, 7)  # a tuple again, not a list


def test_a_file_with_some_keys_keeps_the_other_defaults(tmp_path):
    path = tmp_path / "part.toml"
    path.write_text("[limits]\nmax_pdf_pages = 10\n\n[duplicates]\ntemplate = 0\n", encoding="utf-8")
    config = load_config(path)
    assert config.limits.max_pdf_pages == 10
    assert config.duplicates.template == 0.0 and isinstance(config.duplicates.template, float)  # an int for a float
    assert config.duplicates.light_edit == DEFAULT_CONFIG.duplicates.light_edit  # still the calibrated value
    assert replace(config, limits=DEFAULT_CONFIG.limits, duplicates=DEFAULT_CONFIG.duplicates) == DEFAULT_CONFIG


def _numeric_keys():
    for name, cls in sections().items():
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            hint = hints[f.name]
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            if hint in (int, float) or (typing.get_origin(hint) is not tuple and args and args[0] in (int, float)):
                yield name, f.name


def test_every_number_has_an_allowed_range_and_every_range_a_key():
    numeric = {f"{s}.{k}" for s, k in _numeric_keys()}
    assert numeric - set(RANGES) == set(), "a number without an allowed range in nlp.config.RANGES"
    assert set(RANGES) - numeric == set(), "a range for a key that does not exist"


@pytest.mark.parametrize("section", sorted({s for s, _ in _numeric_keys()}))  # round: names only (test_stages)
def test_each_section_names_the_key_the_value_and_the_range(section):
    key = next(k for s, k in _numeric_keys() if s == section)
    low, high = RANGES[f"{section}.{key}"]
    bad = (high + 1) if high is not None else low - 1
    with pytest.raises(ConfigError) as e:
        config_from_dict({section: {key: bad}}, source="x.toml")
    text = str(e.value)
    assert "x.toml" in text and f"{section}.{key} = {bad!r}" in text
    assert (f"应在 {low} 到 {high} 之间" if high is not None else f"应不小于 {low}") in text
    assert e.value.problems == [text.splitlines()[1].strip()]


def test_the_example_of_the_issue():
    with pytest.raises(ConfigError, match=r"duplicates\.template = 1\.4：应在 0 到 1 之间"):
        config_from_dict({"duplicates": {"template": 1.4}})


def test_wrong_types_are_named():
    with pytest.raises(ConfigError) as e:
        config_from_dict({"limits": {"max_pdf_pages": "200", "header_scan_rows": True},
                          "rules": {"earliest_completion": [2021]}, "embeddings": {"backend": 3}})
    problems = e.value.problems
    assert 'limits.max_pdf_pages = "200"：应为整数' in problems
    assert "limits.header_scan_rows = True：应为整数" in problems  # a bool is not a number
    assert any(p.startswith("rules.earliest_completion = [2021]：应为 2 个整数的数组") for p in problems)
    assert "embeddings.backend = 3：应为文字" in problems


def test_cross_key_and_section_checks():
    with pytest.raises(ConfigError, match="benchmark_min 不能大于"):
        config_from_dict({"rules": {"benchmark_min": 3, "benchmark_max": 2}})
    with pytest.raises(ConfigError, match="月在 1 到 12 之间"):
        config_from_dict({"rules": {"earliest_completion": [2021, 13]}})
    with pytest.raises(ConfigError, match=r"\[embeddings\] unknown embedding backend 'gpt'"):
        config_from_dict({"embeddings": {"backend": "gpt"}})


def test_unknown_keys_and_sections_are_refused_by_name(tmp_path):
    with pytest.raises(ConfigError) as e:
        config_from_dict({"duplicates": {"template_threshold": 0.3}, "duplicate": {}, "limits": 5})
    problems = e.value.problems
    assert any(p.startswith("未知的配置项 duplicates.template_threshold") and "template_skeleton" in p for p in problems)
    assert any(p.startswith("未知的配置节 [duplicate]") for p in problems)
    assert any(p.startswith("[limits] 应为一个节") for p in problems)
    bad = tmp_path / "bad.toml"
    bad.write_text("[limits\nmax_pdf_pages = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="文件不存在"):
        load_config(tmp_path / "missing.toml")


def test_the_calibrated_duplicate_thresholds_are_what_models_says():
    thresholds = json.loads(CALIBRATION.read_text(encoding="utf-8"))["thresholds"]
    assert thresholds, "models/duplicates.json has no thresholds"
    for key, value in thresholds.items():
        assert getattr(DEFAULT_CONFIG.duplicates, key) == value, key
    # the calibration changes something (else this test would prove nothing) and nothing else
    changed = {f.name for f in fields(DuplicateConfig)
               if getattr(DEFAULT_CONFIG.duplicates, f.name) != getattr(DuplicateConfig(), f.name)}
    assert changed and changed <= set(thresholds)
    from app.archive import Archive
    from nlp.duplicates import calibrated_config
    from nlp.pipeline import round_duplicates

    assert calibrated_config() == DEFAULT_CONFIG.duplicates
    assert round_duplicates.__defaults__[-1] == DEFAULT_CONFIG.duplicates
    assert Archive.__init__.__defaults__[-1] is None  # None: DEFAULT_CONFIG.duplicates


def test_a_bad_calibration_file_is_named(tmp_path):
    path = tmp_path / "duplicates.json"
    path.write_text(json.dumps({"thresholds": {"template": 2, "light_edit": 0.5}}), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        calibrated_duplicates(path)
    assert str(path) in str(e.value) and "duplicates.template = 2：应在 0 到 1 之间" in e.value.problems
    path.write_text(json.dumps({"thresholds": {"light_edit": 0.5}}), encoding="utf-8")
    assert calibrated_duplicates(path) == replace(DuplicateConfig(), light_edit=0.5)
    assert calibrated_duplicates(tmp_path / "none.json") == DuplicateConfig()


def test_the_modules_read_their_numbers_from_the_config():
    import app.archive as archive
    import app.web.uploads as uploads
    import nlp.directions as directions
    import nlp.evidence as evidence
    from nlp.highlights import pick_highlights

    assert uploads.MAX_UPLOAD_ENTRIES == DEFAULT_CONFIG.uploads.max_entries
    assert uploads.MAX_UPLOAD_TOTAL_BYTES == DEFAULT_CONFIG.uploads.max_total_bytes
    assert uploads.DEFAULT_MAX_FILE_SIZE == DEFAULT_CONFIG.uploads.max_file_size
    assert uploads.ANALYSIS_TIMEOUT_S == DEFAULT_CONFIG.uploads.analysis_timeout_s
    assert archive.HOT_BAND_DOCS == DEFAULT_CONFIG.archive.hot_band_docs
    assert directions.UNDECLARED_MIN_SCORE == DEFAULT_CONFIG.directions.undeclared_min_score
    assert evidence.MAX_PAIR_GAP == DEFAULT_CONFIG.evidence.max_pair_gap
    assert pick_highlights.__defaults__[-1] == DEFAULT_CONFIG.highlights


def test_jigai_config_show_and_check(tmp_path, capsys):
    from app.cli import main

    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    path = tmp_path / "shown.toml"
    path.write_text(shown, encoding="utf-8")
    assert load_config(path) == DEFAULT_CONFIG and shown == dump_config(DEFAULT_CONFIG)
    assert main(["config", "check", str(path)]) == 0
    assert "有效" in capsys.readouterr().out
    path.write_text("[highlights]\nmmr_lambda = -0.5\npick = 3\n", encoding="utf-8")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "highlights.mmr_lambda = -0.5：应在 0 到 1 之间" in err and "未知的配置项 highlights.pick" in err
    assert main(["config", "show", str(path)]) == 2


# --- one constants module -------------------------------------------------------------------------------------

def test_one_severity_order():
    from app.store.rows import worst_of
    from nlp.constants import SEVERITIES, SEVERITY_POSITION, SEVERITY_RANK, SEVERITY_ZH
    from nlp.findings import Finding, worst_severity

    assert sorted(SEVERITIES, key=lambda s: -SEVERITY_RANK[s]) == list(SEVERITIES)
    assert sorted(SEVERITIES, key=lambda s: SEVERITY_POSITION[s]) == list(SEVERITIES)
    assert SEVERITY_RANK[None] < min(SEVERITY_RANK[s] for s in SEVERITIES)
    assert SEVERITY_POSITION[""] > max(SEVERITY_POSITION[s] for s in SEVERITIES)
    assert set(SEVERITY_ZH) == set(SEVERITIES)
    # the engine and the store agree on the worst of the same findings
    for sevs in (["info", "warning"], ["error", "info"], ["info"], []):
        engine = worst_severity([Finding("CELL_ERROR", "x", severity=s) for s in sevs])
        assert worst_of([{"severity": s} for s in sevs]) == (engine or "")


def test_the_constants_are_read_only_and_consistent():
    from nlp.constants import (ALL_NARRATIVE_FIELDS, CODES, DUPLICATE_KIND_SHORT, DUPLICATE_KIND_ZH, DUPLICATE_KINDS,
                               HIGHLIGHT_FIELDS, NARRATIVE_FIELDS, RECORD_KIND_ZH, RECORD_KINDS)
    from nlp.findings import CODES as REGISTRY

    with pytest.raises(TypeError):
        NARRATIVE_FIELDS["enterprise"] = ("x",)  # type: ignore[index]
    with pytest.raises(TypeError):
        CODES["NEW"] = None  # type: ignore[index]
    assert dict(CODES) == REGISTRY
    assert set(RECORD_KIND_ZH) == set(RECORD_KINDS) and set(NARRATIVE_FIELDS) < set(RECORD_KINDS)
    assert set(DUPLICATE_KIND_ZH) == set(DUPLICATE_KINDS) == set(DUPLICATE_KIND_SHORT)
    assert set(HIGHLIGHT_FIELDS) <= set(ALL_NARRATIVE_FIELDS)
    assert DUPLICATE_KIND_SHORT["light_edit"] == "轻度改写"


#: definitions that belong in nlp/constants.py only: (what, pattern)
SECOND_DEFINITIONS = (
    ("DIRECTIONS", r"^\s*DIRECTIONS\s*(?::[^=]*)?=(?!=)"),
    ("the three directions written out", r"\(\s*\"智能化\",\s*\"数字化\",\s*\"绿色化\"\s*\)"),
    ("SEVERITIES / SEVERITY_RANK / SEVERITY_ZH", r"^\s*SEVERIT(?:IES|Y_RANK|Y_ZH|Y_ORDER)\s*(?::[^=]*)?=(?!=)"),
    ("a severity map written out", r"\{\s*\"error\"\s*:\s*(?:\d|\"错误\")"),
    ("a KIND_ZH", r"^\s*\w*KIND_ZH\s*(?::[^=]*)?=(?!=)"),
    ("a record-kind label", r"\"重点项目（附件1）\""),
    ("a duplicate-kind label", r"\"(?:轻度改写|套用同一模板|同一事实换种说法)"),
    ("the narrative fields", r"^\s*(?:NARRATIVE_FIELDS|HIGHLIGHT_FIELDS|PROJECT_NARRATIVES)\s*(?::[^=]*)?=\s*[(\[{]"),
    ("a project's narratives written out", r"\(\s*\"项目建设内容\",\s*\"技术改造实施效果\"\s*\)"),
)


def second_definitions(root: Path = ROOT) -> list[str]:
    """file:line: what, for every definition of a shared constant outside nlp/constants.py."""
    out = []
    for folder in ("nlp", "app", "models"):
        for path in sorted((root / folder).rglob("*.py")):
            if path == root / "nlp" / "constants.py":
                continue
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for what, pattern in SECOND_DEFINITIONS:
                    if re.search(pattern, line):
                        out.append(f"{path.relative_to(root)}:{i}: {what}")
    return out


def test_no_second_definition_of_the_constants():
    assert second_definitions() == []


def test_the_second_definition_check_can_fail(tmp_path):
    (tmp_path / "nlp").mkdir()
    (tmp_path / "app" / "web").mkdir(parents=True)
    (tmp_path / "models").mkdir()
    (tmp_path / "nlp" / "constants.py").write_text('DIRECTIONS = ("智能化", "数字化", "绿色化")\n', encoding="utf-8")
    (tmp_path / "app" / "web" / "x.py").write_text(
        'DIRECTIONS = ("a",)\nSEVERITY_RANK = {"error": 0}\nKIND_ZH = {}\nNARRATIVE_FIELDS = ("text",)\n'
        'if DIRECTIONS == 1:\n    pass\n', encoding="utf-8")
    found = second_definitions(tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == ["DIRECTIONS", "SEVERITIES / SEVERITY_RANK / SEVERITY_ZH",
                                                     "a severity map written out", "a KIND_ZH", "the narrative fields"]


ENGINE_INTERNALS = re.compile(r"from nlp\.(?:findings|codelists|directions|pipeline) import .*\b(?:CODES|codelists|"
                              r"KIND_ZH|DIRECTIONS|SEVERIT\w+|HIGHLIGHT_FIELDS)\b")


def test_the_store_and_the_web_read_shared_names_from_nlp_constants():
    found = [f"{p.relative_to(ROOT)}:{i}" for folder in ("app/store", "app/web") for p in sorted((ROOT / folder).glob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ENGINE_INTERNALS.search(line)]
    assert found == []


def test_jigai_check_reads_a_config_file(tmp_path, capsys):
    from app.cli import main

    text = tmp_path / "广州市-附件3-典型做法.txt"
    text.write_text("广州市某某有限公司典型做法\n公司通过技术改造建设智能化生产线，生产效率提升20%，能耗下降15%。\n",
                    encoding="utf-8")
    config = tmp_path / "jigai.toml"
    config.write_text("[narrative]\npractice_limit = 10\n", encoding="utf-8")

    def codes(*extra: str) -> list[str]:
        out = tmp_path / "out.json"
        assert main(["check", str(text), "--json", str(out), "-q", "--no-archive", "--round", "2025", *extra]) == 0
        return [f["code"] for r in json.loads(out.read_text(encoding="utf-8"))["records"] for f in r["findings"]]

    assert "LEN_OVER_LIMIT" not in codes()
    assert "LEN_OVER_LIMIT" in codes("--config", str(config))  # the file's limit, not the form's 1,500
    config.write_text("[narrative]\npractice_limit = 0\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(text), "-q", "--no-archive", "--config", str(config)]) == 2
    assert "narrative.practice_limit = 0：应不小于 1" in capsys.readouterr().err
