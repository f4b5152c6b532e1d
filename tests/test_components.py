"""The generic component check (like scikit-learn's check_estimator): every registered ``jigai_*`` factory,
plus each component's own "given this text, these spans" tests and the worked example of docs/components.md."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from nlp.components import PIPELINE_CFG, load_pipeline
from nlp.config import ConfigError, DEFAULT_CONFIG
from nlp.doc import LAYERS, SEGMENT_LAYERS, layers_json, make_doc

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "components.md"
HOSTILE = {"empty": "", "whitespace": " \n\t\u3000 \n", "long": "改造后生产效率提升30%，能耗下降。\n" * 1200,
           "emoji": "智能化改造😀👍🏭后，良品率由92%提升至98.5%🎉", "mixed": "數字化車間建成後，產能提升20%，数字化管理",
           "fullwidth": "改造後產能由１２０萬件提升至１８０萬件，聯繫電話１３８００１３８０００"}


def _example() -> str:
    return re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)


def _factories() -> list[str]:
    exec(compile(_example(), str(DOCS), "exec"), {})  # registers jigai_abbreviations
    return sorted(n for n in spacy.registry.factories.get_all() if n.startswith("jigai_"))


def _pipeline_with(name: str) -> Language:
    nlp = spacy.util.load_model_from_config(spacy.util.load_config(PIPELINE_CFG), auto_fill=True)
    if name not in nlp.pipe_names:
        nlp.add_pipe(name)
    return nlp


def _hostile_report() -> dict:
    """Per factory and hostile text: spans inside the text, layers it wrote, the same twice (run in a child)."""
    out = {}
    for name in _factories():
        nlp = _pipeline_with(name)
        for key, text in HOSTILE.items():
            runs = []
            for kind, field, group in (("project", "技术改造实施效果", "effect"), ("practice", "text", None)):
                results = []
                for _ in range(2):
                    doc = make_doc(text, field, kind, group, cap=DEFAULT_CONFIG.limits.max_analysed_chars)
                    for pipe_name, pipe in nlp.pipeline:
                        before = set(doc.spans.keys())
                        doc = pipe(doc)
                        if pipe_name == name:
                            wrote = sorted(set(doc.spans.keys()) - before)
                            own_layers = list(getattr(pipe, "layers", ()))
                            own = [[s.start, s.end] for layer in own_layers if layer in doc.spans
                                   for s in doc.spans[layer]]
                    results.append({"wrote": wrote, "layers": own_layers,
                                    "inside": all(0 <= a <= b <= len(text) for a, b in own),
                                    "spans": own, "json": layers_json(doc),
                                    "findings": [[f.code, f.start, f.end] for f in (doc._.findings or {}).get(name, [])]})
                runs.append({"same": results[0] == results[1], **results[0]})
            out[f"{name}/{key}"] = runs
    return out


@pytest.fixture(scope="module")
def hostile() -> dict:
    # a generous guard: the hostile texts through every component must end, not hang
    got = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert got.returncode == 0, got.stderr[-2000:]
    return json.loads(got.stdout.strip().splitlines()[-1])


def test_every_factory_is_registered_by_name_and_in_the_pipeline_or_the_example():
    names = _factories()
    pipeline = load_pipeline().pipe_names
    assert set(pipeline) <= set(names)
    assert "jigai_abbreviations" in names and "jigai_abbreviations" not in pipeline
    for name in names:
        assert Language.has_factory(name)


@pytest.mark.parametrize("name", _factories())
def test_config_round_trips_through_the_config_file(name, tmp_path):
    nlp = _pipeline_with(name)
    path = tmp_path / "pipeline.cfg"
    nlp.config.to_disk(path)
    again = spacy.util.load_model_from_config(spacy.util.load_config(path), auto_fill=True)
    assert again.pipe_names == nlp.pipe_names
    assert dict(again.config["components"][name]) == dict(nlp.config["components"][name])


def test_hostile_texts_neither_crash_nor_hang_and_spans_stay_inside_on_their_own_layers(hostile):
    assert len(hostile) == len(_factories()) * len(HOSTILE)
    for key, runs in hostile.items():
        for run in runs:
            assert run["same"], key
            assert run["inside"], key
            assert set(run["wrote"]) <= set(run["layers"]), key
            assert set(run["json"]) <= set(LAYERS), key
            assert not set(run["layers"]) & set(SEGMENT_LAYERS) or key.startswith("jigai_segments"), key


def test_a_bad_value_is_refused_naming_key_value_and_range():
    with pytest.raises(ConfigError) as e:
        load_pipeline().__class__  # the pipeline itself loads
        spacy.util.load_model_from_config(spacy.util.load_config(
            PIPELINE_CFG, overrides={"components.jigai_length.project_limit": -3}), auto_fill=True)
    assert "narrative.project_limit = -3" in str(e.value)


def test_thresholds_come_from_the_run_config():
    from dataclasses import replace
    config = replace(DEFAULT_CONFIG, narrative=replace(DEFAULT_CONFIG.narrative, project_limit=10))
    assert load_pipeline(config).get_pipe("jigai_length").limits["project"] == 10
    assert load_pipeline().get_pipe("jigai_length").limits["project"] == DEFAULT_CONFIG.narrative.project_limit


def _run(text: str, kind: str = "project", field: str = "技术改造实施效果", group: str | None = "effect"):
    return load_pipeline()(make_doc(text, field, kind, group, cap=DEFAULT_CONFIG.limits.max_analysed_chars))


def test_segments_are_the_folds_sentences_and_clauses_in_original_offsets():
    doc = _run("改造后，效率提升。能耗下降；\n新产线投产！")
    assert [s.text for s in doc.spans["sentences"]] == ["改造后，效率提升", "能耗下降", "新产线投产"]
    assert [s.text for s in doc.spans["clauses"]] == ["改造后", "效率提升", "能耗下降", "新产线投产"]


def test_evidence_aspects_overflow_sensitive_and_directions_spans():
    text = "通过建设数字化车间，生产效率由60%提升至85%，联系电话13800138000。" + "字" * 300
    doc = _run(text)
    layers = layers_json(doc)
    claim = layers["evidence"][0]
    assert text[claim["start"]:claim["end"]] == claim["text"] and claim["before"] == 60 and claim["after"] == 85
    assert any(a["label"] == "生产效率" and a["quantified"] for a in layers["aspects"])
    assert layers["overflow"][0]["label"] == "wps" and layers["overflow"][0]["end"] == len(text)
    assert [s["text"] for s in layers["sensitive"]] == ["13800138000"]
    assert any(s["text"] == "数字化车间" and s["label"] == "counts" for s in layers["direction:数字化"])
    codes = [f.code for f in doc._.findings["jigai_length"]]
    assert codes == ["LEN_OVER_LIMIT"]


def test_sections_and_highlights_of_a_practice():
    text = ("一、企业简介\n某公司成立于2005年，主营汽车零部件。\n二、技术改造情况\n2022年投入3000万元建设智能产线，"
            "生产效率提升35%。\n三、经验做法\n（一）坚持数据驱动，建立设备联网平台，实现生产全过程追溯，不良率下降40%。")
    doc = _run(text, "practice", "text", None)
    assert [s.label_ for s in doc.spans["sections"]] == ["企业简介", "技术改造情况", "经验做法"]
    assert doc.spans["highlights"] and all(doc.text[s.start:s.end] == s.text for s in doc.spans["highlights"])
    assert "SECTION_MISSING" not in [f.code for f in doc._.findings.get("jigai_sections", [])]


def test_highlight_candidates_are_the_shared_sentences_with_their_end_mark():
    from nlp.highlights import candidates
    text = "建立设备联网平台，实现\n生产全过程追溯。不良率下降40%；"
    assert [c.text for c in candidates(text)] == ["建立设备联网平台，实现\n生产全过程追溯。", "不良率下降40%"]


def test_the_worked_example_marks_an_unexplained_abbreviation_only():
    _factories()
    nlp = _pipeline_with("jigai_abbreviations")
    doc = nlp(make_doc("引入MES（制造执行系统）与ERP，APC投用后，ERP数据贯通"))
    assert [(s.text, s._.data["abbreviation"]) for s in doc.spans["abbreviations"]] == [("ERP", "ERP"), ("APC", "APC")]
    assert len(_example().strip().splitlines()) < 40  # the example stays small (under 30 lines of logic)


if __name__ == "__main__":
    print(json.dumps(_hostile_report(), ensure_ascii=False))
