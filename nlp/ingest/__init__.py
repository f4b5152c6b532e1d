"""Ingest a round's files: 附件1/附件2 spreadsheets and 附件3 documents, from files, folders and zips.

``ingest(paths)`` never stops at a bad file: each unusable file becomes a ``FileFailure`` with a
one-line Chinese reason, and every good file of the batch is read in full.
"""
from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

from ..codelists import codelists
from ..config import DEFAULT_CONFIG, Config
from ..findings import Finding
from ..records import EnterpriseRecord, PracticeRecord, ProjectRecord, Record
from .convert import converted_to_docx
from .documents import read_document
from .errors import IngestError
from .sniff import DOCUMENT_KINDS, TABLE_KINDS, check_zip, sniff
from .tables import read_table

__all__ = ["ingest", "IngestResult", "FileFailure", "IngestError", "expand_paths"]

SUPPORTED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".csv", ".tsv", ".docx", ".doc", ".wps", ".pdf", ".txt",
                      ".md", ".zip"}


@dataclass
class FileFailure:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}：{self.reason}"


@dataclass
class IngestResult:
    records: list[Record] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    #: file-level findings (missing columns, skipped sheets, unreadable rows)
    findings: list[Finding] = field(default_factory=list)
    #: display name of every file read successfully → what it was read as
    files: dict[str, str] = field(default_factory=dict)

    @property
    def projects(self) -> list[ProjectRecord]:
        return [r for r in self.records if isinstance(r, ProjectRecord)]

    @property
    def enterprises(self) -> list[EnterpriseRecord]:
        return [r for r in self.records if isinstance(r, EnterpriseRecord)]

    @property
    def practices(self) -> list[PracticeRecord]:
        return [r for r in self.records if isinstance(r, PracticeRecord)]


@dataclass(frozen=True)
class _Input:
    path: Path
    display: str


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows zips store GBK names
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def zip_members(zf: zipfile.ZipFile) -> Iterator[tuple[int, zipfile.ZipInfo, list[str]]]:
    """(index, info, path parts) of a zip's files as a reader would see them: GBK names decoded, no ``..``
    or absolute parts, folders, macOS resource forks, hidden files and Office lock files (``~$``) left out."""
    for index, info in enumerate(zf.infolist()):
        if info.is_dir():
            continue
        name = _zip_member_name(info)
        parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
        if not parts or parts[0].startswith("__MACOSX") or parts[-1].startswith((".", "~$")):
            continue
        yield index, info, parts


def _expand_zip(path: Path, display: str, workdir: Path, config: Config, failures: list[FileFailure]) -> list[_Input]:
    try:
        zf = check_zip(path, config.limits)
    except IngestError as exc:
        failures.append(FileFailure(display, exc.reason))
        return []
    out: list[_Input] = []
    target = Path(tempfile.mkdtemp(prefix="zip-", dir=workdir))
    with zf:
        for index, info, parts in zip_members(zf):
            if Path(parts[-1]).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            dest = target / str(index) / parts[-1]
            dest.parent.mkdir(parents=True)
            with zf.open(info) as src, open(dest, "wb") as fh:
                while chunk := src.read(1 << 20):
                    fh.write(chunk)
            member_display = f"{display}/{'/'.join(parts)}"
            if dest.suffix.lower() == ".zip":
                out.extend(_expand_zip(dest, member_display, workdir, config, failures))
            else:
                out.append(_Input(dest, member_display))
    return out


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[FileFailure]]:
    """Files under the given files and folders, sorted, each with the name shown to reviewers."""
    files: list[tuple[Path, str]] = []
    failures: list[FileFailure] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.name.startswith((".", "~$")) and \
                        child.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append((child, str(child.relative_to(p.parent))))
        elif p.is_file():
            files.append((p, p.name))
        else:
            failures.append(FileFailure(str(raw), "文件或文件夹不存在"))
    return files, failures


def _assign_cities(result_records: list[Record], display: str, titles: list[str]) -> None:
    lists = codelists()
    from_path = lists.find_city(display)
    from_title = next((c for c in (lists.find_city(t) for t in titles) if c), None)
    for record in result_records:
        declared = lists.city(record.text("地市")) if record.text("地市").strip() else None
        if declared is None and record.text("地市").strip():
            declared = lists.find_city(record.text("地市"))
        city = declared or from_path or from_title
        if city is None and isinstance(record, PracticeRecord):
            city = lists.find_city(record.text("text")[:300])
        if city is None and isinstance(record, ProjectRecord):
            city = lists.find_city(record.text("项目建设地点"))
        record.city = city.name if city else None


def id_stem(display: str) -> str:
    """The file part of its records' ids: the file's stem, led by the city of the nearest folder that names one
    when the stem itself names none (佛山市/附件1.xlsx → 佛山市-附件1), so that two cities' files of the same
    name never take ids from their order, and a file keeps its ids wherever the round folder puts it."""
    path = PurePosixPath(display.replace("\\", "/"))
    lists = codelists()
    if lists.find_city(path.stem) is None:
        for folder in reversed(path.parent.parts):
            city = lists.find_city(folder)
            if city is not None:
                return f"{city.name}-{path.stem}"
    return path.stem


def _read_one(item: _Input, config: Config, result: IngestResult, stems: dict[str, int]) -> None:
    sniffed = sniff(item.path, config.limits)
    stem = id_stem(item.display)
    stems[stem] = stems.get(stem, 0) + 1
    if stems[stem] > 1:
        stem = f"{stem}#{stems[stem]}"
    if sniffed.kind in TABLE_KINDS:
        table = read_table(item.path, sniffed.kind, item.display, stem, config.limits)
        _assign_cities(table.records, item.display, table.titles)
        result.records.extend(table.records)
        result.findings.extend(table.findings)
        kinds = {r.kind for r in table.records}
        result.files[item.display] = f"{sniffed.kind}:{'+'.join(sorted(kinds)) or 'empty'}"
    elif sniffed.kind in DOCUMENT_KINDS:
        if sniffed.kind == "doc":
            with converted_to_docx(item.path, item.display, config.limits.convert_timeout_s) as docx_path:
                record = read_document(docx_path, "docx", item.display, stem, config.limits)
        else:
            record = read_document(item.path, sniffed.kind, item.display, stem, config.limits)
        _assign_cities([record], item.display, [])
        result.records.append(record)
        result.files[item.display] = f"{sniffed.kind}:practice"
    else:  # pragma: no cover - sniff returns only known kinds
        raise IngestError(item.display, f"不支持的文件类型（{sniffed.kind}）")


def ingest(paths: Iterable[str | Path], config: Config = DEFAULT_CONFIG,
           progress: Callable[[str], None] | None = None) -> IngestResult:
    """Read every file under ``paths``; bad files become failures, good ones records."""
    result = IngestResult()
    files, failures = expand_paths(paths)
    result.failures.extend(failures)
    stems: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="jigai-ingest-") as tmp:
        items: list[_Input] = []
        for path, display in files:
            if path.suffix.lower() == ".zip":
                items.extend(_expand_zip(path, display, Path(tmp), config, result.failures))
            else:
                items.append(_Input(path, display))
        for item in items:
            if progress:
                progress(item.display)
            try:
                _read_one(item, config, result, stems)
            except IngestError as exc:
                result.failures.append(FileFailure(item.display, exc.reason))
            except MemoryError:
                result.failures.append(FileFailure(item.display, "文件过大，内存不足，无法读取"))
            except Exception as exc:  # never let one file stop the batch
                result.failures.append(FileFailure(item.display, f"读取时出错（{type(exc).__name__}: {exc}）"))
    return result
