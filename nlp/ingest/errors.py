"""The error ingest raises for a file it cannot use: one line, naming the file and the reason."""
from __future__ import annotations


class IngestError(Exception):
    """A file (or a place in it) that cannot be read; ``reason`` is Chinese, for the reviewer."""

    def __init__(self, file: str, reason: str, place: str | None = None):
        reason = " ".join(reason.split())  # always one line
        if len(reason) > 300:
            reason = reason[:300] + "…"
        self.file = file
        self.reason = reason
        self.place = place
        where = f"{file}（{place}）" if place else file
        super().__init__(f"{where}：{reason}")
