"""A labelled character span of a text: what every narrative analysis returns and the UI highlights."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` (0-based, end exclusive, offsets into the text exactly as read) with a label."""

    start: int
    end: int
    label: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_json(self, field_name: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label, "text": self.text}
        if field_name is not None:
            out = {"field": field_name, **out}
        out.update(self.data)
        return out


def make_span(text: str, start: int, end: int, label: str, **data: Any) -> Span:
    return Span(start, end, label, text[start:end], data)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Length of the overlap of two (start, end) ranges (0 when disjoint)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))
