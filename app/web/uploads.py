"""Uploads: check a round's files, keep each once, analyse the whole round off the request thread, import it.

The round folder ``<data dir>/uploads/<round>/`` holds every file once, keyed by its safe base name, in the
folder of the city its path names (``佛山市/佛山市-附件1-….xlsx``; a file whose path names no city sits at the
top). A zip is expanded on arrival into its entries (nested zips too, within the caps below), and the start-up
``--load`` copies the same way, so a file of the same name replaces the earlier one wherever it came from: a
flat upload, a folder, an entry of an earlier zip. A name without a city replaces the one file of that name;
a name with a city replaces the file of that name in that city (and a city-less one). Record ids are made from
the file's base name, sheet and row (nlp/ingest), never from where the file sits, so decisions stay attached
to the records that survive a replacement.

Each upload (or removal) builds the round as it would be in a staging folder, analyses it in a separate
process with a time budget (``ANALYSIS_TIMEOUT_S``; a thread cannot be stopped, a process can), imports the
result in one transaction and only then swaps the staging folder in: over the budget, the worker is stopped,
the upload is reported as timed out, its files are quarantined and the round stays as it was. Files refused
on arrival or unreadable by the analysis are quarantined with their reason under
``<data dir>/quarantine/<round>/`` (listed in the upload tab, removable), never kept in the round folder.
One upload runs at a time; the others wait in line and see their position.

The upload caps are the constants below (their one source of truth; the engine's own limits, such as the zip
bomb ratio and the analysed text length, are nlp/config.py ``Limits``).
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from nlp.config import DEFAULT_CONFIG
from nlp.constants import RECORD_KIND_ZH

# The caps below are nlp.config's ``Config.uploads`` (the one config; docs/config.md), named here for this module.
#: most bytes one upload may expand to (every file, zip entries counted uncompressed, nested zips included)
MAX_UPLOAD_TOTAL_BYTES = DEFAULT_CONFIG.uploads.max_total_bytes
#: most files one upload may hold once its zips are expanded (a province round is ~21 × 10 files)
MAX_UPLOAD_ENTRIES = DEFAULT_CONFIG.uploads.max_entries
#: zips inside zips are expanded this deep at most
MAX_ZIP_DEPTH = DEFAULT_CONFIG.uploads.max_zip_depth
#: seconds the analysis of a round may take before the upload is stopped and reported as timed out (the
#: province round takes about 2 minutes cold)
ANALYSIS_TIMEOUT_S = DEFAULT_CONFIG.uploads.analysis_timeout_s
#: a plain-text 典型做法 (.txt/.md) larger than this is refused on arrival: the form allows 1,500 characters
#: (about 4.5 KB), so 256 KB is fifty times any real one
MAX_TEXT_FILE_BYTES = DEFAULT_CONFIG.uploads.max_text_file_bytes
QUARANTINE = "quarantine"
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".et", ".csv", ".docx", ".doc", ".wps", ".pdf", ".txt", ".md", ".zip")
DEFAULT_MAX_FILE_SIZE = DEFAULT_CONFIG.uploads.max_file_size
_UNITS = {"b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4}

Progress = Callable[[float, str], None]
TEXT_SUFFIXES = (".txt", ".md")
#: a file's kind as the round's file list names it: the attachment of nlp.constants.RECORD_KIND_ZH (附件1 …)
KIND_LABELS = {**{k: v[v.index("（") + 1:-1] for k, v in RECORD_KIND_ZH.items()}, "empty": "无记录"}


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
    """What one upload (or removal) did: files saved, replaced, removed and refused; records added, changed and
    removed; and the import's counts."""
    round: str
    saved: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed_files: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    failures: list[Rejected] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    records: int = 0
    findings: int = 0
    duplicates: int = 0
    archived_pairs: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: bool = False
    imported: bool = False
    timed_out: bool = False
    error: str = ""

    def summary(self) -> dict:
        """The report as JSON-able data (audited, shown again after a reload)."""
        return {"round": self.round, "saved": self.saved, "replaced": self.replaced, "removed_files": self.removed_files,
                "rejected": [[r.file, r.reason] for r in self.rejected],
                "failures": [[r.file, r.reason] for r in self.failures], "quarantined": self.quarantined,
                "records": self.records, "findings": self.findings, "duplicates": self.duplicates,
                "archived_pairs": self.archived_pairs, "records_added": self.added, "records_changed": self.changed,
                "records_removed": self.removed, "skipped": self.skipped, "imported": self.imported,
                "timed_out": self.timed_out, "error": self.error}

    @classmethod
    def from_summary(cls, data: dict) -> "UploadReport":
        report = cls(str(data.get("round") or ""))
        for key in ("saved", "replaced", "removed_files", "quarantined"):
            setattr(report, key, [str(x) for x in data.get(key) or []])
        for key in ("rejected", "failures"):
            setattr(report, key, [Rejected(str(f), str(r)) for f, r in data.get(key) or []])
        for key, name in (("records", "records"), ("findings", "findings"), ("duplicates", "duplicates"),
                          ("archived_pairs", "archived_pairs"), ("records_added", "added"),
                          ("records_changed", "changed"), ("records_removed", "removed")):
            setattr(report, name, int(data.get(key) or 0))
        for key in ("skipped", "imported", "timed_out"):
            setattr(report, key, bool(data.get(key)))
        report.error = str(data.get("error") or "")
        return report


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
    if suffix in TEXT_SUFFIXES and size > MAX_TEXT_FILE_BYTES:
        return (f"纯文本文件过大（{size / 1024:.0f} KB，上限 {MAX_TEXT_FILE_BYTES // 1024} KB）："
                "典型做法限1500字，此文件不像一份典型做法")
    return None


