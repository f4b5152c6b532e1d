"""The review store: imported rounds, reviewers' decisions, direction reviews, publicity picks, audit log.

Import everything from here; docs/store.md describes tables, migrations, concurrency and access.
"""
from .migrations import SCHEMA_VERSION
from .models import (DIRECTIONS, STATUSES, UNREVIEWED, AccessDenied, AuditEntry, Decision, DecisionConflict,
                     ImportResult, NotFound, QueueRow, RecordView, RoundFile, SchemaError, Viewer, data_dir)
from .store import Store

__all__ = ["SCHEMA_VERSION", "DIRECTIONS", "STATUSES", "UNREVIEWED", "AccessDenied", "AuditEntry", "Decision",
           "DecisionConflict", "ImportResult", "NotFound", "QueueRow", "RecordView", "RoundFile", "SchemaError", "Store",
           "Viewer", "data_dir"]
