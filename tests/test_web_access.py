"""Access over HTTP: the app in-process, reviewers logged in through Gradio's /login, the app's endpoints
called as a city reviewer for another city's record (refused by the server) and as a provincial one."""
import io
import socket

import httpx
import openpyxl
import pytest

from app.store import AccessDenied, DecisionConflict, Store
from app.web.auth import Users
from app.web.service import Service
from webapp import call, login, small_contract, start, write_users

pytestmark = pytest.mark.slow  # starts a Gradio server (a few seconds)

ALL_LAYERS = ["evidence", "sections", "directions", "sensitive", "overflow"]


CONNECTIONS: list = []


def _recording(method):
    def connect(sock, address, *args):
        CONNECTIONS.append(address)
        return method(sock, address, *args)
    return connect


def _resolving(method):
    def getaddrinfo(host, *args, **kwargs):
        CONNECTIONS.append(host.decode() if isinstance(host, bytes) else host)
        return method(host, *args, **kwargs)
    return getaddrinfo


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    for name in ("connect", "connect_ex"):  # every outgoing connection the server process makes
        mp.setattr(socket.socket, name, _recording(getattr(socket.socket, name)))
    mp.setattr(socket, "getaddrinfo", _resolving(socket.getaddrinfo))  # and every name looked up
    demo, url = start(tmp_path_factory.mktemp("web"), mp, contract=small_contract())
    yield url
    demo.close()
    demo.service.store.close()
    mp.undo()


@pytest.fixture
def fs(server):
    client = login(server, "fs")
    yield client
    client.close()


@pytest.fixture
def prov(server):
    client = login(server, "prov")
    yield client
    client.close()


def test_nothing_without_login(server):
    anon = httpx.Client(base_url=server)
    assert anon.get("/config").status_code == 401
    assert anon.post("/gradio_api/call/open_record", json={"data": ["2025", "st-1", []]}).status_code == 401
    assert anon.get("/gradio_api/info").status_code == 401
    r = anon.post("/login", data={"username": "prov", "password": "wrong"})
    assert r.status_code == 400
    assert anon.get("/config").status_code == 401


def test_city_reviewer_cannot_open_or_decide_another_citys_record(fs):
    event, message = call(fs, "open_record", ["2025", "st-1", ALL_LAYERS])
    assert event == "error" and "无权" in message
    event, message = call(fs, "decide", ["2025", "st-1", "通过", "越权", 0, []])
    assert event == "error" and "无权" in message
    event, message = call(fs, "direction_accept", ["2025", "st-1", "智能化", ""])
    assert event == "error" and "无权" in message
    event, message = call(fs, "publicity", ["2025", "st-1", []])
    assert event == "error" and "无权" in message


def test_city_reviewer_works_on_its_own_city(fs):
    event, out = call(fs, "open_record", ["2025", "fs-1", ALL_LAYERS])
    assert event == "complete"
    header, narrative, duplicates = out[0], out[1], out[4]
    assert "佛山市测试电器有限公司" in header and "l-evidence" in narrative
    assert "无权查看原文" in duplicates and "汕头市测试玩具" not in duplicates  # the pair's other side is hidden
    event, out = call(fs, "queue", ["2025", "汕头市", "", "", "", "", "", False, "severity"])
    assert event == "complete"
    cities = {row[0] for row in out[0]["data"]}
    assert cities <= {"佛山市"}  # asking for 汕头市 gives nothing of 汕头市


def test_hostile_text_comes_back_escaped(fs):
    event, out = call(fs, "open_record", ["2025", "fs-2", ALL_LAYERS])
    assert event == "complete"
    for html in out[:6]:
        assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in out[1]


def test_provincial_reviewer_opens_and_decides_any_city(prov):
    event, out = call(prov, "open_record", ["2025", "st-1", ALL_LAYERS])
    assert event == "complete" and "汕头市测试玩具有限公司" in out[0]
    version = out[9]
    event, out = call(prov, "decide", ["2025", "st-1", "退回修改", "请补充改造前后对比", version, ALL_LAYERS])
    assert event == "complete", out
    assert "已保存：退回修改" in out[-1] and out[9] == version + 1