def city_of(path_text: str) -> str:
    """The city the closest part of a file's path names (its name, then its folders and zips outwards), or ""."""
    from nlp.constants import codelists

    lists = codelists()
    for part in reversed(re.split(r"[\\/]", str(path_text))):
        city = lists.find_city(part) if part else None
        if city:
            return city.name
    return ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- arrival: files and zips become entries, within the caps -----------------------------------------------
@dataclass
class Incoming:
    """One file of an upload: its safe base name, the city its path names, its bytes, the name it came by."""
    name: str
    city: str
    path: Path
    origin: str


@dataclass
class Refused:
    origin: str
    reason: str
    path: Path | None = None  # the bytes to quarantine (None: nothing to keep)


class _Budget:
    def __init__(self) -> None:
        self.entries = 0
        self.bytes = 0

    def take(self, size: int) -> str | None:
        if self.entries + 1 > MAX_UPLOAD_ENTRIES:
            return f"本次上传的文件过多（超过{MAX_UPLOAD_ENTRIES}个，含压缩包内的文件），请分批上传"
        if self.bytes + size > MAX_UPLOAD_TOTAL_BYTES:
            return (f"本次上传解压后总体积过大（超过{MAX_UPLOAD_TOTAL_BYTES // 1024 // 1024} MB，"
                    "含压缩包内的文件），请分批上传")
        self.entries += 1
        self.bytes += size
        return None


