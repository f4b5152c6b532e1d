"""Helpers for the web app's tests: a small contract, users, an in-process server, Gradio's HTTP API."""
from __future__ import annotations

import json
import socket
from pathlib import Path

HOSTILE = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> [点我](http://evil.example/) '
           "${7*7} {{7*7}}")

FS_CONTENT = "新建智能总装线2条，配置工业机器人24台，部署MES系统，形成年产200万台的生产能力。"
FS_EFFECT = "改造后生产效率由每小时120台提升至260台，用工由40人减至15人，产品合格率由97.5%提升至99.3%。"
ST_EFFECT = "xx" + FS_EFFECT  # the shared passage starts 2 characters later on the 汕头 side


def _record(rid: str, city: str, company: str, content: str, effect: str, row: int) -> dict:
    return {
        "id": rid, "kind": "project", "city": city, "company": company,
        "source": {"file": f"{city}-附件1.xlsx", "sheet": "Sheet1", "row": row},
        "fields": {"项目名称": f"{company}智能化改造项目", "项目建设内容": content, "技术改造实施效果": effect},
        "declared_directions": {"智能化": True, "数字化": False, "绿色化": False},
        "directions": {"智能化": {"score": 0.9, "tag": True, "declared": True,
                                 "reasons": [{"field": "项目建设内容", "start": content.find("工业机器人"),
                                              "end": content.find("工业机器人") + 5, "text": "工业机器人"}]}
                       if "工业机器人" in content else {"score": 0.2, "tag": False, "declared": True, "reasons": []},
                       "数字化": {"score": 0.7, "tag": True, "declared": False, "reasons": []},
                       "绿色化": {"score": 0.1, "tag": False, "declared": False, "reasons": []}},
        "evidence": [{"field": "技术改造实施效果", "start": effect.find("生产效率"), "end": effect.find("260台") + 4,
                      "text": "", "metric": "生产效率", "before": 120, "after": 260, "unit": "台"}]
        if "生产效率" in effect else [{"field": "技术改造实施效果", "start": 0, "end": 8, "text": effect[:8]}],
        "counts": {"项目建设内容": {"chars": len(content), "wps": len(content)},
                   "技术改造实施效果": {"chars": len(effect), "wps": len(effect)}},
        "sensitive": [],
        "findings": [{"code": "DIRECTION_UNDECLARED", "severity": "warning", "field": "项目建设内容",
                      "message": "文字描述了数字化改造，但未申报"}],
        "highlights": [{"field": "技术改造实施效果", "start": 0, "end": len(effect), "text": effect, "score": 0.8,
                        "why": "有量化数据"}],
    }


def small_contract(round_label: str = "2025") -> dict:
    """Two 佛山市 records (one hostile), one 汕头市 record that duplicates the first."""
    fs1 = _record("fs-1", "佛山市", "佛山市测试电器有限公司", FS_CONTENT, FS_EFFECT, 5)
    fs2 = _record("fs-2", "佛山市", '<img src=x onerror="window.__xss=3">公司', HOSTILE, HOSTILE, 6)
    st1 = _record("st-1", "汕头市", "汕头市测试玩具有限公司", FS_CONTENT, ST_EFFECT, 5)
    pair = {"a": "fs-1", "b": "st-1", "kind": "light_edit", "score": 0.95,
            "shared": [{"a_field": "技术改造实施效果", "a_start": 0, "a_end": len(FS_EFFECT),
                        "b_field": "技术改造实施效果", "b_start": 2, "b_end": 2 + len(FS_EFFECT)}],
            "changed": {"company": ["佛山市测试电器有限公司 → 汕头市测试玩具有限公司"]}}
    cities = [{"city": "佛山市", "region": "珠三角", "projects": 2, "enterprises": 0, "min_projects": 60,
               "min_enterprises": 6, "quota_ok": False, "findings": []},
              {"city": "汕头市", "region": "粤东", "projects": 1, "enterprises": 0, "min_projects": 40,
               "min_enterprises": 4, "quota_ok": False, "findings": []}]
    return {"schema": 1, "round": round_label, "records": [fs1, fs2, st1], "duplicates": [pair],
            "duplicate_clusters": [], "cities": cities, "file_findings": [], "files": [], "failures": []}


USERS = {"prov": ("province", None, "prov-pass"), "prov2": ("province", None, "prov2-pass"),
         "fs": ("city", "佛山市", "fs-pass")}


def write_users(path: Path) -> Path:
    from app.web.auth import add_user

    for name, (role, city, password) in USERS.items():
        add_user(path, name, role, city, password)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path: Path, monkeypatch, *, contract: dict | None = None, max_file_size: str = "50mb"):
    """Serve a fresh store (with ``contract`` imported as round 2025) on a free port: (demo, url)."""
    from app.store import Store
    from app.web.server import serve

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    monkeypatch.setenv("JIGAI_DATA_DIR", str(data))
    users = write_users(data / "users.json")
    db = data / "review.sqlite"
    if contract is not None:
        store = Store.open(db)
        store.import_round("2025", contract, [("test.xlsx", "0" * 64)], "test")
        store.close()
    return serve(db, port=free_port(), users_file=users, prevent_thread_lock=True, quiet=True,
                 round="2025" if contract is not None else None, max_file_size=max_file_size)


def login(url: str, username: str, password: str | None = None):
    import httpx

    client = httpx.Client(base_url=url, timeout=60)
    r = client.post("/login", data={"username": username, "password": password or USERS[username][2]})
    assert r.status_code == 200, r.text
    return client


def call(client, api_name: str, data: list) -> tuple[str, object]:
    """Call a named event over Gradio's HTTP API: ("complete", outputs) or ("error", message)."""
    r = client.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert r.status_code == 200, (r.status_code, r.text)
    event_id = r.json()["event_id"]
    event, payload = None, None
    with client.stream("GET", f"/gradio_api/call/{api_name}/{event_id}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                raw = line.split(":", 1)[1].strip()
                payload = json.loads(raw) if raw and raw != "null" else None
                break
    if event == "error" and isinstance(payload, dict):
        payload = payload.get("error")
    return event, payload
