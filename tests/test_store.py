"""The review store (app.store) on SQLite and on a real PostgreSQL server: import, queue, decisions,
concurrency, city scoping, migrations, audit log and dashboard."""
from __future__ import annotations

import copy
import hashlib
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from app.store import (SCHEMA_VERSION, STATUSES, UNREVIEWED, AccessDenied, DecisionConflict, NotFound, SchemaError,
                       Store, Viewer, data_dir)
from app.store.engine import make_engine, resolve_target
from app.store.migrations import migrate
from app.store.schema import audit_log, decisions, findings, imports, records
from pg_server import pg_url, wipe  # noqa: F401  (pg_url is a fixture)

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2025"
P = Viewer("省厅审核员", "province")
P2 = Viewer("省厅复核员", "province")
FS = Viewer("佛山审核员", "city", "佛山市")
OTHER_CITY = "无权查看其他地市的记录"


# -- fixtures ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sample_contract() -> dict:
    """The sample round's contract: tests/data's snapshot (make_sample_contract.py), re-analysed if stale."""
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        from make_sample_contract import load
    finally:
        sys.path.pop(0)
    return load()


def _of(contract: dict, city: str, kind: str = "project") -> list[dict]:
    return [r for r in contract["records"] if r["city"] == city and r["kind"] == kind]


@pytest.fixture
def contract(sample_contract) -> dict:
    """The sample contract plus planted near-duplicate pairs (the sample has none): one within 佛山市,
    one between 佛山市 and 汕头市, one with an archived record of 2023."""
    c = copy.deepcopy(sample_contract)
    fs, st, sg = _of(c, "佛山市"), _of(c, "汕头市"), _of(c, "韶关市")
    c["duplicates"] = [
        {"a": fs[0]["id"], "b": fs[1]["id"], "kind": "light_edit", "score": 0.93, "shared": []},
        {"a": fs[2]["id"], "b": st[0]["id"], "kind": "template", "score": 0.81, "shared": []},
        {"a": sg[0]["id"], "b": "2023附件1:Sheet1:9", "kind": "exact", "score": 1.0, "shared": [], "round": "2023"},
    ]
    return c


def files_of(contract: dict, salt: str = "") -> list[tuple[str, str]]:
    return [(f["file"], hashlib.sha256((f["file"] + salt).encode()).hexdigest()) for f in contract["files"]]


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """A clean, not yet opened database on each backend (path or URL)."""
    if request.param == "sqlite":
        return tmp_path / "review.sqlite"
    url = request.getfixturevalue("pg_url")
    wipe(url)
    return url


@pytest.fixture
def store(target):
    s = Store.open(target)
    yield s
    s.close()


@pytest.fixture
def loaded(store, contract):
    store.import_round(ROUND, contract, files_of(contract), "导入员")
    return store


def count(store: Store, table, **where) -> int:
    q = select(func.count()).select_from(table)
    for k, v in where.items():
        q = q.where(table.c[k] == v)
    with store.engine.connect() as conn:
        return conn.execute(q).scalar_one()


# -- import ----------------------------------------------------------------------------------------------------
def test_import_and_read_back(store, contract):
    result = store.import_round(ROUND, contract, files_of(contract), "导入员")
    n_findings = sum(len(r["findings"]) for r in contract["records"])
    assert (result.round, result.records, result.findings, result.duplicates, result.skipped) == (
        ROUND, len(contract["records"]), n_findings, len(contract["duplicates"]), False)
    assert count(store, records, round=ROUND) == 96 == len(store.queue(P, ROUND))
    assert count(store, findings, round=ROUND) == n_findings
    assert store.contract(P, ROUND) == contract  # every field, pair, city and file entry round-trips
    project = _of(contract, "佛山市")[3]
    view = store.record(P, ROUND, project["id"])
    assert view.data == project
    src = project["source"]
    assert view.row.source == f"{src['file']} · {src['sheet']} · 第{src['row']}行"
    assert view.row.project == project["fields"]["项目名称"] and view.row.company == project["company"]
    practice = _of(contract, "汕头市", "practice")[0]
    assert store.record(P, ROUND, practice["id"]).row.source == practice["source"]["file"]
    assert store.rounds(P) == [ROUND]