def _zip_totals(zf: zipfile.ZipFile, budget: _Budget) -> str | None:
    """Why a zip is refused before expanding it (declared sizes and entry count against what is left)."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if budget.entries + len(infos) > MAX_UPLOAD_ENTRIES:
        return f"压缩包内文件过多（{len(infos)}个，本次上传最多{MAX_UPLOAD_ENTRIES}个），已拒绝"
    total = sum(i.file_size for i in infos)
    if budget.bytes + total > MAX_UPLOAD_TOTAL_BYTES:
        return (f"压缩包解压后体积过大（{total / 1024 / 1024:.0f} MB，本次上传最多"
                f"{MAX_UPLOAD_TOTAL_BYTES // 1024 // 1024} MB），已拒绝")
    return None


def _expand_zip(path: Path, origin: str, work: Path, max_bytes: int, budget: _Budget, depth: int,
                out: list[Incoming], refused: list[Refused]) -> None:
    from nlp.ingest import zip_members
    from nlp.ingest.errors import IngestError
    from nlp.ingest.sniff import check_zip

    try:
        zf = check_zip(path, DEFAULT_CONFIG.limits)
    except IngestError as exc:
        refused.append(Refused(origin, exc.reason, path))
        return
    with zf:
        why = _zip_totals(zf, budget)
        if why:
            refused.append(Refused(origin, why, path))
            return
        for index, info, parts in zip_members(zf):
            entry_origin = f"{origin}/{'/'.join(parts)}"
            name = safe_name(parts[-1])
            if not name:
                refused.append(Refused(entry_origin, "文件名无效"))
                continue
            if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
                refused.append(Refused(entry_origin, f"不支持的文件类型“{Path(name).suffix.lower() or '无扩展名'}”，"
                                                     "已忽略"))
                continue
            if info.file_size > max_bytes:
                refused.append(Refused(entry_origin, f"文件过大（{info.file_size / 1024 / 1024:.1f} MB，上限 "
                                                     f"{max_bytes / 1024 / 1024:.0f} MB）"))
                continue
            dest = work / f"z{uuid.uuid4().hex}" / name
            dest.parent.mkdir(parents=True)
            written = 0
            with zf.open(info) as src, open(dest, "wb") as fh:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes or written > MAX_UPLOAD_TOTAL_BYTES:
                        break
                    fh.write(chunk)
            if written != info.file_size:
                refused.append(Refused(entry_origin, "压缩包内文件的实际大小与声明不符，疑似恶意文件，已拒绝"))
                continue
            _arrive(dest, name, entry_origin, work, max_bytes, budget, depth + 1, out, refused)


def _arrive(path: Path, name: str, origin: str, work: Path, max_bytes: int, budget: _Budget, depth: int,
            out: list[Incoming], refused: list[Refused]) -> None:
    reason = check_file(path, name, max_bytes)
    if reason:
        keep = path if path.is_file() and path.stat().st_size else None
        refused.append(Refused(origin, reason, keep))
        return
    if name.lower().endswith(".zip"):
        if depth >= MAX_ZIP_DEPTH:
            refused.append(Refused(origin, f"压缩包嵌套超过{MAX_ZIP_DEPTH}层，已拒绝", path))
            return
        _expand_zip(path, origin, work, max_bytes, budget, depth, out, refused)
        return
    why = budget.take(path.stat().st_size)
    if why:
        refused.append(Refused(origin, why, path))
        return
    out.append(Incoming(name, city_of(origin), path, origin))


def unpack(files: Iterable[tuple[Path, str]], work: Path, max_bytes: int) -> tuple[list[Incoming], list[Refused]]:
    """(path, name as uploaded) pairs → the upload's entries (zips expanded) and what was refused, with why.

    The later of two entries with the same city and name wins (it is named in ``refused`` as replaced)."""
    out: list[Incoming] = []
    refused: list[Refused] = []
    budget = _Budget()
    for path, origin in files:
        name = safe_name(Path(origin).name)
        if not name:
            refused.append(Refused(Path(origin).name or str(origin), "文件名无效"))
            continue
        _arrive(Path(path), name, origin, work, max_bytes, budget, 0, out, refused)
    seen: dict[tuple[str, str], Incoming] = {}
    for item in out:
        key = (item.city, item.name)
        if key in seen:
            refused.append(Refused(seen[key].origin, f"与同次上传的“{item.origin}”同名，以后者为准"))
        seen[key] = item
    return list(seen.values()), refused


# -- the round folder -------------------------------------------------------------------------------------
def round_dir_of(data_dir: Path, round_label: str) -> Path:
    """``<data dir>/uploads/<round>``; the round must be a four-digit year."""
    if not re.fullmatch(r"\d{4}", str(round_label)):
        raise ValueError("轮次应为四位年份，例如 2025")
    return Path(data_dir) / "uploads" / str(round_label)


def quarantine_dir_of(data_dir: Path, round_label: str) -> Path:
    round_dir_of(data_dir, round_label)
    return Path(data_dir) / QUARANTINE / str(round_label)


MANIFEST = ".files.json"


def _manifest(round_dir: Path) -> dict:
    try:
        return json.loads((round_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def round_files(round_dir: Path) -> list[tuple[str, str]]:
    """(path in the round folder, sha256 hex) of every file of the round."""
    out = []
    for p in sorted(round_dir.rglob("*")) if round_dir.exists() else []:
        if p.is_file() and not p.name.startswith("."):
            out.append((p.relative_to(round_dir).as_posix(), _sha256(p)))
    return out


@dataclass
class _Entry:
    """A file of the round as it will be: where it sits (``city/name``), its bytes, and who brought it."""
    city: str
    name: str
    source: Path
    origin: str
    uploaded_at: str
    uploaded_by: str

    @property
    def rel(self) -> str:
        return f"{self.city}/{self.name}" if self.city else self.name


def _current(round_dir: Path) -> list[_Entry]:
    """The round folder's files as entries (an older layout, with deeper folders, is re-keyed by city/name)."""
    manifest = _manifest(round_dir)
    out: dict[tuple[str, str], _Entry] = {}
    for p in sorted(round_dir.rglob("*")) if round_dir.exists() else []:
        if not p.is_file() or p.name.startswith("."):
            continue
        rel = p.relative_to(round_dir).as_posix()
        meta = manifest.get(rel) or {}
        city = meta.get("city") if "city" in meta else city_of(rel)
        entry = _Entry(city or "", p.name, p, meta.get("origin") or rel, meta.get("uploaded_at") or
                       datetime.fromtimestamp(p.stat().st_mtime, timezone.utc).isoformat(), meta.get("uploaded_by") or "")
        out[(entry.city, entry.name)] = entry
    return list(out.values())


