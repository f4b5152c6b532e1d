"""Public value types, errors and constants of the review store."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nlp.constants import DIRECTIONS, SEVERITIES  # noqa: F401  (re-exported by app.store)

DATA_ENV = "JIGAI_DATA_DIR"
STATUSES = ("通过", "退回修改", "待定")
UNREVIEWED = "未审"
ROLES = ("province", "city")
VERDICTS = ("accept", "reject", "add")
SORTS = ("severity", "city", "company", "findings", "status")


def data_dir() -> Path:
    """$JIGAI_DATA_DIR or ~/.local/share/jigai, created if missing."""
    root = os.environ.get(DATA_ENV)
    path = Path(root).expanduser() if root else Path.home() / ".local" / "share" / "jigai"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: the store, users and uploads live here
    return path


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a provincial reviewer (every city) or a city reviewer (its own city only)."""
    username: str
    role: str
    city: str | None = None

    def __post_init__(self) -> None:
        check_viewer(self)


def check_viewer(viewer: Viewer) -> None:
    """ValueError unless the viewer is well formed (a city viewer names its city)."""
    if not isinstance(viewer, Viewer):
        raise ValueError("缺少有效的查看者（Viewer）")
    if viewer.role not in ROLES:
        raise ValueError(f"未知角色：{viewer.role!r}（应为 province 或 city）")
    if viewer.role == "city" and not viewer.city:
        raise ValueError("地市审核人员必须指定所属地市")
    if not viewer.username:
        raise ValueError("缺少审核人员用户名")


class AccessDenied(Exception):
    """A city viewer touched another city's record or round data."""


class NotFound(Exception):
    """Unknown round or record id."""


class SchemaError(RuntimeError):
    """The database's schema is newer than this program (or otherwise unusable)."""


@dataclass
class Decision:
    record_id: str
    status: str
    note: str
    reviewer: str
    at: datetime
    version: int


class DecisionConflict(Exception):
    """Someone decided after the version the reviewer saw; ``current`` is the decision now stored."""

    def __init__(self, current: Decision | None, message: str | None = None):
        self.current = current
        if message is None:
            who = f"{current.reviewer}（第{current.version}版：{current.status}）" if current else "他人"
            message = f"该记录已被{who}更新，请刷新后再作决定"
        super().__init__(message)


@dataclass
class QueueRow:
    record_id: str
    kind: str
    city: str
    company: str
    project: str
    worst_severity: str
    findings: int
    codes: list[str]
    declared: list[str]
    inferred: list[str]
    duplicate: bool
    status: str
    source: str


@dataclass
class RecordView:
    row: QueueRow
    data: dict
    duplicates: list[dict]
    decision: Decision | None
    history: list[Decision]
    direction_reviews: dict[str, dict]
    publicity: list[int]


@dataclass
class ImportResult:
    round: str
    records: int
    findings: int
    duplicates: int
    skipped: bool
    #: records new to the round, gone from it, and kept with changed fields (0 when skipped)
    added: int = 0
    removed: int = 0
    changed: int = 0


@dataclass
class RoundFile:
    """One file the round is made of (``round_files``): where it sits, what it is, who uploaded it."""
    file: str
    name: str
    city: str
    kind: str
    sha256: str
    size: int
    records: int
    origin: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass
class AuditEntry:
    at: datetime
    actor: str
    action: str
    round: str | None
    record_id: str | None
    detail: dict = field(default_factory=dict)
    id: int = 0