def test_reimport_same_files_is_skipped(store, contract):
    first = store.import_round(ROUND, contract, files_of(contract), "导入员")
    again = store.import_round(ROUND, contract, list(reversed(files_of(contract))), "导入员")
    assert again.skipped and (again.records, again.findings, again.duplicates) == (
        first.records, first.findings, first.duplicates)
    assert count(store, records) == first.records and count(store, findings) == first.findings
    assert count(store, imports) == len(contract["files"])
    assert [e.action for e in store.audit_log(ROUND)] == ["import"]


def test_reimport_changed_files_keeps_reviews(store, contract):
    store.import_round(ROUND, contract, files_of(contract), "导入员")
    keep, drop = _of(contract, "佛山市")[5], _of(contract, "佛山市")[6]
    picked = next(r for r in contract["records"] if len(r.get("highlights") or []) >= 2)
    d_keep = store.decide(P, ROUND, keep["id"], "退回修改", "请补充数据", 0)
    store.decide(P, ROUND, drop["id"], "通过", "", 0)
    store.review_direction(P, ROUND, keep["id"], "数字化", "reject", "无数字化内容")
    store.set_publicity(P, ROUND, picked["id"], 0, True)
    store.set_publicity(P, ROUND, picked["id"], 1, True)

    changed = copy.deepcopy(contract)
    changed["records"] = [r for r in changed["records"] if r["id"] != drop["id"]]
    moved = next(r for r in changed["records"] if r["id"] == picked["id"])
    moved["highlights"][1]["text"] += "（修改）"  # that excerpt changed: its pick no longer holds
    result = store.import_round(ROUND, changed, files_of(contract, salt="v2"), "导入员")
    assert not result.skipped and result.records == 95

    view = store.record(P, ROUND, keep["id"])
    assert view.decision == d_keep and view.history == [d_keep]
    assert view.direction_reviews["数字化"]["verdict"] == "reject"
    assert store.record(P, ROUND, picked["id"]).publicity == [0]
    with pytest.raises(NotFound):
        store.record(P, ROUND, drop["id"])
    assert set(store.decisions(P, ROUND)) == {keep["id"]}
    imported = [e for e in store.audit_log(ROUND) if e.action == "import"]
    assert len(imported) == 2 and imported[0].detail["removed"] == 1 and imported[0].detail["picks_dropped"] == 1


def _bad_missing_id(c):
    del c["records"][-1]["id"]


def _bad_duplicate_id(c):  # caught by the database (primary key), not by validation
    c["records"][-1]["id"] = c["records"][0]["id"]


def _bad_finding(c):
    c["records"][-1]["findings"].append({"severity": "error"})


@pytest.mark.parametrize("spoil", [_bad_missing_id, _bad_duplicate_id, _bad_finding])
def test_import_is_atomic(store, contract, spoil):
    store.import_round(ROUND, contract, files_of(contract), "导入员")
    store.decide(P, ROUND, contract["records"][0]["id"], "待定", "", 0)
    before = (store.contract(P, ROUND), store.decisions(P, ROUND), count(store, records), count(store, imports),
              len(store.audit_log()))
    bad = copy.deepcopy(contract)
    bad["records"][0]["company"] = "改名后的公司"
    spoil(bad)
    with pytest.raises((ValueError, IntegrityError)):
        store.import_round(ROUND, bad, files_of(contract, salt="bad"), "导入员")
    with pytest.raises((ValueError, IntegrityError)):
        store.import_round("2026", bad, files_of(contract, salt="new"), "导入员")
    after = (store.contract(P, ROUND), store.decisions(P, ROUND), count(store, records), count(store, imports),
             len(store.audit_log()))
    assert after == before
    assert store.rounds(P) == [ROUND]
    assert store.import_round(ROUND, contract, files_of(contract), "导入员").skipped  # imports table untouched


