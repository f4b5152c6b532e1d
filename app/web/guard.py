"""The review app's HTTP guard: one ASGI middleware in front of every Gradio route.

- **Origins.** A request whose ``Origin`` (or, lacking one, for a state-changing method, its ``Referer``) is not
  the app's own — same host and port as the ``Host`` it was sent to — is refused with 403, whatever the route:
  Gradio's CORS middleware reflects any localhost origin with credentials, so a page on another local port
  could otherwise call the app's API in a logged-in reviewer's browser. Requests without either header
  (scripts, curl) are not browser cross-site requests and pass.
- **Login.** ``POST /login`` is answered by Gradio's route, with the client address handed to
  ``Users.authenticate`` (through ``auth.CURRENT_LOGIN``); a refusal is rewritten into a Chinese message:
  400 for wrong credentials, 429 with ``Retry-After`` for a locked username or address. ``GET /`` without a
  session serves the app's own Chinese login page instead of Gradio's (whose texts and settings are English
  and which cannot show why a login was refused).
- **Logout** only by ``POST /logout`` (a link or an image cannot log a reviewer out); ``GET /logout`` is 405.
- **Idle sessions** end: a session cookie unused for ``SESSION_IDLE_S`` seconds is dropped (Gradio keeps
  its sessions until logout or restart), so a forgotten browser does not stay logged in.
- **Export files.** Gradio serves output files at ``/gradio_api/file=<path>`` to any logged-in session;
  a file named like an export is served only to the user who made it (``ExportOwners``, filled by
  ``Service``) or to a provincial reviewer, else 403.
"""
from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, JSONResponse

from .auth import CURRENT_LOGIN, WRONG_CREDENTIALS, LoginAttempt

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATHS = frozenset({"/login", "/login/"})
LOGOUT_PATHS = frozenset({"/logout", "/logout/"})
FILE_PREFIXES = ("/gradio_api/file=", "/gradio_api/file/")
#: the ``what`` of Service's export names (``<round>年-<scope>-<what>-<YYYYmmdd-HHMMSS>.<ext>``)
EXPORT_KINDS = ("审核结果", "宣传汇编")
EXPORT_NAME = re.compile(r"^.+年-.+-(?:" + "|".join(EXPORT_KINDS) + r")-\d{8}-\d{6}\.(?:xlsx|docx)$")

#: a session unused this long (seconds) is logged out
SESSION_IDLE_S = 8 * 3600.0
_clock = time.monotonic  # the idle clock (tests replace it, never time.monotonic itself)

FOREIGN_ORIGIN = "拒绝访问：请求来自其他网页（来源不是本系统）"
NOT_YOURS = "拒绝访问：该导出文件只能由导出者本人或省级审核人员下载"
POST_ONLY = "请使用页面上的“退出登录”按钮退出"
MISSING_FIELDS = "请填写用户名和密码"


class ExportOwners:
    """Who made each export file: its name and content digest → the usernames that wrote exactly it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._owners: dict[tuple[str, str], set[str]] = {}

    @staticmethod
    def _digest(path: Path) -> str | None:
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return None

    def add(self, path: Path, username: str) -> None:
        """Record ``username`` as the maker of the (written) export file ``path``."""
        digest = self._digest(path)
        if digest is not None:
            with self._lock:
                self._owners.setdefault((Path(path).name, digest), set()).add(username)

    def may_fetch(self, path: Path, username: str, role: str | None) -> bool:
        """True unless ``path`` is named like an export and ``username`` neither made it nor is provincial.
        Gradio serves a copy from its cache (same name, same bytes), so name and digest identify the export;
        an export of an earlier run (unknown here) is for provincial reviewers only."""
        if not EXPORT_NAME.match(Path(path).name) or role == "province":
            return True
        digest = self._digest(path)
        with self._lock:
            return username in self._owners.get((Path(path).name, digest or ""), set())


def _origin_key(url: str) -> tuple[str, int] | None:
    """(host, port) of an origin or URL; None for "null" or anything unparsable."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        return parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None


def is_foreign(scope) -> bool:
    """True when the request comes from a page of another origin than the one it was sent to."""
    headers = Headers(scope=scope)
    source = headers.get("origin")
    if source is None and scope.get("method", "GET") not in SAFE_METHODS:
        source = headers.get("referer")
    if source is None:
        return False
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    own = _origin_key(f"{scheme}://{headers.get('host', '')}")
    return own is None or _origin_key(source) != own


def session_token(scope) -> str | None:
    """The request's Gradio session token, when it is a live one."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not tokens or cookie_id is None:
        return None
    cookies = cookie_parser(Headers(scope=scope).get("cookie", ""))
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token if token in tokens else None


def session_user(scope) -> str | None:
    """The username of the request's Gradio session cookie (None when not logged in)."""
    token = session_token(scope)
    return scope["app"].tokens.get(token) if token else None


def login_page(title: str, message: str) -> str:
    """The app's login page: Chinese only, no external resource, the server's refusal shown as text."""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · 登录</title>
