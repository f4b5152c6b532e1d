"""Reviewer accounts: scrypt hashes, the login check, the users file, `jigai users` and `jigai serve`'s refusal."""
import io
import json
import os
import re
import stat

import pytest

from app.cli import main
from app.web import auth
from app.web.auth import (Users, UsersFileError, add_user, hash_password, read_users, verify_password)
from app.web.demo_users import ensure_demo_users


def test_hash_format_and_verification():
    h = hash_password("正确的密码")
    scheme, salt, digest = h.split("$")
    assert scheme == "scrypt" and len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert verify_password("正确的密码", h)
    assert not verify_password("错误的密码", h)
    assert not verify_password("", h)
    assert hash_password("x") != hash_password("x")  # a random salt each time
    assert hash_password("x", b"s" * 16) == hash_password("x", b"s" * 16)


@pytest.mark.parametrize("stored", ["", "plain", "md5$aa$bb", "scrypt$zz$00", "scrypt$$", None])
def test_malformed_hashes_never_verify(stored):
    assert not verify_password("plain", stored)


def test_users_check_and_viewer(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "pw1")
    add_user(path, "fs", "city", "佛山", "pw2")
    users = Users(path)
    assert users.check("prov", "pw1") and users("fs", "pw2")
    assert not users.check("prov", "pw2")
    assert not users.check("nobody", "pw1")
    v = users.viewer_for("fs")
    assert (v.username, v.role, v.city) == ("fs", "city", "佛山市")
    assert users.viewer_for("prov").city is None
    with pytest.raises(PermissionError):
        users.viewer_for("nobody")
    with pytest.raises(PermissionError):
        users.viewer_for(None)


def test_users_file_is_reread_when_it_changes(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "a", "province", None, "pw")
    users = Users(path)
    assert not users.check("b", "pw")
    add_user(path, "b", "city", "汕头市", "pw")
    os.utime(path, ns=(1, 10 ** 18))  # a different mtime even on coarse clocks
    assert users.check("b", "pw")