# -- queue -----------------------------------------------------------------------------------------------------
def _worst(rec: dict) -> str:
    sev = {f["severity"] for f in rec["findings"]}
    return next((s for s in ("error", "warning", "info") if s in sev), "")


def _ids(rows) -> set[str]:
    return {r.record_id for r in rows}


def test_queue_filters(loaded, contract):
    recs = contract["records"]
    s = loaded
    for city, n in Counter(r["city"] for r in recs).items():
        assert len(s.queue(P, ROUND, city=city)) == n
    for sev in ("error", "warning", "info", ""):
        expected = {r["id"] for r in recs if _worst(r) == sev}
        assert _ids(s.queue(P, ROUND, severity=sev)) == expected, sev
    codes = Counter(c for r in recs for c in {f["code"] for f in r["findings"]})
    assert len(codes) > 10
    for code, n in codes.items():
        assert len(s.queue(P, ROUND, code=code)) == n, code
    assert s.queue(P, ROUND, code="CONTENT_PART") == []  # whole codes only
    for d in ("智能化", "数字化", "绿色化"):
        expected = {r["id"] for r in recs if (r.get("declared_directions") or {}).get(d)
                    or (r.get("directions") or {}).get(d, {}).get("tag")}
        assert 0 < len(expected) < len(recs)
        assert _ids(s.queue(P, ROUND, direction=d)) == expected, d
    for term in ("机器人", "MES", "mes", "有限公司", "100%_"):
        t = term.lower()
        expected = {r["id"] for r in recs if t in r["company"].lower()
                    or any(t in str(v).lower() for v in r["fields"].values())}
        assert _ids(s.queue(P, ROUND, search=term)) == expected, term
    dup_ids = {p["a"] for p in contract["duplicates"]} | {p["b"] for p in contract["duplicates"] if "round" not in p}
    assert _ids(s.queue(P, ROUND, duplicates_only=True)) == dup_ids and len(dup_ids) == 5
    assert all(r.duplicate == (r.record_id in dup_ids) for r in s.queue(P, ROUND))
    both = {r["id"] for r in recs if r["city"] == "汕头市" and _worst(r) == "error"}
    assert _ids(s.queue(P, ROUND, city="汕头市", severity="error")) == both and both


def test_queue_status_filter_and_sorts(loaded, contract):
    s, recs = loaded, contract["records"]
    plan = {recs[0]["id"]: "通过", recs[1]["id"]: "通过", recs[2]["id"]: "退回修改", recs[3]["id"]: "待定"}
    for rid, status in plan.items():
        s.decide(P, ROUND, rid, status, "", 0)
    s.decide(P, ROUND, recs[3]["id"], "通过", "复核后通过", 1)  # the latest decision counts
    plan[recs[3]["id"]] = "通过"
    for status in STATUSES:
        assert _ids(s.queue(P, ROUND, status=status)) == {k for k, v in plan.items() if v == status}
    assert len(s.queue(P, ROUND, status=UNREVIEWED)) == len(recs) - len(plan)
    rank = {"error": 0, "warning": 1, "info": 2, "": 3}
    rows = s.queue(P, ROUND)
    assert len(rows) == len(recs) and [rank[r.worst_severity] for r in rows] == sorted(rank[r.worst_severity]
                                                                                      for r in rows)
    assert [r.findings for r in s.queue(P, ROUND, sort="findings")] == sorted((r.findings for r in rows),
                                                                              reverse=True)
    assert [r.city for r in s.queue(P, ROUND, sort="city")] == sorted(r.city for r in rows)
    assert [r.company for r in s.queue(P, ROUND, sort="company")] == sorted(r.company for r in rows)
    by_status = [r.status for r in s.queue(P, ROUND, sort="status")]
    assert by_status[0] == UNREVIEWED and by_status[-1] == "通过"
    with pytest.raises(ValueError):
        s.queue(P, ROUND, sort="random")
    with pytest.raises(NotFound):
        s.queue(P, "1999")


