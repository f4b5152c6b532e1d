"""The server-side layer the UI handlers call: logged-in username → Viewer → app.store.

Access rules live in app.store (a city viewer only ever reads or writes its own city); this layer adds
only what the store cannot know: who the username is (from the users file) and that uploading a round,
which replaces the round's records, is for provincial reviewers.
"""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from app.store import AccessDenied, Decision, RecordView, RoundFile, Store, Viewer

from .auth import Users
from .guard import EXPORT_KINDS, ExportOwners
from .uploads import (ANALYSIS_TIMEOUT_S, DEFAULT_MAX_FILE_SIZE, Progress, UploadReport, import_uploads, quarantined,
                      remove_file, remove_quarantined)


class Service:
    """One per server: the store, the users, the data dir and the upload limits."""

    def __init__(self, store: Store, users: Users, data_dir: Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
                 archive_path: Path | None = None, export_dir: Path | None = None,
                 analysis_timeout_s: float = ANALYSIS_TIMEOUT_S, default_round: str | None = None):
        self.store = store
        self.users = users
        self.data_dir = Path(data_dir)
        self.max_file_size = max_file_size
        self.archive_path = archive_path
        self.analysis_timeout_s = analysis_timeout_s  # an upload's analysis stops past it (uploads.py)
        self.default_round = default_round  # the round given at start (`--round`), the uploads' default
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

    def _province(self, username: str | None, what: str = "上传和导入材料") -> Viewer:
        viewer = self.viewer(username)
        if viewer.role != "province":
            raise AccessDenied(f"只有省级审核人员可以{what}")
        return viewer

    def upload(self, username: str | None, round_label: str, files: list, progress: Progress | None = None
               ) -> UploadReport:
        """Files (and folders, zips) into the round: same name replaces; refused ones quarantined; the round
        re-analysed within the time budget and imported (provincial reviewers only)."""
        viewer = self._province(username)
        return import_uploads(self.store, str(round_label), files, viewer.username, self.data_dir,
                              self.max_file_size, progress, self.archive_path, self.analysis_timeout_s)

    def remove_file(self, username: str | None, round_label: str, file: str, progress: Progress | None = None
                    ) -> UploadReport:
        """Take one file out of the round, re-analyse and import the rest (audited as ``remove_file``)."""
        viewer = self._province(username, "删除已上传的文件")
        return remove_file(self.store, str(round_label), str(file), viewer.username, self.data_dir, progress,
                           self.archive_path, self.analysis_timeout_s)

    def uploaded_files(self, username: str | None, round_label: str) -> list[RoundFile]:
        """The files the round is made of (city, type, when, by whom, records read); provincial reviewers only."""
        viewer = self.viewer(username)
        if viewer.role != "province" or not round_label or round_label not in self.store.rounds(viewer):
            return []
        return self.store.round_files(viewer, str(round_label))

    def quarantined(self, username: str | None, round_label: str) -> list[dict]:
        """The round's refused files with their reasons (provincial reviewers only)."""
        viewer = self.viewer(username)
        if viewer.role != "province" or not round_label:
            return []
        return quarantined(self.data_dir, str(round_label))

    def remove_quarantined(self, username: str | None, round_label: str, qid: str) -> dict:
        viewer = self._province(username, "删除隔离的文件")
        meta = remove_quarantined(self.data_dir, str(round_label), qid)
        if str(round_label) in self.store.rounds(viewer):
            self.store.log_upload(viewer.username, "remove_quarantined", str(round_label),
                                  {"file": meta.get("origin"), "reason": meta.get("reason")})
        return meta

    def last_upload(self, username: str | None, round_label: str) -> tuple[UploadReport, str, object] | None:
        """The round's latest upload or removal: (report, who, when), shown again when the tab is opened."""
        viewer = self.viewer(username)
        if viewer.role != "province" or not round_label or round_label not in self.store.rounds(viewer):
            return None
        entry = self.store.last_upload(viewer, str(round_label))
        return None if entry is None else (UploadReport.from_summary(entry.detail), entry.actor, entry.at)

    def open_round(self, username: str | None, default: str | None = None) -> str | None:
        """The round uploads go to by default: the one given at start (``default``, else the service's),
        else the latest in the store."""
        default = default or self.default_round
        rounds = self.rounds(username)
        if default and default in rounds:
            return default
        return rounds[0] if rounds else default

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
        from app.report_excel import write_excel

        viewer = self.viewer(username)
        contract = self.store.contract(viewer, round_label)
        decisions = self.store.decisions(viewer, round_label)
        path = write_excel(contract, self._export_path(viewer, round_label, "审核结果", ".xlsx"), decisions)
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