def plan(current: list[_Entry], incoming: list[Incoming], actor: str, remove: Iterable[str] = ()
         ) -> tuple[list[_Entry], list[str], list[str], list[str], list[Refused]]:
    """The round's entries after the upload: (entries, saved, replaced, removed, refused).

    A name with a city replaces that city's file of the name and a city-less one; a name without a city replaces
    the one file of the name (refused when several cities have one)."""
    at = datetime.now(timezone.utc).isoformat()
    entries = {(e.city, e.name): e for e in current}
    removed = []
    for rel in remove:
        hit = [k for k, e in entries.items() if e.rel == rel]
        if not hit:
            raise ValueError(f"本轮没有文件“{rel}”")
        removed.append(entries.pop(hit[0]).rel)
    saved, replaced, refused = [], [], []
    for item in incoming:
        same = [k for k in entries if k[1] == item.name]
        if item.city:
            targets = [k for k in same if k[0] in (item.city, "")]
            city = item.city
        elif len({k[0] for k in same}) > 1:
            refused.append(Refused(item.origin, "多个地市都有同名文件，无法判断要替换哪一个：请在文件名或压缩包名中"
                                                "写明地市后重新上传", item.path))
            continue
        else:
            targets = same
            city = same[0][0] if same else ""
        for k in targets:
            replaced.append(entries.pop(k).rel)
        new = _Entry(city, item.name, item.path, item.origin, at, actor)
        entries[(city, item.name)] = new
        saved.append(new.rel)
    return sorted(entries.values(), key=lambda e: (e.city, e.name)), saved, replaced, removed, refused


def _place(entries: list[_Entry], folder: Path) -> None:
    """Lay the entries out under ``folder`` (hard links where possible) with the manifest."""
    folder.mkdir(parents=True)
    manifest = {}
    for e in entries:
        target = folder / e.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(e.source, target)
        except OSError:
            shutil.copyfile(e.source, target)
        manifest[e.rel] = {"city": e.city, "origin": e.origin, "uploaded_at": e.uploaded_at,
                           "uploaded_by": e.uploaded_by}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _analysis_paths(folder: Path) -> list[Path]:
    """City folders and top-level files, so that the names the analysis shows are ``佛山市/名称``."""
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