def test_returning_a_record_needs_a_reason(prov):
    # a validation message, not an error: it shows beside the decision controls, which stay as they were
    event, out = call(prov, "decide", ["2025", "fs-2", "退回修改", "  ", 0, []])
    assert event == "complete" and "写明原因" in out[-1] and out[-1].count("写明原因") == 1
    event, out = call(prov, "queue", ["2025", "", "", "", "", "", "", False, "bogus"])
    assert event == "complete" and "排序“bogus”不是可选值" in out[1]


def test_second_decision_on_the_same_version_gets_the_conflict(server):
    first, second = login(server, "prov"), login(server, "prov2")
    _, out1 = call(first, "open_record", ["2025", "fs-1", []])
    _, out2 = call(second, "open_record", ["2025", "fs-1", []])
    assert out1[9] == out2[9] == 0
    event, out = call(first, "decide", ["2025", "fs-1", "通过", "材料齐全", 0, []])
    assert event == "complete" and out[9] == 1
    event, out = call(second, "decide", ["2025", "fs-1", "待定", "再看看", 0, []])
    assert event == "complete"
    message = out[-1]
    assert "该记录已由prov于" in message and "决定为“通过”" in message and "材料齐全" in message
    assert out[9] == 1  # reloaded: the next submission builds on version 1
    event, out = call(second, "decide", ["2025", "fs-1", "待定", "再看看", 1, []])
    assert event == "complete" and out[9] == 2


def test_city_export_holds_only_its_city(fs):
    event, out = call(fs, "export_excel", ["2025"])
    assert event == "complete"
    r = fs.get(_path(out[0]["url"]))
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb["审核结果"]
    cities = {ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)}
    assert cities == {"佛山市"}
    # every cell is text or a number, never a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # the exported file is served only to a logged-in session
    assert httpx.get(out[0]["url"]).status_code in (401, 403)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_server_never_connects_anywhere_but_itself(server, prov):
    call(prov, "dashboard", ["2025"])
    hosts = {a[0] if isinstance(a, tuple) else a for a in CONNECTIONS}
    assert hosts and hosts <= {"127.0.0.1", "localhost", "::1"}, hosts  # no telemetry, no version check


# -- the same rules at the service level (no HTTP) -------------------------------------------------------------
@pytest.fixture
def service(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    store.import_round("2025", small_contract(), [("t.xlsx", "1" * 64)], "test")
    svc = Service(store, Users(write_users(tmp_path / "users.json")), tmp_path)
    yield svc
    store.close()


def test_service_conflict_names_the_first_decision(service):
    service.decide("prov", "2025", "st-1", "通过", "first", 0)
    with pytest.raises(DecisionConflict) as exc:
        service.decide("prov2", "2025", "st-1", "待定", "second", 0)
    assert exc.value.current.reviewer == "prov" and exc.value.current.status == "通过"


def test_service_refuses_city_writes_and_uploads(service, tmp_path):
    with pytest.raises(AccessDenied):
        service.decide("fs", "2025", "st-1", "通过", "", 0)
    with pytest.raises(AccessDenied):
        service.set_publicity("fs", "2025", "st-1", [0])
    with pytest.raises(AccessDenied):
        service.upload("fs", "2025", [tmp_path / "x.csv"])
    with pytest.raises(AccessDenied):
        service.record("removed-user", "2025", "fs-1")
    assert service.set_publicity("fs", "2025", "fs-1", [0]) == [0]
    assert [e["record_id"] for e in service.store.publicity(service.viewer("prov"), "2025")] == ["fs-1"]


def test_service_exports(service, tmp_path):
    service.decide("prov", "2025", "fs-2", "退回修改", "=HYPERLINK(\"http://evil.example\")", 0)
    service.set_publicity("prov", "2025", "fs-1", [0])
    xlsx = service.export_excel("prov", "2025")
    ws = openpyxl.load_workbook(xlsx)["审核结果"]
    rows = {ws.cell(row=i, column=1).value: [c.value for c in ws[i]] for i in range(2, ws.max_row + 1)}
    assert set(rows) == {"fs-1", "fs-2", "st-1"}
    assert rows["fs-2"][13:16] == ["退回修改", "=HYPERLINK(\"http://evil.example\")", "prov"]
    assert ws.cell(row=[*rows].index("fs-2") + 2, column=15).data_type == "s"
    docx = service.export_publicity("prov", "2025")
    from docx import Document

    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert "典型经验汇编（2025年）" in text
    assert "改造后生产效率由每小时120台" in text and "佛山市测试电器有限公司" in text