<style>
body{{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f5f6f8;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;color:#1f2937}}
form{{background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.08);width:360px}}
h1{{font-size:18px;margin:0 0 6px}} p.note{{color:#4b5563;font-size:14px;margin:0 0 18px}}
label{{display:block;font-size:14px;margin:12px 0 4px}}
input{{width:100%;box-sizing:border-box;padding:8px 10px;font-size:15px;border:1px solid #d1d5db;border-radius:6px}}
button{{margin-top:18px;width:100%;padding:9px;font-size:15px;border:0;border-radius:6px;background:#2563eb;color:#fff}}
#login-error{{color:#b91c1c;font-size:14px;margin-top:12px;min-height:1em}}
</style></head>
<body><form id="login" method="post" action="login">
<h1>{html.escape(title)}</h1><p class="note">{html.escape(message)}</p>
<label for="username">用户名</label><input id="username" name="username" autocomplete="username" required>
<label for="password">密码</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit">登录</button><div id="login-error" role="alert"></div>
</form>
<script>
document.getElementById("login").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const box = document.getElementById("login-error");
  box.textContent = "正在登录…";
  try {{
    const r = await fetch("login", {{method: "POST", body: new URLSearchParams(new FormData(event.target)),
                                    credentials: "same-origin"}});
    if (r.ok) {{ location.reload(); return; }}
    let detail = "登录失败，请稍后再试";
    try {{ const j = await r.json(); if (typeof j.detail === "string") detail = j.detail; }} catch (e) {{}}
    box.textContent = detail;
    document.getElementById("password").value = "";
  }} catch (e) {{ box.textContent = "无法连接服务器，请稍后再试"; }}
}});
</script></body></html>"""


class Guard:
    """ASGI middleware: origin check, login/logout handling and export-file ownership (see the module)."""

    def __init__(self, app, *, users, exports: ExportOwners, title: str = "审核系统", message: str = ""):
        self.app = app
        self.users = users
        self.exports = exports
        self.page = login_page(title, message)
        self._seen: dict[str, float] = {}  # session token -> last request (_clock)

    def _expire_idle(self, scope) -> None:
        """Drop the request's session if it was idle past SESSION_IDLE_S; note its use otherwise."""
        token = session_token(scope)
        if token is None:
            return
        now = _clock()
        last = self._seen.get(token)
        if last is not None and now - last > SESSION_IDLE_S:
            scope["app"].tokens.pop(token, None)
            self._seen.pop(token, None)
            return
        self._seen[token] = now
        if len(self._seen) > 4 * len(scope["app"].tokens) + 100:  # forget logged-out tokens
            live = scope["app"].tokens
            self._seen = {t: at for t, at in self._seen.items() if t in live}

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if is_foreign(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await JSONResponse({"detail": FOREIGN_ORIGIN}, status_code=403)(scope, receive, send)
            return
        self._expire_idle(scope)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path in LOGOUT_PATHS:
            if method != "POST":
                await JSONResponse({"detail": POST_ONLY}, status_code=405, headers={"Allow": "POST"})(
                    scope, receive, send)
                return
            scope = dict(scope, method="GET")  # Gradio's logout route is a GET
        elif path in LOGIN_PATHS and method == "POST":
            await self._login(scope, receive, send)
            return
        elif path == "/" and method in ("GET", "HEAD") and session_user(scope) is None:
            await HTMLResponse(self.page, headers={"Cache-Control": "no-store"})(scope, receive, send)
            return
        elif path.startswith(FILE_PREFIXES) and not self._may_fetch(scope, path):
            await JSONResponse({"detail": NOT_YOURS}, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _may_fetch(self, scope, path: str) -> bool:
        username = session_user(scope)
        if username is None:
            return True  # Gradio's login check answers 401
        target = path.split("=", 1)[1] if path.startswith(FILE_PREFIXES[0]) else path[len(FILE_PREFIXES[1]):]
        user = self.users.get(username)
        return self.exports.may_fetch(Path(target), username, user.role if user else None)

    async def _login(self, scope, receive, send):
        """Gradio's login route with the client's address known, its refusals in Chinese."""
        client = scope.get("client")
        attempt = LoginAttempt(address=client[0] if client else None)
        token = CURRENT_LOGIN.set(attempt)
        replaced = False

        async def reply(message):
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] >= 400:
                replaced = True
                result = attempt.result
                if result is None:  # the form lacked a field: FastAPI's English 422
                    response = JSONResponse({"detail": MISSING_FIELDS}, status_code=400)
                elif result.locked:
                    response = JSONResponse({"detail": result.message}, status_code=429,
                                            headers={"Retry-After": str(int(result.retry_after) + 1)})
                else:
                    response = JSONResponse({"detail": result.message or WRONG_CREDENTIALS}, status_code=400)
                await response(scope, receive, send)
                return
            if not replaced:
                await send(message)

        try:
            await self.app(scope, receive, reply)
        finally:
            CURRENT_LOGIN.reset(token)