class Clock:
    """The lockout clock under the test's control."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(auth, "_clock", lambda: self.now)


def test_repeated_failures_lock_the_username_with_growing_delays(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users, clock = Users(path), Clock(monkeypatch)
    for _ in range(auth.USER_FREE_FAILURES):
        result = users.login("prov", "wrong", "10.0.0.1")
        assert not result.ok and result.locked is None and result.message == "用户名或密码不正确。"
    delays = []
    for _ in range(4):
        result = users.login("prov", "wrong", "10.0.0.1")
        assert result.locked == "user"
        delays.append(result.retry_after)
        refused = users.login("prov", "right", "10.0.0.2")  # locked: even the right password is refused
        assert not refused.ok and refused.locked == "user"
        assert "账号“prov”" in refused.message and "暂时锁定" in refused.message and "再试" in refused.message
        assert "凭据不正确" not in refused.message and "不正确" not in refused.message
        clock.now += result.retry_after + 0.1
    assert delays == [auth.BACKOFF_BASE * 2 ** k for k in range(4)]
    assert users.login("prov", "right", "10.0.0.2").ok  # the lock is over
    # a success forgets the failures: the next wrong password is a free one again
    assert users.login("prov", "wrong", "10.0.0.3").locked is None


def test_the_delay_is_capped_and_failures_are_forgotten(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users, clock = Users(path), Clock(monkeypatch)
    last = None
    for _ in range(auth.USER_FREE_FAILURES + 20):
        result = users.login("prov", "wrong")
        last = result.retry_after or last
        clock.now += result.retry_after + 0.1
    assert last == auth.BACKOFF_MAX
    clock.now += auth.FORGET_AFTER + 1
    assert users.login("prov", "wrong").locked is None  # an hour later the count starts again


def test_the_lock_message_says_when_to_retry():
    message = auth.locked_message("user", "province", 8)
    assert message.startswith("账号“province”登录失败次数过多，已暂时锁定，请在") and "约8秒后" in message
    assert "约5分钟后" in auth.locked_message("address", "127.0.0.1", 300)
    assert "本机地址（127.0.0.1）" in auth.locked_message("address", "127.0.0.1", 300)


def test_unknown_usernames_lock_like_known_ones(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users, _ = Users(path), Clock(monkeypatch)
    known = [users.login("prov", "wrong", f"10.0.0.{i}") for i in range(auth.USER_FREE_FAILURES + 1)]
    unknown = [users.login("nobody", "wrong", f"10.0.1.{i}") for i in range(auth.USER_FREE_FAILURES + 1)]
    assert [r.locked for r in known] == [r.locked for r in unknown]
    def shape(message: str, name: str) -> str:  # the retry time is wall-clock: it may tick between the two
        return re.sub(r"\d{1,2}:\d{2}:\d{2}", "HH:MM:SS", message.replace(name, "X"))

    assert [shape(r.message, "prov") for r in known] == [shape(r.message, "nobody") for r in unknown]


def test_one_address_trying_many_usernames_is_locked(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users, clock = Users(path), Clock(monkeypatch)
    results = [users.login(f"guess{i}", "pw", "10.9.9.9") for i in range(30)]
    assert all(r.locked is None for r in results[:auth.ADDRESS_FREE_FAILURES])
    assert results[auth.ADDRESS_FREE_FAILURES].locked == "address"
    assert "本机地址（10.9.9.9）" in results[-1].message
    assert sum(r.locked is None for r in results) == auth.ADDRESS_FREE_FAILURES  # no free tries while locked
    assert not users.login("prov", "right", "10.9.9.9").ok  # the address is locked, whatever the account
    assert users.login("prov", "right", "10.9.9.10").ok  # another address is not
    clock.now += auth.BACKOFF_MAX
    assert users.login("prov", "right", "10.9.9.9").ok


def test_a_wrong_username_costs_the_same_scrypt_as_a_wrong_password(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users = Users(path)
    calls = []
    real = auth.hashlib.scrypt
    monkeypatch.setattr(auth.hashlib, "scrypt", lambda *a, **k: calls.append(k) or real(*a, **k))
    for name, password in (("prov", "wrong"), ("nobody", "wrong"), ("prov", "right")):
        calls.clear()
        users.login(name, password, "10.0.0.1")
        assert len(calls) == 1 and {(c["n"], c["r"], c["p"], c["dklen"]) for c in calls} == \
            {(auth.SCRYPT_N, auth.SCRYPT_R, auth.SCRYPT_P, auth.DKLEN)}, (name, calls)


def test_the_check_reads_the_address_of_the_current_login(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users, _ = Users(path), Clock(monkeypatch)
    attempt = auth.LoginAttempt(address="10.1.1.1")
    token = auth.CURRENT_LOGIN.set(attempt)
    try:
        for i in range(auth.ADDRESS_FREE_FAILURES + 1):
            users.check(f"u{i}", "pw")
    finally:
        auth.CURRENT_LOGIN.reset(token)
    assert attempt.result.locked == "address"
    assert not users.login("prov", "right", "10.1.1.1").ok


def test_the_users_folder_is_created_private(tmp_path):
    path = tmp_path / "new" / "users.json"
    add_user(path, "prov", "province", None, "pw")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_users_file_is_private_and_holds_no_password(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "s3cret-口令")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "s3cret" not in text and json.loads(text)["users"][0]["password"].startswith("scrypt$")


def test_toml_users_file(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text(f'[[users]]\nusername = "fs"\nrole = "city"\ncity = "佛山市"\npassword = "{hash_password("pw")}"\n',
                    encoding="utf-8")
    assert Users(path).check("fs", "pw")


@pytest.mark.parametrize("entry, message", [
    ({"username": "x", "role": "city", "city": None}, "须指定地市"),
    ({"username": "x", "role": "city", "city": "北京市"}, "不是广东省的地级市"),
    ({"username": "x", "role": "admin"}, "角色"),
    ({"username": "", "role": "province"}, "用户名"),
    ({"username": "x", "role": "province", "password": "plaintext"}, "scrypt"),
])
def test_invalid_users_are_refused(tmp_path, entry, message):
    path = tmp_path / "users.json"
    entry = {"password": hash_password("pw"), **entry}
    path.write_text(json.dumps({"users": [entry]}), encoding="utf-8")
    with pytest.raises(UsersFileError, match=message):
        read_users(path)


def test_cli_users_add_and_list(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("第一个密码\n"))
    assert main(["users", "add", "fs", "--role", "city", "--city", "佛山", "--password-stdin",
                 "--users", str(path)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("prov-pw\n"))
    assert main(["users", "add", "prov", "--role", "province", "--password-stdin",
                 "--users", str(path)]) == 0
    assert Users(path).check("fs", "第一个密码")
    capsys.readouterr()
    assert main(["users", "list", "--users", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["fs\tcity\t佛山市", "prov\tprovince\t"]
    # adding again changes the password, keeps one entry
    monkeypatch.setattr("sys.stdin", io.StringIO("第二个密码\n"))
    assert main(["users", "add", "fs", "--role", "city", "--city", "佛山市", "--password-stdin",
                 "--users", str(path)]) == 0
    users = Users(path)
    assert users.check("fs", "第二个密码") and not users.check("fs", "第一个密码")
    assert len(read_users(path)) == 2


def test_cli_users_add_prompts_twice(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    answers = iter(["pw-a", "pw-b"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "prov", "--role", "province", "--users", str(path)]) == 2
    assert not path.exists()
    answers = iter(["pw-a", "pw-a"])
    assert main(["users", "add", "prov", "--role", "province", "--users", str(path)]) == 0
    assert Users(path).check("prov", "pw-a")


def test_cli_users_add_refuses_bad_input(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    assert main(["users", "add", "x", "--role", "city", "--password-stdin", "--users", str(path)]) == 2
    assert "须指定地市" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["users", "add", "x", "--role", "province", "--password-stdin", "--users", str(path)]) == 2
    with pytest.raises(SystemExit):
        main(["users", "add", "x", "--role", "admin", "--password-stdin", "--users", str(path)])
    assert not path.exists()


def test_serve_refuses_to_start_without_users(tmp_path, monkeypatch):
    monkeypatch.setenv("JIGAI_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--users", str(tmp_path / "none.json"), "--port", "1"])
    message = str(exc.value)
    assert "jigai users add" in message and "没有审核用户" in message and "--demo-users" in message


def test_demo_users_created_once(tmp_path):
    path = tmp_path / "users.json"
    created = ensure_demo_users(path, out=io.StringIO())
    assert set(created) == {"province", "foshan", "shantou", "shaoguan"}
    users = Users(path)
    assert all(users.check(name, pw) for name, pw in created.items())
    assert users.viewer_for("foshan").city == "佛山市" and users.viewer_for("province").role == "province"
    note = tmp_path / "demo-passwords.txt"
    assert stat.S_IMODE(note.stat().st_mode) == 0o600 and created["foshan"] in note.read_text(encoding="utf-8")
    before = path.read_bytes()
    out = io.StringIO()
    assert ensure_demo_users(path, out=out) == {}
    assert path.read_bytes() == before and str(note) in out.getvalue()
