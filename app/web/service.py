"""The server-side layer the UI handlers call: logged-in username → Viewer → app.store.

Access rules live in app.store (a city viewer only ever reads or writes its own city); this layer adds
only what the store cannot know: who the username is (from the users file) and that uploading a round,
which replaces the round's records, is for provincial reviewers.
"""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from app.store import AccessDenied, Decision, RecordView, Store, Viewer

from .auth import Users
from .guard import EXPORT_KINDS, ExportOwners
from .uploads import DEFAULT_MAX_FILE_SIZE, Progress, UploadReport, import_uploads


class Service:
    """One per server: the store, the users, the data dir and the upload limits."""

    def __init__(self, store: Store, users: Users, data_dir: Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
                 archive_path: Path | None = None, export_dir: Path | None = None):
        self.store = store
        self.users = users
        self.data_dir = Path(data_dir)
        self.max_file_size = max_file_size
        self.archive_path = archive_path
        self.export_dir = Path(export_dir) if export_dir else Path(tempfile.mkdtemp(prefix="jigai-export-"))
        self.exports = ExportOwners()  # who made each export file (the HTTP guard serves it to them only)

    def viewer(self, username: str | None) -> Viewer:
        """The Viewer of a logged-in user; AccessDenied when there is none (not logged in, removed)."""
        try:
            return self.users.viewer_for(username)
        except PermissionError as exc:
            raise AccessDenied(str(exc)) from exc

    # -- reads ---------------------------------------------------------------------------------------
    def rounds(self, username: str | None) -> list[str]:
        return self.store.rounds(self.viewer(username))

    def queue(self, username: str | None, round_label: str, **filters):
        return self.store.queue(self.viewer(username), round_label, **filters)

    def record(self, username: str | None, round_label: str, record_id: str) -> RecordView:
        return self.store.record(self.viewer(username), round_label, record_id)

    def dashboard(self, username: str | None, round_label: str) -> dict:
        return self.store.dashboard(self.viewer(username), round_label)

    # -- writes --------------------------------------------------------------------------------------
    def decide(self, username: str | None, round_label: str, record_id: str, status: str, note: str,
               expected_version: int) -> Decision:
        return self.store.decide(self.viewer(username), round_label, record_id, status, note or "",
                                 int(expected_version))

    def decide_many(self, username: str | None, round_label: str, record_ids: list[str], status: str, note: str
                    ) -> tuple[list[Decision], list[tuple[str, Decision | None]], list[tuple[str, str]]]:
        """One decision and note for several records, each through ``store.decide`` (its own version, its own
        audit entry) on top of the latest version when the batch starts; returns (made, conflicts: someone
        decided in between, refused: not visible to this user or unknown, with the reason)."""
        from app.store import DecisionConflict, NotFound

        viewer = self.viewer(username)
        latest = self.store.decisions(viewer, round_label)
        made, conflicts, refused = [], [], []
        for record_id in dict.fromkeys(record_ids):
            current = latest.get(record_id)
            try:
                made.append(self.store.decide(viewer, round_label, record_id, status, note or "",
                                              current.version if current else 0))
            except DecisionConflict as exc:
                conflicts.append((record_id, exc.current))
            except (AccessDenied, NotFound) as exc:
                refused.append((record_id, str(exc)))
        return made, conflicts, refused

    def review_direction(self, username: str | None, round_label: str, record_id: str, direction: str,
                         verdict: str, note: str = "") -> None:
        self.store.review_direction(self.viewer(username), round_label, record_id, direction, verdict, note or "")

    def set_publicity(self, username: str | None, round_label: str, record_id: str, picked: list[int]) -> list[int]:
        """Make the record's picked excerpts exactly ``picked``; returns the picks now stored."""
        viewer = self.viewer(username)
        view = self.store.record(viewer, round_label, record_id)
        want, have = {int(i) for i in picked or []}, set(view.publicity)
        for i in sorted(want - have):
            self.store.set_publicity(viewer, round_label, record_id, i, True)
        for i in sorted(have - want):
            self.store.set_publicity(viewer, round_label, record_id, i, False)
        return self.store.record(viewer, round_label, record_id).publicity

    def upload(self, username: str | None, round_label: str, files: list, progress: Progress | None = None
               ) -> UploadReport:
        viewer = self.viewer(username)
        if viewer.role != "province":
            raise AccessDenied("只有省级审核人员可以上传和导入材料")
        return import_uploads(self.store, str(round_label), files, viewer.username, self.data_dir,
                              self.max_file_size, progress, self.archive_path)

    def uploaded_files(self, username: str | None, round_label: str) -> list[str]:
        viewer = self.viewer(username)
        if viewer.role != "province" or not round_label:
            return []
        folder = self.data_dir / "uploads" / str(round_label)
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) \
            if folder.is_dir() else []

    # -- exports -------------------------------------------------------------------------------------
    def _export_path(self, viewer: Viewer, round_label: str, what: str, suffix: str) -> Path:
        """A new file name in a private folder, ``<round>年-<city or 全省>-<what>-<stamp><suffix>`` (the HTTP guard
        knows an export by this shape: ``what`` is one of guard.EXPORT_KINDS)."""
        if what not in EXPORT_KINDS:
            raise ValueError(f"unknown export kind {what!r}")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = Path(tempfile.mkdtemp(prefix="x-", dir=self.export_dir))
        scope = viewer.city or "全省"
        return folder / f"{round_label}年-{scope}-{what}-{stamp}{suffix}"

    def export_excel(self, username: str | None, round_label: str) -> Path:
        from .export import write_review_excel

        viewer = self.viewer(username)
        contract = self.store.contract(viewer, round_label)
        decisions = self.store.decisions(viewer, round_label)
        path = write_review_excel(contract, decisions, self._export_path(viewer, round_label, "审核结果", ".xlsx"))
        self.exports.add(path, viewer.username)
        return path

    def export_publicity(self, username: str | None, round_label: str) -> Path:
        from .export_pack import write_publicity_pack

        viewer = self.viewer(username)
        entries = self.store.publicity(viewer, round_label)
        contract = self.store.contract(viewer, round_label)
        path = write_publicity_pack(entries, contract, round_label,
                                    self._export_path(viewer, round_label, "宣传汇编", ".docx"))
        self.exports.add(path, viewer.username)
        return path
