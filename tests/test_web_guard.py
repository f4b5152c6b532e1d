"""The HTTP guard through the real server: foreign origins refused, logout by POST only, the login's Chinese
answers and locks (per username and per client address), the app's own login page, export files for their
maker (or a provincial reviewer) only."""
import httpx
import pytest

from app.web import auth, guard
from app.web.auth import add_user
from webapp import call, login, small_contract, start

pytestmark = pytest.mark.slow  # starts a Gradio server (a few seconds)

FOREIGN = "http://127.0.0.1:9999"
ENGLISH = ("Login", "Username", "Password", "Incorrect", "Settings", "gradio")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    demo, url = start(tmp_path_factory.mktemp("guard"), mp, contract=small_contract())
    yield demo, url
    demo.close()
    demo.service.store.close()
    mp.undo()


@pytest.fixture
def server(app):
    demo, url = app
    yield url
    users = demo.service.users  # every test client is 127.0.0.1: forget its failures between tests
    users._by_user, users._by_address = auth.Backoff(auth.USER_FREE_FAILURES), auth.Backoff(auth.ADDRESS_FREE_FAILURES)


def own(url: str) -> str:
    return url.rstrip("/")


def dashboard(client, **headers):
    return client.post("/gradio_api/call/dashboard", json={"data": ["2025"]}, headers=headers)


def test_calls_from_another_origin_are_refused(server):
    prov = login(server, "prov")
    assert dashboard(prov).status_code == 200  # no Origin: not a browser's cross-site request
    assert dashboard(prov, Origin=own(server)).status_code == 200
    for origin in (FOREIGN, "http://localhost:9999", "null", "http://evil.example"):
        r = dashboard(prov, Origin=origin)
        assert r.status_code == 403 and "来源不是本系统" in r.json()["detail"], origin
    assert dashboard(prov, Referer=FOREIGN + "/page").status_code == 403
    assert dashboard(prov, Referer=own(server) + "/").status_code == 200
    # the decision that a page on another port made in the reported case: refused, and nothing decided
    r = prov.post("/gradio_api/call/decide", json={"data": ["2025", "fs-1", "通过", "跨站", 0, []]},
                  headers={"Origin": FOREIGN})
    assert r.status_code == 403
    event, out = call(prov, "open_record", ["2025", "fs-1", []])
    assert event == "complete" and out[9] == 0  # still version 0: no decision was stored
    for path in ("/gradio_api/queue/join", "/gradio_api/upload", "/logout"):
        assert prov.post(path, headers={"Origin": FOREIGN}).status_code == 403, path
    assert prov.get("/config", headers={"Origin": FOREIGN}).status_code == 403  # no credentialed cross-origin reads
    anon = httpx.Client(base_url=server)
    r = anon.post("/login", data={"username": "prov", "password": "prov-pass"}, headers={"Origin": FOREIGN})
    assert r.status_code == 403 and not r.cookies


def test_logout_is_by_post_only(server):
    prov = login(server, "prov")
    r = prov.get("/logout")
    assert r.status_code == 405 and "退出登录" in r.json()["detail"]
    assert prov.get("/config").status_code == 200  # still logged in
    r = prov.post("/logout", headers={"Origin": own(server)})
    assert r.status_code == 302
    assert prov.get("/config").status_code == 401


def test_the_login_page_is_the_apps_own_and_chinese(server):
    page = httpx.Client(base_url=server).get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    for text in ("用户名", "密码", "登录", "请使用审核账号登录"):
        assert text in page.text
    assert not [w for w in ENGLISH if w in page.text]
    assert "http" not in page.text  # nothing fetched from anywhere
    prov = login(server, "prov")
    assert "用户名" not in prov.get("/").text  # a logged-in reviewer gets the app
    assert prov.get("/config").json()["footer_links"] == []  # no footer: no English settings panel, no API page


def test_wrong_credentials_and_locks_are_answered_in_chinese(server):
    anon = httpx.Client(base_url=server)
    answers = [anon.post("/login", data={"username": "prov", "password": "wrong"})
               for _ in range(auth.USER_FREE_FAILURES + 2)]
    assert [r.status_code for r in answers] == [400] * auth.USER_FREE_FAILURES + [429, 429]
    assert answers[0].json()["detail"] == "用户名或密码不正确。"
    locked = answers[-1]
    assert "账号“prov”" in locked.json()["detail"] and "暂时锁定" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) >= 1
    assert anon.post("/login", data={"username": "prov", "password": "prov-pass"}).status_code == 429
    assert anon.post("/login", data={"username": "prov"}).json()["detail"] == "请填写用户名和密码"


def test_one_address_cannot_try_username_after_username(server):
    anon = httpx.Client(base_url=server)
    codes = [anon.post("/login", data={"username": f"guess{i}", "password": "pw"},
                       headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code  # a forged address changes nothing
             for i in range(15)]
    assert codes[:auth.ADDRESS_FREE_FAILURES] == [400] * auth.ADDRESS_FREE_FAILURES
    assert set(codes[auth.ADDRESS_FREE_FAILURES:]) == {429}
    r = anon.post("/login", data={"username": "fs", "password": "fs-pass"})
    assert r.status_code == 429 and "本机地址（127.0.0.1）" in r.json()["detail"]


def test_an_export_is_served_to_its_maker_and_provincial_reviewers_only(app, server):
    demo, _ = app
    add_user(demo.service.users.path, "fs2", "city", "佛山市", "fs2-pass")
    prov, fs, fs2, prov2 = (login(server, "prov"), login(server, "fs"), login(server, "fs2", "fs2-pass"),
                            login(server, "prov2"))
    event, out = call(prov, "export_excel", ["2025"])
    assert event == "complete"
    province_file = _path(out[0]["url"])
    assert "全省" in httpx.URL(out[0]["url"]).path
    assert prov.get(province_file).status_code == 200
    assert prov2.get(province_file).status_code == 200  # another provincial reviewer may
    r = fs.get(province_file)  # the reported leak: a city session with the link
    assert r.status_code == 403 and "导出者本人" in r.json()["detail"]
    assert fs.head(province_file).status_code == 403
    event, out = call(fs, "export_excel", ["2025"])
    assert event == "complete"
    city_file = _path(out[0]["url"])
    assert fs.get(city_file).status_code == 200 and prov.get(city_file).status_code == 200
    assert fs2.get(city_file).status_code == 403  # the same city, another reviewer: not the maker
    event, out = call(fs, "export_publicity", ["2025"])
    assert event == "complete" and fs.get(_path(out[0]["url"])).status_code == 200
    assert fs2.get(_path(out[0]["url"])).status_code == 403
    assert httpx.get(server.rstrip("/") + province_file).status_code in (401, 403)  # not logged in


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_idle_session_ends(server, monkeypatch):
    prov = login(server, "prov")
    assert prov.get("/config").status_code == 200
    now = guard._clock()
    monkeypatch.setattr(guard, "_clock", lambda: now + guard.SESSION_IDLE_S / 2)
    assert prov.get("/config").status_code == 200  # used within the limit: still in, and the clock restarts
    monkeypatch.setattr(guard, "_clock", lambda: now + guard.SESSION_IDLE_S * 1.4)
    assert prov.get("/config").status_code == 200
    monkeypatch.setattr(guard, "_clock", lambda: now + guard.SESSION_IDLE_S * 2.5)
    assert prov.get("/config").status_code == 401  # idle longer than the limit: logged out
    assert "用户名" in prov.get("/").text  # and shown the login page