# -- decisions and concurrency ---------------------------------------------------------------------------------
def test_decide_history_versions(loaded, contract):
    rid = contract["records"][10]["id"]
    d1 = loaded.decide(P, ROUND, rid, "待定", "待核实投资额", 0)
    d2 = loaded.decide(P2, ROUND, rid, "退回修改", "投资额单位有误", 1)
    d3 = loaded.decide(P, ROUND, rid, "通过", "", 2)
    assert [d.version for d in (d1, d2, d3)] == [1, 2, 3] and d2.reviewer == P2.username
    view = loaded.record(P, ROUND, rid)
    assert view.history == [d1, d2, d3] and view.decision == d3 and view.row.status == "通过"
    assert loaded.decisions(P, ROUND) == {rid: d3}
    with pytest.raises(DecisionConflict) as stale:
        loaded.decide(P, ROUND, rid, "待定", "", 1)
    assert stale.value.current == d3
    with pytest.raises(ValueError):
        loaded.decide(P, ROUND, rid, "待定", "", 7)
    with pytest.raises(ValueError):
        loaded.decide(P, ROUND, rid, "驳回", "", 3)
    with pytest.raises(NotFound):
        loaded.decide(P, ROUND, "no-such-record", "通过", "", 0)
    with pytest.raises(NotFound):
        loaded.record(P, "1999", rid)
    assert len(loaded.record(P, ROUND, rid).history) == 3


def test_second_reviewer_from_same_version_conflicts(loaded, contract):
    rid = contract["records"][20]["id"]
    seen = loaded.record(P, ROUND, rid).decision
    seen2 = loaded.record(P2, ROUND, rid).decision
    assert seen is None and seen2 is None
    first = loaded.decide(P, ROUND, rid, "通过", "材料齐全", 0)
    with pytest.raises(DecisionConflict) as conflict:
        loaded.decide(P2, ROUND, rid, "退回修改", "数据存疑", 0)
    assert conflict.value.current == first and conflict.value.current.reviewer == P.username
    assert loaded.record(P, ROUND, rid).history == [first]


def test_unique_version_catches_the_race(loaded, contract, monkeypatch):
    """Both writers read version 0 before either inserted: the unique constraint rejects the second."""
    rid = contract["records"][21]["id"]
    first = loaded.decide(P, ROUND, rid, "通过", "", 0)
    real, calls = loaded._latest_decision, []

    def stale_once(*args):  # the second writer's read happened before the first committed
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(loaded, "_latest_decision", stale_once)
    with pytest.raises(DecisionConflict) as conflict:
        loaded.decide(P2, ROUND, rid, "待定", "", 0)
    assert conflict.value.current == first
    assert count(loaded, decisions, record_id=rid) == 1


def test_concurrent_deciders_one_wins(loaded, contract):
    rid, n = contract["records"][22]["id"], 6
    barrier, results = threading.Barrier(n), []

    def go(i):
        viewer = Viewer(f"审核员{i}", "province")
        barrier.wait()
        try:
            results.append(loaded.decide(viewer, ROUND, rid, "通过", str(i), 0))
        except DecisionConflict as err:
            results.append(err)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, DecisionConflict)]
    assert len(won) == 1 and len(lost) == n - 1
    assert all(c.current == won[0] for c in lost)
    assert loaded.record(P, ROUND, rid).history == won


