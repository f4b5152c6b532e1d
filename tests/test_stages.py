"""The generic check for round stages (nlp/stages), like scikit-learn's check_estimator: every registered stage
is registered by name, its config section round-trips through a file, it returns a StageResult without changing
what it was given (deep-compared before and after), the same result twice, and it survives an empty round and
a round of hostile texts. Plus the worked example of docs/architecture.md and the round's order from config."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from nlp.checks import round_context
from nlp.checks.batch import link_practices
from nlp.config import DEFAULT_CONFIG, ROUND_STAGES, ConfigError, config_from_dict, load_config, write_config
from nlp.findings import CODES
from nlp.ingest import ingest
from nlp.stages import STAGES, RoundInput, StageResult, build_stages, make_stage, run_stage

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "architecture.md"
CITY = ROOT / "corpora" / "sample" / "佛山市"


def _example() -> str:
    return re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)


exec(compile(_example(), str(DOCS), "exec"), {})  # registers city_investment, so the generic check runs it too
NAMES = list(STAGES)


def plain(x, depth: int = 0):
    """A comparable, JSON-able picture of ``x`` (dataclasses and containers recursively; a spaCy Doc as its text
    and layers; arrays by digest; other objects, models and embedders, by type)."""
    from spacy.tokens import Doc

    from nlp.doc import layers_json

    if depth > 40:
        raise RecursionError("too deep")
    if isinstance(x, (str, int, float, bool, type(None))):
        return x
    if isinstance(x, Doc):
        return ["Doc", x.text, layers_json(x)]
    if isinstance(x, np.ndarray):
        return ["ndarray", x.shape, hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest()]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        if type(x).__name__ == "DirectionModel":
            return "DirectionModel"
        return [type(x).__name__, {f.name: plain(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x)}]
    if isinstance(x, (dict, MappingProxyType)):
        return [[plain(k, depth + 1), plain(v, depth + 1)] for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return [plain(v, depth + 1) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted(json.dumps(plain(v, depth + 1), ensure_ascii=False, default=str) for v in x)
    return type(x).__name__


def canon(x) -> str:
    return json.dumps(plain(x), ensure_ascii=False, default=str)


def chain(records, label: str = "2025", archive=None) -> list[tuple[str, RoundInput, StageResult]]:
    """Every registered stage in registration order (the built-in order first), each given the earlier results."""
    ctx = round_context(int(label), DEFAULT_CONFIG)
    results: dict[str, StageResult] = {}
    out = []
    for name in NAMES:
        r = RoundInput(label, tuple(records), ctx, DEFAULT_CONFIG, MappingProxyType(dict(results)), archive)
        results[name] = run_stage(name, make_stage(name, DEFAULT_CONFIG), r)
        out.append((name, r, results[name]))
    return out


@pytest.fixture(scope="module")
def city_round(tmp_path_factory):
    """佛山市 of the sample round, compared with an archive holding its own narratives as the 2023 round."""
    from app.archive import Archive
    from nlp.stages.archive import docs_of

    records = ingest([CITY], DEFAULT_CONFIG).records
    link_practices(records)
    archive = Archive(tmp_path_factory.mktemp("archive") / "a.sqlite")
    for kind in ("project", "practice"):
        archive.add([(kind, d) for d in docs_of(records, kind)[1]], "2023")
    yield chain(records, archive=archive)
    archive.close()


def test_the_built_in_stages_are_registered_in_the_rounds_order():
    assert list(ROUND_STAGES) == NAMES[:len(ROUND_STAGES)]
    assert [name for name, _ in build_stages(DEFAULT_CONFIG)] == list(DEFAULT_CONFIG.round.stages)


@pytest.mark.parametrize("name", NAMES)
def test_registered_by_name_with_a_config_section(name):
    spec = STAGES[name]
    assert spec.name == name and spec.doc, "a stage says what it does (its factory's docstring)"
    assert spec.section is None or hasattr(DEFAULT_CONFIG, spec.section)
    assert callable(make_stage(name, DEFAULT_CONFIG))


@pytest.mark.parametrize("name", NAMES)
def test_its_config_section_round_trips_through_a_file(name, tmp_path):
    section = STAGES[name].section
    path = tmp_path / "jigai.toml"
    config = config_from_dict({"round": {"stages": [name]}})
    write_config(config, path)
    loaded = load_config(path)
    assert loaded.round.stages == (name,) and [n for n, _ in build_stages(loaded)] == [name]
    if section is not None:
        assert getattr(loaded, section) == getattr(DEFAULT_CONFIG, section)


def test_an_unknown_or_repeated_stage_is_refused_by_name():
    with pytest.raises(ConfigError) as e:
        config_from_dict({"round": {"stages": ["row_rules", "spellcheck", "row_rules"]}}, source="x.toml")
    assert "spellcheck" in str(e.value) and "row_rules" in str(e.value) and "x.toml" in str(e.value)
    with pytest.raises(ConfigError):
        config_from_dict({"round": {"stages": "row_rules"}})


def test_the_rounds_order_comes_from_config():
    from nlp.pipeline import analyse

    only = config_from_dict({"round": {"stages": ["row_rules", "city_quotas"]}})
    analysis = analyse([CITY], 2025, only)
    assert list(analysis.stages) == ["row_rules", "city_quotas"]
    assert not analysis.narratives and not analysis.directions and not analysis.duplicates
    assert analysis.checks.cities and any(analysis.checks.by_record.values())


@pytest.mark.parametrize("name", NAMES)
def test_returns_its_findings_without_changing_its_input_and_the_same_twice(name, city_round):
    _, given, result = next(step for step in city_round if step[0] == name)
    before = canon(given)
    fn = make_stage(name, DEFAULT_CONFIG)
    first, second = run_stage(name, fn, given), run_stage(name, fn, given)
    assert canon(given) == before, f"{name} changed what it was given"
    assert canon(first) == canon(second) == canon(result), f"{name} is not deterministic"
    ids = {r.id for r in given.records}
    for f in first.findings:
        assert f.code in CODES and f.message
        assert f.record_id is None or f.record_id in ids
        if f.record_id and f.start is not None:
            record = next(r for r in given.records if r.id == f.record_id)
            assert 0 <= f.start <= f.end <= len(record.text(f.field) if f.field in record.fields else record.text("项目名称"))


def test_the_stages_find_what_the_sample_city_holds(city_round):
    found = {name: result for name, _, result in city_round}
    assert found["row_rules"].findings and found["city_quotas"].data[0].city == "佛山市"
    assert found["narratives"].data and found["directions"].data.results and found["highlights"].data
    # the archive holds the city's own narratives as 2023: every project and 典型做法 is found there
    archived = found["archive"]
    assert archived.data.pairs and all(p["round"] == "2023" for p in archived.data.pairs)
    assert {f.code for f in archived.findings} == {"DUPLICATE_OF"}
    assert all(f.data["round"] == "2023" for f in archived.findings)
    assert archived.data.layers and all(s["round"] == "2023" for fs in archived.data.layers.values()
                                        for spans in fs.values() for s in spans)
    assert found["city_investment"].data.keys() == {"佛山市"} and found["city_investment"].data["佛山市"] > 0


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_round(name):
    steps = chain([])
    _, _, result = next(step for step in steps if step[0] == name)
    assert isinstance(result, StageResult) and result.findings == ()


def test_the_worked_example_reads_its_config_section(city_round):
    _, given, result = next(step for step in city_round if step[0] == "city_investment")
    low = dataclasses.replace(DEFAULT_CONFIG.rules, investment_wan_threshold=0.5)
    fewer = STAGES["city_investment"].factory(low)(given).data
    assert fewer.get("佛山市", 0) < result.data["佛山市"]


HOSTILE_ROUND = r'''
import json, sys
from nlp.findings import Provenance
from nlp.records import FieldValue, PracticeRecord, ProjectRecord
import tests.test_stages as t

texts = {"empty": "", "whitespace": " \n\t\u3000 \n", "long": "改造后生产效率提升30%，能耗下降。\n" * 1200,
         "emoji": "智能化改造😀👍🏭后，良品率由92%提升至98.5%🎉", "mixed": "數字化車間建成後，產能提升20%，数字化管理",
         "fullwidth": "改造後產能由１２０萬件提升至１８０萬件，聯繫電話１３８００１３８０００"}
records = []
for i, (key, text) in enumerate(texts.items()):
    records.append(ProjectRecord(f"p-{key}", Provenance("h.xlsx", "Sheet1", i + 2),
                                 {"项目名称": FieldValue(text), "项目建设内容": FieldValue(text),
                                  "技术改造实施效果": FieldValue(text), "总投资(亿元)": FieldValue(text)}, city="佛山市"))
    records.append(PracticeRecord(f"d-{key}", Provenance(f"{key}.docx"), {"text": FieldValue(text)},
                                  city="佛山市", company_name=text[:20]))
out = {}
for name, given, result in t.chain(records):
    inside = all(f.start is None or 0 <= f.start <= f.end for f in result.findings)
    out[name] = {"findings": len(result.findings), "inside": inside, "again": t.canon(result) == t.canon(
        t.run_stage(name, t.make_stage(name, t.DEFAULT_CONFIG), given))}
print(json.dumps(out))
'''


def test_a_round_of_hostile_texts_neither_crashes_nor_hangs():
    # a generous guard in a child process: proves "does not hang", not a speed
    done = subprocess.run([sys.executable, "-c", HOSTILE_ROUND], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(report) == NAMES
    assert all(r["inside"] and r["again"] for r in report.values()), report
    assert report["narratives"]["findings"] > 0  # the empty and overlong texts are reported, not skipped