# -- quarantine -------------------------------------------------------------------------------------------
def quarantine(data_dir: Path, round_label: str, path: Path | None, origin: str, reason: str, actor: str) -> str:
    """Keep a refused file with its reason under the quarantine folder; returns its id."""
    qid = datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    folder = quarantine_dir_of(data_dir, round_label) / qid
    folder.mkdir(parents=True)
    name = safe_name(Path(origin).name) or "file"
    if path is not None and Path(path).is_file():
        shutil.copyfile(path, folder / name)
    meta = {"id": qid, "file": name, "origin": origin, "reason": reason, "actor": actor,
            "at": datetime.now(timezone.utc).isoformat(), "kept": path is not None}
    (folder / ".reason.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return qid


def quarantined(data_dir: Path, round_label: str) -> list[dict]:
    """The round's quarantined files, newest first: id, file, origin, reason, actor, at."""
    folder = quarantine_dir_of(data_dir, round_label)
    out = []
    for d in folder.iterdir() if folder.is_dir() else []:
        try:
            out.append(json.loads((d / ".reason.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(out, key=lambda m: str(m.get("at")), reverse=True)


def remove_quarantined(data_dir: Path, round_label: str, qid: str) -> dict:
    """Delete one quarantined file; returns what it was (ValueError for an unknown id)."""
    if not re.fullmatch(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}", str(qid or "")):
        raise ValueError("隔离文件编号无效")
    folder = quarantine_dir_of(data_dir, round_label) / qid
    try:
        meta = json.loads((folder / ".reason.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"没有编号为{qid}的隔离文件") from None
    shutil.rmtree(folder)
    return meta


# -- the analysis worker ----------------------------------------------------------------------------------
class AnalysisTimeout(Exception):
    """The analysis ran past its budget and was stopped."""


class AnalysisFailed(Exception):
    """The analysis process failed (its message says why)."""


def _analyse_contract(paths: list[str], year: int, archive_path: str | None, on_file: Callable[[str], None],
                      on_stage: Callable[[str], None]) -> dict:
    from app.archive import Archive
    from nlp.contract import to_contract
    from nlp.pipeline import analyse

    archive = Archive(Path(archive_path)) if archive_path and Path(archive_path).exists() else None
    try:  # the engine's archive stage compares the round with it (on_stage("archive") as it starts)
        analysis = analyse([Path(p) for p in paths], year, progress=on_file, archive=archive,
                           on_stage=lambda name: on_stage("archive") if name == "archive" and archive else None)
    finally:
        if archive is not None:
            archive.close()
    on_stage("analysed")
    return to_contract(analysis)


def _worker_main(conn) -> None:  # pragma: no cover - runs in the worker process
    """The worker process: analyse each job it is sent, report files read, send back the contract."""
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        os.environ.update(job.get("env") or {})
        try:
            contract = _analyse_contract(job["paths"], job["year"], job.get("archive"),
                                         lambda name: conn.send(("file", name)),
                                         lambda stage: conn.send(("stage", stage)))
            conn.send(("done", contract))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the app
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class AnalysisWorker:
    """A long-lived analysis process (the embedding model stays loaded between uploads), stopped and
    restarted when a job runs past its budget.

    Started with multiprocessing's "spawn" (a fresh interpreter, no forked locks or Gradio threads), which
    imports the caller's main module again: a script that uploads through this module must guard its work
    with ``if __name__ == "__main__":`` (``jigai``, pytest and ``python -c`` do)."""

    def __init__(self) -> None:
        self._proc = None
        self._conn = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker_main, args=(child,), name="jigai-analyse", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)

    def run(self, paths: list[Path], year: int, archive_path: Path | None, timeout_s: float,
            on_file: Callable[[str], None] = lambda n: None, on_stage: Callable[[str], None] = lambda s: None,
            tick: Callable[[], None] = lambda: None) -> dict:
        """The contract of ``paths``; AnalysisTimeout past ``timeout_s`` seconds, AnalysisFailed otherwise."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self.stop()
                self._start()
            env = {k: v for k, v in os.environ.items() if k.startswith(("JIGAI_", "HF_", "TRANSFORMERS_"))}
            self._conn.send({"paths": [str(p) for p in paths], "year": int(year),
                             "archive": str(archive_path) if archive_path else None, "env": env})
            deadline = time.monotonic() + timeout_s
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.stop()
                    raise AnalysisTimeout(timeout_s)
                try:
                    ready = self._conn.poll(min(left, 1.0))
                    message = self._conn.recv() if ready else None
                except (EOFError, OSError):
                    self.stop()
                    raise AnalysisFailed("分析进程意外退出（可能内存不足）") from None
                tick()
                if message is None:
                    continue
                kind, value = message
                if kind == "file":
                    on_file(value)
                elif kind == "stage":
                    on_stage(value)
                elif kind == "done":
                    return value
                else:
                    raise AnalysisFailed(value)


WORKER = AnalysisWorker()


# -- one upload at a time, the others in line -------------------------------------------------------------
class _Line:
    """Uploads and removals one at a time (in this process, and across processes through a lock file), each
    waiting one told its place."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: list[object] = []

    def position(self, ticket: object) -> int:
        with self._cond:
            return self._waiting.index(ticket) if ticket in self._waiting else 0

    @contextmanager
    def turn(self, data_dir: Path, progress: Progress | None):
        ticket = object()
        with self._cond:
            self._waiting.append(ticket)
        try:
            while True:
                with self._cond:
                    ahead = self._waiting.index(ticket)
                    if ahead == 0:
                        break
                if progress:
                    progress(0.0, f"排队等候：前面还有{ahead}个上传或删除在处理，请稍候")
                with self._cond:
                    self._cond.wait(1.0)
            with _file_lock(Path(data_dir) / "uploads" / ".lock", progress):
                yield
        finally:
            with self._cond:
                self._waiting.remove(ticket)
                self._cond.notify_all()


@contextmanager
def _file_lock(path: Path, progress: Progress | None):
    """An exclusive lock on ``path`` (a `jigai import` and the app's uploads take turns); none on Windows."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if progress:
                    progress(0.0, "排队等候：另一个导入（命令行）正在处理，请稍候")
                time.sleep(1.0)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


LINE = _Line()


# -- upload, remove, load ---------------------------------------------------------------------------------
def _files_of(files: Iterable) -> list[tuple[Path, str]]:
    """Uploaded paths with the name to show: a folder's files keep their path below the folder's parent."""
    out = []
    for f in files:
        if isinstance(f, tuple):
            out.append((Path(f[0]), str(f[1])))
            continue
        p = Path(f)
        if p.is_dir():  # a folder's other files (notes, scripts) are passed over, as `jigai check` does
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.name.startswith((".", "~$")) and \
                        child.suffix.lower() in ALLOWED_SUFFIXES:
                    out.append((child, child.relative_to(p.parent).as_posix()))
        else:
            out.append((p, p.name))
    return out


def import_uploads(store, round_label: str, files: Iterable, actor: str, data_dir: Path,
                   max_bytes: int = DEFAULT_MAX_FILE_SIZE, progress: Progress | None = None,
                   archive_path: Path | None = None, timeout_s: float = ANALYSIS_TIMEOUT_S) -> UploadReport:
    """Check the uploads (files, folders, zips), place them in the round (same name: replaced), analyse the round
    and import it; one upload at a time."""
    round_dir = round_dir_of(data_dir, round_label)
    return _apply(store, str(round_label), Path(data_dir), round_dir, _files_of(files), (), actor, max_bytes,
                  progress, archive_path, timeout_s, "upload")


def remove_file(store, round_label: str, rel: str, actor: str, data_dir: Path, progress: Progress | None = None,
                archive_path: Path | None = None, timeout_s: float = ANALYSIS_TIMEOUT_S) -> UploadReport:
    """Take one file out of the round (re-analysed and imported as an upload would be)."""
    round_dir = round_dir_of(data_dir, round_label)
    return _apply(store, str(round_label), Path(data_dir), round_dir, [], (str(rel),), actor, DEFAULT_MAX_FILE_SIZE,
                  progress, archive_path, timeout_s, "remove_file")


def import_folder(store, round_label: str, round_dir: Path, actor: str, progress: Progress | None = None,
                  archive_path: Path | None = None, timeout_s: float = ANALYSIS_TIMEOUT_S) -> UploadReport:
    """Analyse the round folder as it is and import it (start-up with an existing folder)."""
    return _apply(store, str(round_label), Path(round_dir).parent.parent, Path(round_dir), [], (), actor,
                  DEFAULT_MAX_FILE_SIZE, progress, archive_path, timeout_s, "upload")


def _apply(store, round_label: str, data_dir: Path, round_dir: Path, files: list[tuple[Path, str]],
           remove: tuple[str, ...], actor: str, max_bytes: int, progress: Progress | None,
           archive_path: Path | None, timeout_s: float, action: str) -> UploadReport:
    report = UploadReport(round_label)
    uploads = round_dir.parent
    uploads.mkdir(parents=True, exist_ok=True)
    with LINE.turn(data_dir, progress):
        work = Path(tempfile.mkdtemp(prefix=".work-", dir=uploads))
        try:
            if progress:
                progress(0.0, "检查上传的文件")
            incoming, refused = unpack(files, work / "in", max_bytes)
            current = []
            for e in _current(round_dir):  # a file that would be refused today leaves the round (start-up too)
                why = check_file(e.source, e.name, max(max_bytes, DEFAULT_MAX_FILE_SIZE))
                if why:
                    refused.append(Refused(e.origin, why, e.source))
                    report.removed_files.append(e.rel)
                else:
                    current.append(e)
            entries, report.saved, report.replaced, removed, more = plan(current, incoming, actor, remove)
            report.removed_files += removed
            refused += more
            report.rejected = [Rejected(r.origin, r.reason) for r in refused]
            for r in refused:
                if r.path is not None:
                    quarantine(data_dir, round_label, r.path, r.origin, r.reason, actor)
                    report.quarantined.append(r.origin)
            if not entries and not report.removed_files:
                _log(store, actor, action, round_label, report)
                return report
            if entries and _unchanged(store, round_label, entries):  # the files of the last import: no analysis
                if report.removed_files:  # files found in the round folder that are refused today leave it
                    _swap(work, round_dir, entries)
                report.imported = report.skipped = True
                report.records = _record_count(store, round_label)
                _log(store, actor, action, round_label, report)
                return report
            stage = work / "round"
            _place(entries, stage)
            try:
                contract = _run_analysis(stage, entries, int(round_label), progress, archive_path, timeout_s)
            except AnalysisTimeout:
                report.timed_out = True
                report.error = (f"分析超过{int(timeout_s)}秒仍未完成，已停止；本次上传未导入，本轮材料保持不变。"
                                "新上传的文件已隔离，请检查其中是否有异常文件（如超长文本）")
                _quarantine_new(data_dir, round_label, entries, report, actor, "分析超时，已隔离")
                _log(store, actor, action, round_label, report)
                return report
            except AnalysisFailed as exc:
                report.error = f"分析失败：{exc}；本次上传未导入，本轮材料保持不变，请稍后重试"
                _log(store, actor, action, round_label, report)
                return report
            by_rel = {e.rel: e for e in entries}
            failures = [Rejected(f["file"], f["reason"]) for f in contract.get("failures") or []]
            report.failures = failures
            report.archived_pairs = sum(1 for p in contract["duplicates"] if p.get("round"))
            unreadable = [by_rel[f.file] for f in failures if f.file in by_rel]
            for e in unreadable:
                quarantine(data_dir, round_label, e.source, e.origin, f"无法读取：{_reason(failures, e.rel)}", actor)
                report.quarantined.append(e.origin)
            kept = [e for e in entries if e not in unreadable]
            if not contract["records"] and not _has_round(store, round_label):
                _swap(work, round_dir, kept)
                _log(store, actor, action, round_label, report)
                return report
            if progress:
                progress(0.9, "写入审核数据库")
            rows = _file_rows(kept, contract)
            result = store.import_round(round_label, contract, [(r["file"], r["sha256"]) for r in rows], actor,
                                        file_rows=rows, upload={**report.summary(), "action": action})
            report.records, report.findings, report.duplicates = result.records, result.findings, result.duplicates
            report.added, report.changed, report.removed = result.added, result.changed, result.removed
            report.skipped, report.imported = result.skipped, True
            _swap(work, round_dir, kept, stage if not unreadable else None)
            if progress:
                progress(1.0, "导入完成")
            return report
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _reason(failures: list[Rejected], rel: str) -> str:
    return next((f.reason for f in failures if f.file == rel), "")


def _quarantine_new(data_dir: Path, round_label: str, entries: list[_Entry], report: UploadReport, actor: str,
                    reason: str) -> None:
    for e in entries:
        if e.rel in report.saved:
            quarantine(data_dir, round_label, e.source, e.origin, reason, actor)
            report.quarantined.append(e.origin)


def _has_round(store, round_label: str) -> bool:
    from app.store import Viewer

    return store is not None and round_label in store.rounds(Viewer("jigai", "province"))


def _record_count(store, round_label: str) -> int:
    from app.store import Viewer

    try:
        return len(store.queue(Viewer("jigai", "province"), round_label))
    except Exception:  # noqa: BLE001
        return 0


def _unchanged(store, round_label: str, entries: list[_Entry]) -> bool:
    """Whether the round's files are exactly those of its last import (nothing to analyse)."""
    from app.store import Viewer

    try:
        stored = {(f.file, f.sha256) for f in store.round_files(Viewer("jigai", "province"), round_label)}
    except Exception:  # noqa: BLE001 - an unknown round: analyse
        return False
    return bool(stored) and stored == {(e.rel, _sha256(e.source)) for e in entries}


def _log(store, actor: str, action: str, round_label: str, report: UploadReport) -> None:
    if store is not None and (report.saved or report.rejected or report.removed_files or report.error
                              or report.skipped):
        try:
            store.log_upload(actor, action, round_label, report.summary())
        except Exception:  # noqa: BLE001 - the store may not know the round yet; the report still tells
            pass


def _swap(work: Path, round_dir: Path, kept: list[_Entry], stage: Path | None = None) -> None:
    """Make the round folder hold exactly ``kept`` (the staged folder moved in when it holds just those)."""
    if stage is None:
        stage = work / "final"
        if stage.exists():
            shutil.rmtree(stage)
        _place(kept, stage) if kept else stage.mkdir(parents=True)
    old = work / "old"
    if round_dir.exists():
        round_dir.rename(old)
    stage.rename(round_dir)


def _run_analysis(stage: Path, entries: list[_Entry], year: int, progress: Progress | None,
                  archive_path: Path | None, timeout_s: float) -> dict:
    from app.archive import default_archive_path

    total = max(len(entries), 1)
    state = {"done": 0, "name": "", "stage": "", "started": time.monotonic()}

    def on_file(name: str) -> None:
        state["done"] += 1
        state["name"] = name

    def on_stage(stage_name: str) -> None:
        state["stage"] = stage_name

    def tick() -> None:
        if progress is None:
            return
        elapsed = int(time.monotonic() - state["started"])
        if state["stage"] == "archive":
            progress(0.8, "与往年材料比对")
        elif state["done"] < total and not state["stage"]:
            progress(0.5 * state["done"] / total, f"读取文件 {state['done']}/{total}：{state['name']}")
        else:
            progress(0.55, f"分析文字：量化数据、必备内容、改造方向、查重（已用时{elapsed}秒，首次约需1–2分钟）")

    if progress:
        progress(0.0, "开始读取文件")
    path = archive_path or default_archive_path()
    return WORKER.run(_analysis_paths(stage), year, path, timeout_s, on_file, on_stage, tick)


def _file_rows(entries: list[_Entry], contract: dict) -> list[dict]:
    counts: dict[str, int] = {}
    for rec in contract["records"]:
        f = (rec.get("source") or {}).get("file") or ""
        counts[f] = counts.get(f, 0) + 1
    kinds = {f["file"]: str(f.get("read_as") or "").partition(":")[2] for f in contract.get("files") or []}
    rows = []
    for e in entries:
        at = e.uploaded_at
        try:
            when = datetime.fromisoformat(at) if isinstance(at, str) else at
        except ValueError:
            when = datetime.now(timezone.utc)
        rows.append({"file": e.rel, "name": e.name, "city": e.city, "kind": kinds.get(e.rel, ""),
                     "sha256": _sha256(e.source), "size": e.source.stat().st_size, "records": counts.get(e.rel, 0),
                     "origin": e.origin, "uploaded_at": when, "uploaded_by": e.uploaded_by or "?"})
    return rows
