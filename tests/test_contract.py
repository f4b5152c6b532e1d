"""The contract (nlp/contract.py, docs/contract.md): schema 2 keeps every schema-1 key with its meaning on the
sample round, and each narrative field's layers (fields_annotated) lie inside the field's text."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from nlp.constants import DIRECTIONS, NARRATIVE_FIELDS, SEVERITIES
from nlp.contract import SCHEMA, to_contract
from nlp.doc import LAYERS
from nlp.findings import CODES

ROOT = Path(__file__).resolve().parents[1]
DUPLICATE_KINDS = {"exact", "light_edit", "template", "paraphrase"}


@pytest.fixture(scope="module")
def contract() -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    from make_sample_contract import load

    return load()


def _inside(text: str, start, end, quoted=None) -> bool:
    return 0 <= start <= end <= len(text) and (quoted is None or text[start:end] == quoted)


def test_the_schema_and_the_top_level_keys(contract):
    assert contract["schema"] == SCHEMA == 2 and contract["round"] == "2025"
    assert {"schema", "round", "records", "duplicates", "cities"} <= set(contract)
    assert {"duplicate_clusters", "file_findings", "files", "failures"} <= set(contract)


def test_every_record_has_the_schema_1_keys_with_their_meaning(contract):
    records = contract["records"]
    assert len({r["id"] for r in records}) == len(records) == 96
    for r in records:
        assert r["kind"] in ("project", "enterprise", "practice")
        assert r["source"]["file"] and isinstance(r["fields"], dict) and "findings" in r
        for f in r["findings"]:
            assert f["code"] in CODES and f["severity"] in SEVERITIES and f["message"]
            if f.get("start") is not None and f.get("field") in r["fields"]:
                assert _inside(r["fields"][f["field"]], f["start"], f["end"])
    narratives = [r for r in records if r["kind"] in NARRATIVE_FIELDS]
    assert narratives and all("directions" in r and "evidence" in r for r in narratives)
    for r in narratives:
        assert set(r["directions"]) == set(DIRECTIONS)
        for d in r["directions"].values():
            assert {"score", "tag", "reasons"} <= set(d) and 0 <= d["score"] <= 1
            assert ("declared" in d) == (r["kind"] == "project")  # what the 是/否 columns say (projects only)
            assert all(_inside(r["fields"][s["field"]], s["start"], s["end"], s["text"]) for s in d["reasons"])
        for e in r["evidence"]:
            assert _inside(r["fields"][e["field"]], e["start"], e["end"], e["text"]) and e["values"]
        for h in r.get("highlights", []):
            assert _inside(r["fields"][h["field"]], h["start"], h["end"], h["text"]) and h["why"] and h["score"] >= 0
    projects = [r for r in records if r["kind"] == "project"]
    assert all(set(r["aspects"]) <= set(NARRATIVE_FIELDS["project"]) for r in projects)
    assert all(isinstance(v, list) for r in projects for v in r["aspects"].values())
    practices = [r for r in records if r["kind"] == "practice"]
    assert practices and all({"企业简介", "技术改造情况", "经验做法"} <= set(r["sections"]) for r in practices)
    for r in practices:
        for s in r["sections"].values():
            assert s["present"] is False or _inside(r["fields"]["text"], s["start"], s["end"])


def test_duplicates_and_cities_keep_their_meaning(contract):
    by_id = {r["id"]: r for r in contract["records"]}
    pairs = contract["duplicates"]
    assert pairs and all(p["kind"] in DUPLICATE_KINDS and 0 <= p["score"] <= 1 for p in pairs)
    for p in pairs:
        assert p["a"] in by_id and (p.get("round") or p["b"] in by_id)
        for s in p["shared"]:
            assert _inside(by_id[p["a"]]["fields"][s["a_field"]], s["a_start"], s["a_end"])
            if not p.get("round"):
                assert _inside(by_id[p["b"]]["fields"][s["b_field"]], s["b_start"], s["b_end"])
    cities = {c["city"]: c for c in contract["cities"]}
    assert set(cities) == {"佛山市", "汕头市", "韶关市"}
    for c in cities.values():
        assert {"region", "projects", "enterprises", "benchmark_enterprises", "quota_ok"} <= set(c)
        assert c["projects"] == sum(1 for r in contract["records"] if r["kind"] == "project" and r["city"] == c["city"])


def test_fields_annotated_layers_lie_inside_the_fields_text(contract):
    seen = set()
    for r in contract["records"]:
        annotated = r.get("fields_annotated", {})
        if r["kind"] in NARRATIVE_FIELDS:
            assert set(annotated) <= set(NARRATIVE_FIELDS[r["kind"]]) and annotated, r["id"]
        else:
            assert not annotated
        for name, layers in annotated.items():
            text = r["fields"][name]
            for layer, spans in layers.items():
                assert layer in LAYERS and spans, (r["id"], layer)
                seen.add(layer)
                assert spans == sorted(spans, key=lambda s: (s["start"], s["end"]))
                assert all(_inside(text, s["start"], s["end"], s["text"]) and s["label"] for s in spans)
    assert {"evidence", "aspects", "sections", "direction:智能化", "highlights", "duplicate"} <= seen


def test_the_layers_and_the_record_level_lists_say_the_same(contract):
    for r in contract["records"]:
        annotated = r.get("fields_annotated", {})
        claims = sorted((e["field"], e["start"], e["end"]) for e in r.get("evidence", []))
        layer = sorted((name, s["start"], s["end"]) for name, layers in annotated.items()
                       for s in layers.get("evidence", []))
        assert claims == layer, r["id"]
        for d, entry in r.get("directions", {}).items():
            # (a reason in 项目名称, which is no narrative Doc, is in the record-level list only)
            counted = {(s["field"], s["start"], s["end"]) for s in entry["reasons"] if s["field"] in annotated}
            marked = {(name, s["start"], s["end"]) for name, layers in annotated.items()
                      for s in layers.get(f"direction:{d}", []) if s["status"] == "counts"}
            assert counted <= marked, (r["id"], d)


def test_the_duplicate_layer_marks_both_sides_of_each_pair(contract):
    by_id = {r["id"]: r for r in contract["records"]}
    in_round = [p for p in contract["duplicates"] if not p.get("round")]
    assert in_round
    for p in in_round:
        for s in p["shared"]:
            for me, other, side, o_side in ((p["a"], p["b"], "a", "b"), (p["b"], p["a"], "b", "a")):
                spans = by_id[me]["fields_annotated"][s[f"{side}_field"]]["duplicate"]
                assert any(m["start"] == s[f"{side}_start"] and m["end"] == s[f"{side}_end"] and m["other"] == other
                           and m["other_start"] == s[f"{o_side}_start"] and m["label"] == p["kind"] for m in spans)


def test_the_analysis_is_frozen_and_the_contract_the_same_each_time():
    from nlp.config import config_from_dict
    from nlp.pipeline import analyse

    analysis = analyse([ROOT / "corpora" / "sample" / "韶关市"], 2025,
                       config_from_dict({"round": {"stages": ["row_rules", "city_quotas"]}}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.duplicates = []
    first, second = to_contract(analysis), to_contract(analysis)
    assert first == second and first["schema"] == 2
    assert not any("fields_annotated" in r for r in first["records"])  # no narratives stage, no layers