def test_review_direction_and_publicity(loaded, contract):
    rec = next(r for r in contract["records"] if len(r.get("highlights") or []) >= 3)
    rid = rec["id"]
    loaded.review_direction(P, ROUND, rid, "智能化", "accept")
    loaded.review_direction(P, ROUND, rid, "绿色化", "add", "有节能改造内容")
    loaded.review_direction(P2, ROUND, rid, "智能化", "reject", "仅为普通设备")
    reviews = loaded.record(P, ROUND, rid).direction_reviews
    assert set(reviews) == {"智能化", "绿色化"}
    assert (reviews["智能化"]["verdict"], reviews["智能化"]["reviewer"]) == ("reject", P2.username)
    assert reviews["绿色化"]["note"] == "有节能改造内容"
    for bad in (("智能化", "maybe"), ("信息化", "accept")):
        with pytest.raises(ValueError):
            loaded.review_direction(P, ROUND, rid, *bad)
    loaded.set_publicity(P, ROUND, rid, 2, True)
    loaded.set_publicity(P, ROUND, rid, 0, True)
    loaded.set_publicity(P, ROUND, rid, 0, True)  # picking twice keeps one pick
    assert loaded.record(P, ROUND, rid).publicity == [0, 2]
    entries = loaded.publicity(P, ROUND)
    assert [(e["record_id"], e["index"]) for e in entries] == [(rid, 0), (rid, 2)]
    assert entries[1]["highlight"] == rec["highlights"][2] and entries[1]["record"] == rec
    loaded.set_publicity(P, ROUND, rid, 0, False)
    assert loaded.record(P, ROUND, rid).publicity == [2]
    with pytest.raises(ValueError):
        loaded.set_publicity(P, ROUND, rid, len(rec["highlights"]), True)


def test_record_duplicates(loaded, contract):
    same, cross, archived = contract["duplicates"]
    view = loaded.record(P, ROUND, same["a"])
    assert len(view.duplicates) == 1 and view.duplicates[0]["other"]["id"] == same["b"]
    assert view.duplicates[0]["other"]["fields"]  # the other record's data
    assert view.row.duplicate
    assert loaded.record(P, ROUND, cross["b"]).duplicates[0]["other"]["id"] == cross["a"]
    old = loaded.record(P, ROUND, archived["a"]).duplicates
    assert old[0]["other"]["round"] == "2023" and old[0]["other"]["id"] == archived["b"]


# -- access ----------------------------------------------------------------------------------------------------
def test_city_viewer_is_confined(loaded, contract):
    s = loaded
    mine = [r for r in contract["records"] if r["city"] == "佛山市"]
    theirs = next(r for r in contract["records"] if r["city"] == "汕头市" and r.get("highlights"))
    own = next(r for r in mine if r.get("highlights"))
    for call in (lambda: s.record(FS, ROUND, theirs["id"]),
                 lambda: s.decide(FS, ROUND, theirs["id"], "通过", "", 0),
                 lambda: s.review_direction(FS, ROUND, theirs["id"], "智能化", "accept"),
                 lambda: s.set_publicity(FS, ROUND, theirs["id"], 0, True)):
        with pytest.raises(AccessDenied, match=OTHER_CITY):
            call()
    assert [e.actor for e in s.audit_log()] == ["导入员"]  # nothing was written

    # the province works on both cities; the city viewer on its own
    s.decide(P, ROUND, theirs["id"], "通过", "", 0)
    s.set_publicity(P, ROUND, theirs["id"], 0, True)
    s.decide(FS, ROUND, own["id"], "待定", "", 0)
    s.set_publicity(FS, ROUND, own["id"], 0, True)
    s.review_direction(FS, ROUND, own["id"], "智能化", "accept")

    rows = s.queue(FS, ROUND)
    assert {r.city for r in rows} == {"佛山市"} and len(rows) == len(mine)
    assert s.queue(FS, ROUND, city="汕头市") == []
    assert set(s.decisions(FS, ROUND)) == {own["id"]} and len(s.decisions(P, ROUND)) == 2
    assert [e["record_id"] for e in s.publicity(FS, ROUND)] == [own["id"]] and len(s.publicity(P, ROUND)) == 2
    board = s.dashboard(FS, ROUND)
    assert [c["city"] for c in board["cities"]] == ["佛山市"] and board["cities"][0]["records"] == len(mine)
    assert sum(board["status"].values()) == len(mine) and board["status"]["待定"] == 1
    assert board["codes"] == dict(Counter(f["code"] for r in mine for f in r["findings"]))
    c = s.contract(FS, ROUND)
    assert [r["id"] for r in c["records"]] == [r["id"] for r in mine]
    assert [x["city"] for x in c["cities"]] == ["佛山市"]
    assert all("佛山市" in f["file"] for f in c["files"]) and c["files"]
    ids = {r["id"] for r in mine}
    assert c["duplicates"] and all(p["a"] in ids or p["b"] in ids for p in c["duplicates"])
    cross = contract["duplicates"][1]  # 佛山市 record paired with a 汕头市 one: no content of the other
    other = s.record(FS, ROUND, cross["a"]).duplicates[0]["other"]
    assert other["restricted"] and "fields" not in other and other["city"] == "汕头市"
    assert s.record(FS, ROUND, own["id"]).decision.status == "待定"


