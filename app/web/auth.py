"""Reviewer accounts: a users file (JSON or TOML), scrypt password hashes, and the login check.

File format (default ``<data dir>/users.json``)::

    {"users": [{"username": "fs", "role": "city", "city": "佛山市", "password": "scrypt$<salt hex>$<hash hex>"}]}

Hashes use ``hashlib.scrypt`` (n=2**14, r=8, p=1, 32 bytes) with a random 16-byte salt; verification uses
``hmac.compare_digest``. The file is re-read when it changes, so ``jigai users add`` works on a running server.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("province", "city")
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2 ** 14, 8, 1, 32
#: failed logins per username allowed within LOCK_WINDOW seconds before further tries are refused
MAX_FAILURES, LOCK_WINDOW = 5, 300.0


class UsersFileError(ValueError):
    """The users file is missing, unreadable or holds an invalid entry."""


def default_users_path() -> Path:
    """``users.json`` in the data dir ($JIGAI_DATA_DIR or ~/.local/share/jigai)."""
    root = os.environ.get("JIGAI_DATA_DIR")
    base = Path(root).expanduser() if root else Path.home() / ".local" / "share" / "jigai"
    return base / "users.json"


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` of a password."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=DKLEN)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a ``scrypt$salt$hash`` string (constant-time comparison)."""
    try:
        scheme, salt_hex, hash_hex = stored.split("$")
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except (AttributeError, ValueError):
        return False
    if scheme != "scrypt" or not salt or not expected:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=len(expected))
    return hmac.compare_digest(digest, expected)


_DUMMY_HASH = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    city: str | None
    password: str

    def to_json(self) -> dict:
        return {"username": self.username, "role": self.role, "city": self.city, "password": self.password}


def normalise_city(city: str | None) -> str | None:
    """The full name of a Guangdong city (佛山 → 佛山市); UsersFileError if it is none of the 21."""
    if not city:
        return None
    from nlp.codelists import codelists

    found = codelists().city(city)
    if found is None:
        raise UsersFileError(f"“{city}”不是广东省的地级市（unknown city）")
    return found.name


def _check_user(entry: dict) -> User:
    username = str(entry.get("username") or "").strip()
    role = entry.get("role")
    if not username:
        raise UsersFileError("用户缺少用户名（a user has no username）")
    if role not in ROLES:
        raise UsersFileError(f"用户{username}的角色应为 province 或 city（bad role {role!r}）")
    city = normalise_city(entry.get("city")) if role == "city" else None
    if role == "city" and city is None:
        raise UsersFileError(f"地市用户{username}须指定地市（a city user needs a city）")
    password = str(entry.get("password") or "")
    if not password.startswith("scrypt$"):
        raise UsersFileError(f"用户{username}的密码不是 scrypt 散列（password must be a scrypt hash）")
    return User(username, role, city, password)


def read_users(path: Path) -> dict[str, User]:
    """The users of a JSON or TOML file, by username."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UsersFileError(f"无法读取用户文件 {path}：{exc.strerror}") from exc
    try:
        if Path(path).suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"用户文件 {path} 格式错误：{exc}") from exc
    users: dict[str, User] = {}
    for entry in data.get("users", []) if isinstance(data, dict) else []:
        user = _check_user(entry if isinstance(entry, dict) else {})
        users[user.username] = user
    return users


def write_users(path: Path, users: dict[str, User]) -> None:
    """Write the users file as JSON, atomically, readable by its owner only."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        raise UsersFileError("只能写入 JSON 格式的用户文件（TOML files are read-only here）")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"users": [u.to_json() for u in users.values()]}, ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(path: Path, username: str, role: str, city: str | None, password: str) -> User:
    """Create or update one user in the file (the file is created when missing)."""
    path = Path(path)
    users = read_users(path) if path.exists() else {}
    if not password:
        raise UsersFileError("密码不能为空（empty password）")
    user = _check_user({"username": username, "role": role, "city": city, "password": hash_password(password)})
    users[user.username] = user
    write_users(path, users)
    return user


class Users:
    """The reviewers of a users file: the login check Gradio calls, and username → Viewer."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_users_path()
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._users: dict[str, User] = {}
        self._failures: dict[str, list[float]] = {}
        self._load()

    def _load(self) -> None:
        mtime = self.path.stat().st_mtime_ns if self.path.exists() else None
        if mtime != self._mtime:
            self._users = read_users(self.path) if mtime is not None else {}
            self._mtime = mtime

    def get(self, username: str | None) -> User | None:
        with self._lock:
            try:
                self._load()
            except UsersFileError:
                pass  # keep the last good file rather than lock everyone out
            return self._users.get(username or "")

    def all(self) -> list[User]:
        with self._lock:
            self._load()
            return list(self._users.values())

    def check(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` callable: True for a known user with the right password."""
        user = self.get(username)
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(username, []) if now - t < LOCK_WINDOW]
            self._failures[username] = recent
            if len(recent) >= MAX_FAILURES:
                return False
        ok = verify_password(password, user.password if user else _DUMMY_HASH) and user is not None
        if not ok:
            with self._lock:
                self._failures.setdefault(username, []).append(now)
        return ok

    def __call__(self, username: str, password: str) -> bool:
        return self.check(username, password)

    def viewer_for(self, username: str | None):
        """The store's Viewer of a logged-in user; PermissionError if the user is unknown (e.g. removed)."""
        from app.store import Viewer

        user = self.get(username)
        if user is None:
            raise PermissionError("未登录或账号已停用（unknown user）")
        return Viewer(user.username, user.role, user.city)
