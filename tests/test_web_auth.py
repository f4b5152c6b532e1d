"""Reviewer accounts: scrypt hashes, the login check, the users file, `jigai users` and `jigai serve`'s refusal."""
import io
import json
import os
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


def test_repeated_failures_lock_the_username(tmp_path, monkeypatch):
    path = tmp_path / "users.json"
    add_user(path, "prov", "province", None, "right")
    users = Users(path)
    for _ in range(auth.MAX_FAILURES):
        assert not users.check("prov", "wrong")
    assert not users.check("prov", "right")  # locked for LOCK_WINDOW seconds
    now = auth.time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + auth.LOCK_WINDOW + 1)
    assert users.check("prov", "right")


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
