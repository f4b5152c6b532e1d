"""Reviewer accounts: a users file (JSON or TOML), scrypt password hashes, and the login check.

File format (default ``<data dir>/users.json``)::

    {"users": [{"username": "fs", "role": "city", "city": "佛山市", "password": "scrypt$<salt hex>$<hash hex>"}]}

Hashes use ``hashlib.scrypt`` (n=2**14, r=8, p=1, 32 bytes) with a random 16-byte salt; verification uses
``hmac.compare_digest``. The file is re-read when it changes, so ``jigai users add`` works on a running server.

Login throttling (``Users.login``): failures are counted per username (known or not, so a lock says nothing
about which accounts exist) and per client address. Past a few free failures each further failure locks the
key for a delay that doubles (``BACKOFF_BASE`` · 2^k, at most ``BACKOFF_MAX``); a locked key is refused without
checking the password, with a message naming what is locked and when to retry. A wrong username costs the same
scrypt as a wrong password (a dummy hash).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import math
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROLES = ("province", "city")
SCRYPT_N, SCRYPT_R, SCRYPT_P, DKLEN = 2 ** 14, 8, 1, 32
#: consecutive failed logins allowed per username / per client address before each further one locks the key
USER_FREE_FAILURES, ADDRESS_FREE_FAILURES = 3, 10
#: the first lock lasts BACKOFF_BASE seconds and doubles with every further failure, up to BACKOFF_MAX
BACKOFF_BASE, BACKOFF_MAX = 2.0, 900.0
#: a key's failures are forgotten after this many seconds without one (and a username's on a successful login)
FORGET_AFTER = 3600.0
#: at most this many keys are tracked (the oldest unlocked ones are dropped first)
MAX_TRACKED = 10_000
#: the lockout clock (tests replace it, never time.monotonic itself)
_clock = time.monotonic
#: the answer to a wrong username or password (the same for both)
WRONG_CREDENTIALS = "用户名或密码不正确"


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
    from nlp.constants import codelists

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
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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


class Backoff:
    """Consecutive failures per key; past ``free`` of them each further failure locks the key for a delay that
    doubles (BACKOFF_BASE, 2·BACKOFF_BASE, … at most BACKOFF_MAX). Times are ``_clock()`` seconds.
    Not thread-safe by itself (Users holds its lock around it)."""

    def __init__(self, free: int):
        self.free = free
        self._keys: dict[str, list[float]] = {}  # key -> [failures, last failure, locked until]

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        state = self._keys.get(key)
        return max(0.0, state[2] - now) if state else 0.0

    def fail(self, key: str, now: float) -> float:
        """Count a failure; returns the lock it starts (seconds, 0 while still within the free failures)."""
        self._prune(now)
        state = self._keys.get(key)
        if state is None or now - state[1] > FORGET_AFTER:
            state = self._keys[key] = [0, now, now]
        state[0] += 1
        state[1] = now
        over = int(state[0]) - self.free
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (over - 1)) if over > 0 else 0.0
        state[2] = now + delay
        return delay

    def clear(self, key: str) -> None:
        self._keys.pop(key, None)

    def _prune(self, now: float) -> None:
        if len(self._keys) < MAX_TRACKED:
            return
        for key, (_, last, until) in list(self._keys.items()):
            if until <= now and now - last > FORGET_AFTER:
                del self._keys[key]
        if len(self._keys) >= MAX_TRACKED:  # still full: drop the oldest unlocked keys
            unlocked = sorted((last, key) for key, (_, last, until) in self._keys.items() if until <= now)
            for _, key in unlocked[: len(self._keys) - MAX_TRACKED + 1]:
                del self._keys[key]


@dataclass(frozen=True)
class LoginResult:
    """The answer to one login: ``ok``, or a Chinese ``message`` and, when locked, what (``"user"`` or
    ``"address"``) and for how many seconds (``retry_after``)."""
    ok: bool
    message: str = ""
    locked: str | None = None
    retry_after: float = 0.0


@dataclass
class LoginAttempt:
    """Set by the HTTP guard around Gradio's /login: the client's address in, the login's result out."""
    address: str | None
    result: LoginResult | None = None


