"""Sanity checks on the machine-readable code lists in corpora/codelists/."""
import json
from collections import Counter
from pathlib import Path

import pytest

CODELISTS = Path(__file__).resolve().parents[1] / "corpora" / "codelists"


def load(name):
    return json.loads((CODELISTS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clusters():
    return load("clusters.json")


@pytest.fixture(scope="module")
def sectors():
    return load("sectors.json")


@pytest.fixture(scope="module")
def cities():
    return load("cities.json")


@pytest.fixture(scope="module")
def districts():
    return load("districts.json")


# --- clusters ---------------------------------------------------------------

def test_clusters_count_and_kinds(clusters):
    assert len(clusters) == 20
    kinds = Counter(c["kind"] for c in clusters)
    assert kinds == {"支柱": 10, "新兴": 10}
    # taxonomy order: 10 pillar clusters first, then 10 emerging ones
    assert [c["kind"] for c in clusters] == ["支柱"] * 10 + ["新兴"] * 10
    assert clusters[0]["name"] == "新一代电子信息"
    assert clusters[10]["name"] == "半导体与集成电路"


def test_cluster_names_unique(clusters):
    names = [c["name"] for c in clusters]
    assert len(set(names)) == 20


def test_cluster_variants_unambiguous(clusters):
    owner = {}
    for c in clusters:
        owner.setdefault(c["name"], set()).add(c["name"])
        for v in c["variants"]:
            assert isinstance(v, str) and v.strip() == v and v
            owner.setdefault(v, set()).add(c["name"])
    shared = {v: n for v, n in owner.items() if len(n) > 1}
    assert not shared, shared
    all_variants = {v for c in clusters for v in c["variants"]}
    assert "新能源汽车" not in all_variants
    assert "新材料" not in all_variants


def test_cluster_sectors_valid(clusters):
    for c in clusters:
        assert c["sectors"], c["name"]
        assert len(set(c["sectors"])) == len(c["sectors"])
        for s in c["sectors"]:
            assert isinstance(s, int) and 1 <= s <= 41, (c["name"], s)


def test_cluster_sectors_cover_known_pairs(clusters):
    by = {c["name"]: set(c["sectors"]) for c in clusters}
    assert {31, 32, 24, 28, 33, 34, 29} <= by["汽车"]
    assert 8 not in by["汽车"]
    assert {8, 9, 10, 11} <= by["现代农业与食品"]
    assert {20, 21, 23, 24} <= by["绿色石化"]


# --- sectors ----------------------------------------------------------------

def test_sectors(sectors):
    assert len(sectors) == 41
    assert [s["no"] for s in sectors] == list(range(1, 42))
    gbs = [s["gb"] for s in sectors]
    assert gbs == [f"{n:02d}" for n in range(6, 47)]
    assert len(set(gbs)) == 41
    assert len({s["name"] for s in sectors}) == 41
    assert sectors[30]["name"] == "汽车制造业" and sectors[30]["gb"] == "36"


# --- traditional industries -------------------------------------------------

def test_traditional_industries():
    t = load("traditional_industries.json")
    assert t["industries"] == ["家居", "食品饮料", "纺织服装", "家电", "建材"]
    assert t["none"] == "不属于"
    assert set(t["variants"]) == set(t["industries"])
    seen = Counter(v for vs in t["variants"].values() for v in vs)
    assert all(n == 1 for n in seen.values()), seen
    assert not set(seen) & set(t["none_variants"])


# --- cities -----------------------------------------------------------------

def test_cities(cities):
    assert len(cities) == 21
    assert len({c["name"] for c in cities}) == 21
    regions = Counter(c["region"] for c in cities)
    assert regions == {"珠三角": 9, "粤东": 4, "粤西": 3, "粤北": 5}
    for c in cities:
        assert c["name"] == c["short"] + "市"
        if c["region"] == "珠三角":
            assert (c["min_projects"], c["min_enterprises"]) == (60, 6)
        else:
            assert (c["min_projects"], c["min_enterprises"]) == (40, 4)
    # quotas add up to the province-wide minimums in the notice
    assert sum(c["min_projects"] for c in cities) >= 1000
    assert sum(c["min_enterprises"] for c in cities) >= 100


# --- districts --------------------------------------------------------------

def test_districts_cover_every_city(cities, districts):
    names = {c["name"] for c in cities}
    assert names <= set(districts)
    assert set(districts) - names == {"_other_provinces"}
    for n in names:
        assert set(districts[n]) == {"counties", "zones", "towns"}


def test_county_counts(cities, districts):
    total = 0
    for c in cities:
        counties = districts[c["name"]]["counties"]
        assert len(set(counties)) == len(counties), c["name"]
        total += len(counties)
    assert total == 122
    all_counties = [x for c in cities for x in districts[c["name"]]["counties"]]
    kinds = Counter(
        "自治县" if x.endswith("自治县") else "县" if x.endswith("县")
        else "区" if x.endswith("区") else "市" for x in all_counties
    )
    assert kinds == {"区": 65, "市": 20, "县": 34, "自治县": 3}
    assert districts["东莞市"]["counties"] == []
    assert districts["中山市"]["counties"] == []
    assert len(districts["广州市"]["counties"]) == 11
    assert len(districts["深圳市"]["counties"]) == 9


def test_towns(cities, districts):
    dg = districts["东莞市"]["towns"]
    zs = districts["中山市"]["towns"]
    assert len(dg) == len(set(dg)) == 32
    assert len(zs) == len(set(zs)) == 23
    assert sum(t.endswith("街道") for t in dg) == 4
    assert sum(t.endswith("街道") for t in zs) == 8
    assert sum(t.endswith("镇") for t in zs) == 15
    for c in cities:
        if c["name"] not in ("东莞市", "中山市"):
            assert districts[c["name"]]["towns"] == []


def test_zones_do_not_clash_with_counties(cities, districts):
    counties = {x for c in cities for x in districts[c["name"]]["counties"]}
    zone_owner = Counter(z for c in cities for z in districts[c["name"]]["zones"])
    assert all(n == 1 for n in zone_owner.values()), zone_owner
    assert not counties & set(zone_owner)


def test_other_provinces(districts):
    others = districts["_other_provinces"]
    assert len(others) == len(set(others)) == 33
    assert "广东省" not in others
    assert {"湖南省", "广西壮族自治区", "香港特别行政区", "澳门特别行政区", "台湾省"} <= set(others)
