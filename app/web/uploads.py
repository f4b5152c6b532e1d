"""Uploads: check and save a round's files, analyse the whole round folder, import it into the store.

Files are saved under ``<data dir>/uploads/<round>/`` (a file of the same name replaces the earlier one);
the WHOLE folder is analysed each time so that duplicates across cities are found, then compared with the
archive of earlier rounds when one exists, and imported as one transaction. A rejected or unreadable file
is named with its reason; the good files are still imported.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".et", ".csv", ".docx", ".doc", ".wps", ".pdf", ".txt", ".md", ".zip")
DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024
_UNITS = {"b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4}
_LOCK = threading.Lock()

Progress = Callable[[float, str], None]


def parse_size(value: str | int | None) -> int:
    """Bytes of ``50mb``, ``200kb``, ``1048576`` (None: the 50 MB default)."""
    if value is None:
        return DEFAULT_MAX_FILE_SIZE
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+)\s*([kmgt]?b)?\s*", str(value).lower())
    if not m:
        raise ValueError(f"无法识别的文件大小：{value!r}（例：50mb）")
    return int(m.group(1)) * _UNITS[m.group(2) or "b"]


@dataclass
class Rejected:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}：{self.reason}"


@dataclass
class UploadReport:
    round: str
    saved: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    failures: list[Rejected] = field(default_factory=list)
    records: int = 0
    findings: int = 0
    duplicates: int = 0
    archived_pairs: int = 0
    skipped: bool = False
    imported: bool = False


def safe_name(name: str) -> str:
    """A file name safe to save and to show: no folders, no control characters, none of ``<>:"|?*``, not
    hidden, at most 150 characters."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r'[<>:"|?*]', "_", base)
    base = base.strip().lstrip(".")
    if len(base) > 150:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[:140] + dot + suffix) if dot else base[:150]
    return base


def check_file(path: Path, display: str, max_bytes: int) -> str | None:
    """Why an uploaded file is refused (Chinese), or None."""
    suffix = Path(display).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return f"不支持的文件类型“{suffix or '无扩展名'}”（可上传：{' '.join(ALLOWED_SUFFIXES)}）"
    if not path.is_file():
        return "文件未上传成功"
    size = path.stat().st_size
    if size == 0:
        return "文件为空"
    if size > max_bytes:
        return f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {max_bytes / 1024 / 1024:.0f} MB）"
    return None


def save_uploads(files: Iterable[str | Path], round_dir: Path, max_bytes: int) -> tuple[list[str], list[Rejected]]:
    """Copy the acceptable uploads into ``round_dir``; the others come back with their reason."""
    round_dir.mkdir(parents=True, exist_ok=True)
    saved, rejected = [], []
    for f in files:
        path = Path(f)
        name = safe_name(path.name)
        reason = "文件名无效" if not name else check_file(path, name, max_bytes)
        if reason:
            rejected.append(Rejected(name or path.name, reason))
            continue
        shutil.copyfile(path, round_dir / name)
        saved.append(name)
    return saved, rejected


def round_files(round_dir: Path) -> list[tuple[str, str]]:
    """(name relative to the round folder, sha256 hex) of every file saved for the round."""
    out = []
    for p in sorted(round_dir.rglob("*")) if round_dir.exists() else []:
        if p.is_file() and not p.name.startswith("."):
            out.append((p.relative_to(round_dir).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()))
    return out


def _file_count(round_dir: Path) -> int:
    n = 0
    for p in round_dir.rglob("*"):
        if not p.is_file():
            continue
        if p.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    n += sum(1 for i in zf.infolist() if not i.is_dir())
            except (zipfile.BadZipFile, OSError):
                n += 1
        else:
            n += 1
    return max(n, 1)


def _analyse_watched(round_dir: Path, year: int, progress: Progress | None):
    """nlp.pipeline.analyse in a worker thread; this thread reports files read, then the elapsed time."""
    from nlp.pipeline import analyse

    total = _file_count(round_dir)
    state: dict = {"done": 0, "name": "", "result": None, "error": None}

    def on_file(name: str) -> None:
        state["done"] += 1
        state["name"] = name

    def work() -> None:
        try:
            state["result"] = analyse([round_dir], year, progress=on_file)
        except BaseException as exc:  # re-raised in the caller's thread
            state["error"] = exc

    worker = threading.Thread(target=work, name="jigai-analyse", daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        worker.join(1.0)
        if progress is None:
            continue
        done, elapsed = state["done"], int(time.monotonic() - started)
        if done < total:
            progress(0.5 * done / total, f"读取文件 {done}/{total}：{state['name']}")
        else:
            progress(0.55, f"分析文字：量化数据、必备内容、改造方向、查重（已用时{elapsed}秒，首次约需1–2分钟）")
    if state["error"] is not None:
        raise state["error"]
    return state["result"]


def analyse_folder(round_dir: Path, year: int, progress: Progress | None = None,
                   archive_path: Path | None = None):
    """(contract, analysis) of the whole round folder, compared with the archive if it exists."""
    from app.archive import Archive, check_against_archive, default_archive_path
    from app.report_json import to_contract

    if progress:
        progress(0.0, "开始读取文件")
    analysis = _analyse_watched(round_dir, year, progress)
    archived: list[dict] = []
    path = archive_path or default_archive_path()
    if path.exists() and analysis.records:
        if progress:
            progress(0.8, "与往年材料比对")
        archive = Archive(path)
        try:
            archived = check_against_archive(analysis, archive)
        finally:
            archive.close()
    return to_contract(analysis, archived), analysis


def round_dir_of(data_dir: Path, round_label: str) -> Path:
    """``<data dir>/uploads/<round>``; the round must be a four-digit year."""
    if not re.fullmatch(r"\d{4}", str(round_label)):
        raise ValueError("轮次应为四位年份，例如 2025")
    return Path(data_dir) / "uploads" / str(round_label)


def import_uploads(store, round_label: str, files: Iterable[str | Path], actor: str, data_dir: Path,
                   max_bytes: int = DEFAULT_MAX_FILE_SIZE, progress: Progress | None = None,
                   archive_path: Path | None = None) -> UploadReport:
    """Save the uploads, analyse the round folder and import it (one upload at a time)."""
    round_dir = round_dir_of(data_dir, round_label)
    with _LOCK:
        saved, rejected = save_uploads(files, round_dir, max_bytes)
        report = _import_folder(store, str(round_label), round_dir, actor, progress, archive_path)
    report.saved, report.rejected = saved, rejected
    return report


def import_folder(store, round_label: str, round_dir: Path, actor: str, progress: Progress | None = None,
                  archive_path: Path | None = None) -> UploadReport:
    """Analyse a round folder as it is and import it."""
    with _LOCK:
        return _import_folder(store, str(round_label), round_dir, actor, progress, archive_path)


def _import_folder(store, round_label: str, round_dir: Path, actor: str, progress: Progress | None,
                   archive_path: Path | None) -> UploadReport:
    report = UploadReport(round_label)
    names = round_files(round_dir)
    if not names:
        return report
    contract, analysis = analyse_folder(round_dir, int(round_label), progress, archive_path)
    report.failures = [Rejected(f.file, f.reason) for f in analysis.ingest.failures]
    report.archived_pairs = sum(1 for p in contract["duplicates"] if p.get("round"))
    if not contract["records"]:
        return report
    if progress:
        progress(0.9, "写入审核数据库")
    result = store.import_round(round_label, contract, names, actor)
    report.records, report.findings, report.duplicates = result.records, result.findings, result.duplicates
    report.skipped, report.imported = result.skipped, True
    if progress:
        progress(1.0, "导入完成")
    return report
