"""City-level checks over a whole round: quotas, 标杆企业, and the links between 附件1, 附件2 and 附件3."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..codelists import codelists
from ..config import RuleConfig
from ..findings import Finding
from ..records import EnterpriseRecord, PracticeRecord, ProjectRecord, Record
from ..textnorm import company_key
from .values import yes_no


@dataclass
class CitySummary:
    city: str
    region: str | None
    projects: int = 0
    enterprises: int = 0
    practices: int = 0
    benchmark_enterprises: int = 0
    min_projects: int | None = None
    min_enterprises: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def quota_ok(self) -> bool:
        return not any(f.code in ("QUOTA_PROJECTS_SHORT", "QUOTA_ENTERPRISES_SHORT", "BENCHMARK_COUNT")
                       for f in self.findings)

    def to_json(self) -> dict:
        return {"city": self.city, "region": self.region, "projects": self.projects,
                "enterprises": self.enterprises, "practices": self.practices,
                "benchmark_enterprises": self.benchmark_enterprises,
                "min_projects": self.min_projects, "min_enterprises": self.min_enterprises,
                "quota_ok": self.quota_ok}


def _same_company(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)))


def link_practices(records: list[Record]) -> None:
    """Give each 典型做法 without a city the city of the 附件2/附件1 row of its company."""
    known: dict[str, str] = {}
    for r in records:
        if isinstance(r, (EnterpriseRecord, ProjectRecord)) and r.city and r.company:
            known.setdefault(company_key(r.company), r.city)
    for p in records:
        if isinstance(p, PracticeRecord) and p.city is None:
            key = company_key(p.company)
            p.city = next((city for k, city in known.items() if _same_company(k, key)), None)


def city_checks(records: list[Record], rules: RuleConfig) -> list[CitySummary]:
    """One summary per city present in the round, with its city-level findings."""
    lists = codelists()
    by_city: dict[str, list[Record]] = {}
    for r in records:
        by_city.setdefault(r.city or "（未识别地市）", []).append(r)
    summaries = []
    for city_name in sorted(by_city, key=lambda c: [x.name for x in lists.cities].index(c)
                            if lists.city(c) else 99):
        recs = by_city[city_name]
        city = lists.city(city_name)
        projects = [r for r in recs if isinstance(r, ProjectRecord)]
        enterprises = [r for r in recs if isinstance(r, EnterpriseRecord)]
        practices = [r for r in recs if isinstance(r, PracticeRecord)]
        benchmarks = [e for e in enterprises if yes_no(e.text("是否标杆企业"))[0]]
        s = CitySummary(city_name, city.region if city else None, len(projects),
                        len(enterprises) or len(practices), len(practices), len(benchmarks),
                        city.min_projects if city else None, city.min_enterprises if city else None)
        summaries.append(s)
        if city is None:
            continue

        def add(code: str, message: str, record: Record | None = None, name: str | None = None, **data) -> None:
            s.findings.append(Finding(code, message, field=name,
                                      provenance=record.provenance(name) if record and name else
                                      (record.source if record else None),
                                      record_id=record.id if record else None, city=city_name, data=data))

        if s.projects < city.min_projects:
            add("QUOTA_PROJECTS_SHORT", f"{city_name}（{city.region}）推荐重点项目{s.projects}个，"
                                        f"少于要求的{city.min_projects}个", count=s.projects)
        if s.enterprises < city.min_enterprises:
            add("QUOTA_ENTERPRISES_SHORT", f"{city_name}（{city.region}）推荐示范企业{s.enterprises}家，"
                                           f"少于要求的{city.min_enterprises}家", count=s.enterprises)
        if enterprises and not rules.benchmark_min <= len(benchmarks) <= rules.benchmark_max:
            add("BENCHMARK_COUNT", f"{city_name}推荐标杆企业{len(benchmarks)}家，应为"
                                   f"{rules.benchmark_min}—{rules.benchmark_max}家", count=len(benchmarks))
        project_companies = {company_key(p.company) for p in projects if p.company}
        practice_companies = [company_key(p.company) for p in practices]
        enterprise_companies = [company_key(e.company) for e in enterprises]
        for e, key in zip(enterprises, enterprise_companies):
            if not key:
                continue
            if projects and not any(_same_company(key, k) for k in project_companies):
                add("ENTERPRISE_NO_PROJECT", f"示范企业“{e.company}”在附件1中没有推荐项目", e, "企业名称")
            if practices and not any(_same_company(key, k) for k in practice_companies):
                add("PRACTICE_MISSING", f"示范企业“{e.company}”没有提交典型做法（附件3）", e, "企业名称")
        if enterprises:
            for p, key in zip(practices, practice_companies):
                if not any(_same_company(key, k) for k in enterprise_companies):
                    add("PRACTICE_NOT_IN_SUMMARY", f"典型做法的企业“{p.company}”不在{city_name}的示范企业汇总表（附件2）中",
                        p, None)
    return summaries