def test_city_viewer_learns_which_city_recycled_but_not_whose_record(loaded, contract):
    flagged = [(r, f) for r in contract["records"] if r["city"] == "佛山市" for f in r["findings"]
               if f["code"] == "DUPLICATE_OF" and (f.get("data") or {}).get("other_city") == "汕头市"]
    assert flagged, "the sample round plants a 佛山市 row recycled by 汕头市"
    record, finding = flagged[0]
    company = finding["data"]["other_company"]
    assert company in finding["message"]  # what the province sees

    def dup_findings(data: dict) -> list[dict]:
        return [f for f in data["findings"] if f["code"] == "DUPLICATE_OF"]

    seen = dup_findings(loaded.record(P, ROUND, record["id"]).data)
    assert any(company in f["message"] for f in seen)
    for data in (loaded.record(FS, ROUND, record["id"]).data,
                 next(r for r in loaded.contract(FS, ROUND)["records"] if r["id"] == record["id"])):
        (hidden,) = [f for f in dup_findings(data) if f["data"].get("other_city") == "汕头市"]
        assert company not in hidden["message"] and "汕头市" in hidden["message"] and "相似度" in hidden["message"]
        assert "other_company" not in hidden["data"] and "other_source" not in hidden["data"]
        assert (hidden["start"], hidden["end"]) == (finding["start"], finding["end"])  # the span stays


def test_viewer_validation(loaded):
    with pytest.raises(ValueError):
        Viewer("某人", "city")
    with pytest.raises(ValueError):
        Viewer("某人", "admin")
    with pytest.raises(ValueError):
        loaded.queue(Viewer("某人", "city", None), ROUND)


# -- schema ----------------------------------------------------------------------------------------------------
def _indexes(store: Store) -> set[str]:
    return {i["name"] for i in inspect(store.engine).get_indexes("records")}


def test_fresh_database_at_current_version(store):
    assert store.schema_version() == SCHEMA_VERSION >= 2
    assert "ix_records_round_city" in _indexes(store)
    store.close()
    with Store.open(store.url) as again:  # reopening is a no-op
        assert again.schema_version() == SCHEMA_VERSION


def test_older_database_is_migrated(target, contract):
    engine = make_engine(resolve_target(target))
    assert migrate(engine, target=1) == 1
    engine.dispose()
    old = Store(resolve_target(target))
    assert old.schema_version() == 1 and "ix_records_round_city" not in _indexes(old)
    old.import_round(ROUND, contract, files_of(contract), "导入员")  # data written under version 1
    old.close()
    with Store.open(target) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert "ix_records_round_city" in _indexes(s)
        assert len(s.queue(P, ROUND, city="佛山市")) == len(_of(contract, "佛山市")) + 6


def test_newer_database_is_refused(store):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE schema_info SET version = :v"), {"v": SCHEMA_VERSION + 1})
    store.close()
    with pytest.raises(SchemaError, match=str(SCHEMA_VERSION + 1)):
        Store.open(store.url)


