"""Start the review app: open the store, check the users file, optionally import a round, launch Gradio.

Offline by construction: telemetry off (env set before Gradio is imported), a theme with system fonts
only, no share link, bound to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

FONTS = ["system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"]
MONO = ["ui-monospace", "Consolas", "monospace"]

NO_USERS = """没有审核用户：请先添加用户，例如
  jigai users add 省厅审核员 --role province
  jigai users add 佛山审核员 --role city --city 佛山市
或以演示账号启动：jigai serve --demo-users
(No reviewer accounts in {path}: add one with `jigai users add NAME --role province|city [--city 佛山市]`,
or start with --demo-users.)"""


AUTH_MESSAGE = "请使用审核账号登录（工业技术改造“百企千项”申报材料审核）"


def theme():
    """Gradio's default theme with system fonts only (its default fonts would be fetched)."""
    import gradio as gr

    return gr.themes.Default(font=FONTS, font_mono=MONO)


def load_round(store, paths: list[str], round_label: str, data_dir: Path, actor: str = "jigai-serve",
               archive_path: Path | None = None, out=sys.stderr, timeout_s: float | None = None):
    """Bring files or folders named on the command line into the round exactly as an upload would (each file
    once, by city and name, replacing a file of the same name; refused files quarantined), then analyse and
    import the round within the analysis budget; unchanged files are not analysed again."""
    from .uploads import ANALYSIS_TIMEOUT_S, import_uploads

    found = [p for p in paths if Path(p).exists()]
    for m in paths:
        if not Path(m).exists():
            print(f"找不到：{m}", file=out)

    def progress(fraction: float, desc: str) -> None:
        print(f"\r[{fraction:4.0%}] {desc[:60]:<60}", end="", file=out, flush=True)

    report = import_uploads(store, round_label, found, actor, data_dir, progress=progress,
                            archive_path=archive_path, timeout_s=timeout_s or ANALYSIS_TIMEOUT_S)
    print(file=out)
    for item in report.rejected:
        print(f"未接收：{item}", file=out)
    for item in report.failures:
        print(f"无法读取：{item}", file=out)
    if report.error:
        print(report.error, file=out)
    if report.imported:
        state = "与上次相同，未改动" if report.skipped else f"记录{report.records}条，问题{report.findings}项"
        print(f"已导入{round_label}年材料：{state}", file=out)
    return report


def serve(store_target=None, host: str = "127.0.0.1", port: int = 7860, users_file: str | Path | None = None,
          load: list[str] | None = None, round: str | None = None, max_file_size: str | int = "50mb",
          demo_users: bool = False, prevent_thread_lock: bool = False, quiet: bool = False,
          data_dir: str | Path | None = None):
    """Run the app; returns (blocks, local url) when ``prevent_thread_lock`` (tests).

    ``data_dir`` (default $JIGAI_DATA_DIR or ~/.local/share/jigai) holds the store, uploads and users file."""
    if data_dir is not None:
        os.environ["JIGAI_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local process could then pose as any
    # address and escape the per-address login limit. Trust no proxy unless the admin names it.
    os.environ.setdefault("FORWARDED_ALLOW_IPS", "")
    from .auth import Users, UsersFileError, default_users_path
    from .demo_users import ensure_demo_users
    from .uploads import parse_size

    users_path = Path(users_file) if users_file else default_users_path()
    if demo_users:
        ensure_demo_users(users_path)
    try:
        users = Users(users_path)
    except UsersFileError as exc:
        raise SystemExit(f"用户文件有误（bad users file）：{exc}") from None
    if not users.all():
        raise SystemExit(NO_USERS.format(path=users_path))
    limit = parse_size(max_file_size)

    from app.store import Store
    from app.store import data_dir as store_data_dir

    from starlette.middleware import Middleware

    from .css import CSS
    from .guard import Guard
    from .ui import TITLE, build_app

    folder = store_data_dir()
    # the embeddings cache (and converted model) live with the store unless $JIGAI_CACHE_DIR says otherwise
    os.environ.setdefault("JIGAI_CACHE_DIR", str(folder / "cache"))
    store = Store.open(store_target)
    label = str(round) if round else None
    if load:
        if not label:
            import datetime as dt

            label = str(dt.date.today().year)
        load_round(store, list(load), label, folder)
    demo = build_app(store, users, folder, max_file_size=limit, default_round=label)
    demo.queue(default_concurrency_limit=4)
    # the guard sits inside Gradio's own middleware, in front of every route (see app/web/guard.py)
    guard = Middleware(Guard, users=users, exports=demo.service.exports, title=TITLE, message=AUTH_MESSAGE)
    _, url, _ = demo.launch(
        share=False, server_name=host, server_port=port, auth=users.authenticate,
        auth_message=AUTH_MESSAGE, max_file_size=limit, app_kwargs={"middleware": [guard]},
        allowed_paths=[], prevent_thread_lock=prevent_thread_lock, quiet=quiet, footer_links=[],
        enable_monitoring=False, run_history=False, pwa=False, mcp_server=False, ssr_mode=False,
        theme=theme(), css=CSS, show_error=False, inbrowser=False)
    return demo, url
