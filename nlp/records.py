"""Typed records, one kind per attachment, each field keeping its text exactly as read and its cell."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .findings import Provenance


@dataclass(slots=True)
class FieldValue:
    """A cell's text as read (``text``), its typed value (``raw``) and where it sits."""

    text: str
    raw: Any = None
    column: str | None = None
    #: the row the value was read from when it differs from the record's (a merged cell's top row)
    row: int | None = None
    #: the header as written in the file
    header: str | None = None
    paragraph: int | None = None


@dataclass
class Record:
    """One row of a table or one document, with provenance for each field."""

    kind: ClassVar[str] = "record"
    id: str
    source: Provenance
    fields: dict[str, FieldValue] = field(default_factory=dict)
    #: columns that mean nothing the engine knows, keyed by their header text, kept as read
    extra: dict[str, FieldValue] = field(default_factory=dict)
    city: str | None = None
    #: engine column name → unit written in its header (亿元/万元/元), where the header names one
    units: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        return value.text if value is not None else ""

    def provenance(self, name: str) -> Provenance:
        """The exact place of one field (its cell for tables, its paragraph for documents)."""
        value = self.fields.get(name) or self.extra.get(name)
        if value is None:
            return self.source
        return Provenance(self.source.file, self.source.sheet, value.row or self.source.row,
                          value.column, value.paragraph)

    @property
    def company(self) -> str:
        return ""


@dataclass
class ProjectRecord(Record):
    """A row of 附件1 工业技术改造项目推荐表."""

    kind: ClassVar[str] = "project"

    @property
    def company(self) -> str:
        return self.text("项目承担单位").strip()

    @property
    def name(self) -> str:
        return self.text("项目名称").strip()


@dataclass
class EnterpriseRecord(Record):
    """A row of 附件2 示范企业推荐汇总表."""

    kind: ClassVar[str] = "enterprise"

    @property
    def company(self) -> str:
        return self.text("企业名称").strip()


@dataclass
class PracticeRecord(Record):
    """One 附件3 典型做法 document; its whole narrative is the field ``text``."""

    kind: ClassVar[str] = "practice"
    company_name: str = ""
    #: "document" when the company was read from the text, "filename" when taken from the file's name
    company_source: str = "document"
    #: (start, end) offsets of each paragraph or table cell in ``text``, in reading order
    blocks: list[tuple[int, int]] = field(default_factory=list)

    @property
    def company(self) -> str:
        return self.company_name
