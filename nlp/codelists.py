"""The code lists of corpora/codelists loaded once, with normalisers for what submitters write."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .textnorm import squash

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
CODELISTS = CORPORA / "codelists"


@dataclass(frozen=True)
class Cluster:
    name: str
    kind: str
    variants: tuple[str, ...]
    sectors: frozenset[int]


@dataclass(frozen=True)
class Sector:
    no: int
    name: str
    gb: str


@dataclass(frozen=True)
class City:
    name: str
    short: str
    region: str
    min_projects: int
    min_enterprises: int
    counties: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    towns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectorMatch:
    sector: Sector | None
    #: the number the submitter wrote, when it disagrees with the sector's own number
    written_number: int | None = None


@dataclass
class CodeLists:
    clusters: list[Cluster]
    sectors: list[Sector]
    traditional: list[str]
    traditional_none: str
    cities: list[City]
    other_provinces: list[str]
    _cluster_index: dict[str, Cluster] = field(default_factory=dict, repr=False)
    _traditional_index: dict[str, str] = field(default_factory=dict, repr=False)

    # ---- clusters -------------------------------------------------------------------------
    def cluster(self, text: str) -> Cluster | None:
        """The cluster a written value means, or None."""
        key = squash(text)
        if key in self._cluster_index:
            return self._cluster_index[key]
        trimmed = re.sub(r"(战略性)?(支柱|新兴)?产业(集群)?$", "", key)
        return self._cluster_index.get(trimmed)

    # ---- sectors --------------------------------------------------------------------------
    def sector(self, text: str) -> SectorMatch:
        """The sector of "31.汽车制造业", "31、汽车制造业", "汽车制造业", "C36汽车制造业" or "36"."""
        key = squash(text)
        if not key:
            return SectorMatch(None)
        m = re.match(r"^(?:C)?(\d{1,4})\s*[.、．,，:：\-_ ]?\s*(.*)$", key)
        number, name = (int(m.group(1)), m.group(2)) if m else (None, key)
        name = name.strip()
        by_name = next((s for s in self.sectors if s.name == name), None)
        if by_name is None and name:
            by_name = next((s for s in self.sectors if squash(s.name) == name.rstrip("业") + "业"), None)
        if by_name is not None:
            if number is None or number == by_name.no:
                return SectorMatch(by_name)
            if key.startswith("C") and f"{number:02d}" == by_name.gb:
                return SectorMatch(by_name)
            return SectorMatch(by_name, written_number=number)
        if name:
            return SectorMatch(None)
        if number is not None:
            if key.startswith("C"):
                return SectorMatch(next((s for s in self.sectors if s.gb == f"{number:02d}"), None))
            return SectorMatch(next((s for s in self.sectors if s.no == number), None))
        return SectorMatch(None)

    # ---- traditional industries -------------------------------------------------------------
    def traditional_industry(self, text: str) -> str | None:
        """One of the five, 不属于, or None when the value is none of them."""
        return self._traditional_index.get(squash(text))

    # ---- cities -----------------------------------------------------------------------------
    def city(self, text: str) -> City | None:
        """The city a name means: 佛山市, 佛山."""
        key = squash(text)
        return next((c for c in self.cities if key in (c.name, c.short)), None)

    def find_city(self, text: str) -> City | None:
        """The first city named anywhere in a text (full name preferred, then short name)."""
        key = squash(text)
        best: tuple[int, City] | None = None
        for c in self.cities:
            for name in (c.name, c.short):
                pos = key.find(name)
                if pos >= 0 and (best is None or pos < best[0]):
                    best = (pos, c)
                    break
        return best[1] if best else None

    def find_city_by_place(self, text: str) -> City | None:
        """The city a district, zone or town named in the text belongs to."""
        key = squash(text)
        for c in self.cities:
            for place in (*c.counties, *c.zones, *c.towns):
                if place in key:
                    return c
        return None


def _load(name: str):
    return json.loads((CODELISTS / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def codelists() -> CodeLists:
    """The code lists, loaded once per process."""
    clusters = [Cluster(c["name"], c["kind"], tuple(c["variants"]), frozenset(c["sectors"]))
                for c in _load("clusters.json")]
    sectors = [Sector(s["no"], s["name"], s["gb"]) for s in _load("sectors.json")]
    trad = _load("traditional_industries.json")
    districts = _load("districts.json")
    cities = []
    for c in _load("cities.json"):
        places = districts.get(c["name"], {})
        cities.append(City(c["name"], c["short"], c["region"], c["min_projects"], c["min_enterprises"],
                           tuple(places.get("counties", ())), tuple(places.get("zones", ())),
                           tuple(places.get("towns", ()))))
    lists = CodeLists(clusters, sectors, list(trad["industries"]), trad["none"], cities,
                      list(districts.get("_other_provinces", [])))
    for c in clusters:
        for name in (c.name, *c.variants):
            lists._cluster_index[squash(name)] = c
    for ind in trad["industries"]:
        lists._traditional_index[squash(ind)] = ind
        for v in trad["variants"].get(ind, []):
            lists._traditional_index[squash(v)] = ind
    for v in (trad["none"], *trad["none_variants"]):
        lists._traditional_index[squash(v)] = trad["none"]
    return lists