#: the login being answered on this request (app.web.guard sets it; Gradio's auth callable only gets the credentials)
CURRENT_LOGIN: ContextVar[LoginAttempt | None] = ContextVar("jigai_login", default=None)


def _retry_text(seconds: float) -> str:
    """“14:02:33 之后（约 8 秒后）” for a lock of ``seconds`` from now."""
    at = (datetime.now() + timedelta(seconds=math.ceil(seconds))).strftime("%H:%M:%S")
    left = f"约{math.ceil(seconds)}秒后" if seconds < 90 else f"约{math.ceil(seconds / 60)}分钟后"
    return f"{at}之后（{left}）"


def locked_message(what: str, name: str, seconds: float) -> str:
    """The Chinese message of a locked username (``what="user"``) or client address."""
    subject = f"账号“{name}”" if what == "user" else f"本机地址（{name}）"
    return f"{subject}登录失败次数过多，已暂时锁定，请在{_retry_text(seconds)}再试。"


class Users:
    """The reviewers of a users file: the login check Gradio calls, and username → Viewer."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_users_path()
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._users: dict[str, User] = {}
        self._by_user, self._by_address = Backoff(USER_FREE_FAILURES), Backoff(ADDRESS_FREE_FAILURES)
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

    def login(self, username: str, password: str, address: str | None = None) -> LoginResult:
        """Check one login against the locks of the username and of the client ``address``, then the password;
        a failure counts against both. The password is checked (scrypt, dummy hash for an unknown user) only
        when neither is locked."""
        username = username or ""
        now = _clock()
        with self._lock:
            wait_address = self._by_address.wait(address, now) if address else 0.0
            wait_user = self._by_user.wait(username, now)
        if wait_address > 0:
            return LoginResult(False, locked_message("address", address, wait_address), "address", wait_address)
        if wait_user > 0:
            return LoginResult(False, locked_message("user", username, wait_user), "user", wait_user)
        user = self.get(username)
        ok = verify_password(password or "", user.password if user else _DUMMY_HASH) and user is not None
        with self._lock:
            if ok:
                self._by_user.clear(username)
                return LoginResult(True)
            lock_user = self._by_user.fail(username, now)
            lock_address = self._by_address.fail(address, now) if address else 0.0
        if lock_address > 0:
            return LoginResult(False, f"{WRONG_CREDENTIALS}。" + locked_message("address", address, lock_address),
                               "address", lock_address)
        if lock_user > 0:
            return LoginResult(False, f"{WRONG_CREDENTIALS}。" + locked_message("user", username, lock_user),
                               "user", lock_user)
        return LoginResult(False, f"{WRONG_CREDENTIALS}。")

    def check(self, username: str, password: str) -> bool:
        """True for a known user with the right password (the address is the current request's, if any)."""
        attempt = CURRENT_LOGIN.get()
        result = self.login(username, password, attempt.address if attempt else None)
        if attempt is not None:
            attempt.result = result
        return result.ok

    async def authenticate(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` callable: ``check`` in a worker thread (scrypt never blocks the event loop)."""
        import anyio

        attempt = CURRENT_LOGIN.get()
        result = await anyio.to_thread.run_sync(self.login, username, password,
                                                attempt.address if attempt else None)
        if attempt is not None:
            attempt.result = result
        return result.ok

    def __call__(self, username: str, password: str) -> bool:
        return self.check(username, password)

    def viewer_for(self, username: str | None):
        """The store's Viewer of a logged-in user; PermissionError if the user is unknown (e.g. removed)."""
        from app.store import Viewer

        user = self.get(username)
        if user is None:
            raise PermissionError("未登录或账号已停用（unknown user）")
        return Viewer(user.username, user.role, user.city)