# -- audit and dashboard ---------------------------------------------------------------------------------------
def test_audit_log_entries(loaded, contract):
    rec = next(r for r in contract["records"] if r.get("highlights"))
    loaded.decide(P, ROUND, rec["id"], "退回修改", "缺少改造前后对比", 0)
    loaded.review_direction(P, ROUND, rec["id"], "数字化", "add")
    loaded.set_publicity(P, ROUND, rec["id"], 0, True)
    loaded.set_publicity(P, ROUND, rec["id"], 0, False)
    log = loaded.audit_log(ROUND)
    assert [e.action for e in log] == ["set_publicity", "set_publicity", "review_direction", "decide", "import"]
    assert [e.id for e in log] == sorted((e.id for e in log), reverse=True)
    assert log[3].detail == {"status": "退回修改", "note": "缺少改造前后对比", "version": 1}
    assert (log[3].actor, log[3].record_id, log[3].round) == (P.username, rec["id"], ROUND)
    assert log[0].detail["picked"] is False and log[1].detail["picked"] is True
    assert log[4].detail["records"] == len(contract["records"]) and log[4].actor == "导入员"
    assert loaded.audit_log("1999") == [] and len(loaded.audit_log(limit=2)) == 2
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                "UPDATE decisions SET status = '通过'", "DELETE FROM decisions"):
        with pytest.raises(Exception, match="append-only"):
            with loaded.engine.begin() as conn:
                conn.execute(text(sql))
    assert len(loaded.audit_log()) == 5 and count(loaded, audit_log, actor="x") == 0


def test_dashboard_counts(loaded, contract):
    recs = contract["records"]
    loaded.decide(P, ROUND, _of(contract, "韶关市")[0]["id"], "通过", "", 0)
    loaded.decide(P, ROUND, _of(contract, "韶关市")[1]["id"], "退回修改", "", 0)
    board = loaded.dashboard(P, ROUND)
    per_city = Counter(r["city"] for r in recs)
    assert {c["city"]: c["records"] for c in board["cities"]} == per_city
    assert {c["city"]: c["reviewed"] for c in board["cities"]} == {"佛山市": 0, "汕头市": 0, "韶关市": 2}
    src = {c["city"]: c for c in contract["cities"]}
    assert all(c["region"] == src[c["city"]]["region"] and c["findings"] == src[c["city"]]["findings"]
               for c in board["cities"])
    assert board["codes"] == dict(Counter(f["code"] for r in recs for f in r["findings"]))
    assert board["status"] == {UNREVIEWED: len(recs) - 2, "通过": 1, "退回修改": 1, "待定": 0}
    for d in ("智能化", "数字化", "绿色化"):
        assert board["directions"][d] == {
            "declared": sum(bool((r.get("declared_directions") or {}).get(d)) for r in recs),
            "inferred": sum(bool((r.get("directions") or {}).get(d, {}).get("tag")) for r in recs)}


def test_rounds_newest_first(store, contract):
    for label in ("2023", "2025", "2024"):
        store.import_round(label, contract, files_of(contract, label), "导入员")
    assert store.rounds(P) == store.rounds(FS) == ["2025", "2024", "2023"]


def test_default_location_is_the_data_dir(monkeypatch, tmp_path):
    """SQLite-only by nature: Store.open() with no target uses review.sqlite under $JIGAI_DATA_DIR, in WAL."""
    monkeypatch.setenv("JIGAI_DATA_DIR", str(tmp_path / "data"))
    assert data_dir() == tmp_path / "data" and data_dir().is_dir()
    with Store.open() as s:
        assert Path(s.engine.url.database) == tmp_path / "data" / "review.sqlite"
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


@pytest.mark.slow
def test_speed_on_a_province_sized_round(store, sample_contract):
    from app.store.bench import bench_on

    figures = bench_on(store, sample_contract, 1100)
    assert figures["records"] == 1100
    assert figures["queue_ms"] < 500 and figures["queue_filtered_ms"] < 500 and figures["queue_search_ms"] < 500
    assert figures["record_max_ms"] < 300
