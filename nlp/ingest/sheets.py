"""Read spreadsheets (.xlsx streamed, .xls, .csv) as rows of cell values with merged cells filled in."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import IngestError

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
#: a formula element or an error-typed cell in a worksheet's XML
_FORMULA_OR_ERROR = re.compile(rb'<(?:\w+:)?f[\s>/]|\st="e"')


def column_index(letters: str) -> int:
    """1-based index of a column letter: A → 1, AA → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(index: int) -> str:
    """Column letter of a 1-based index."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


#: a merged range: (min_row, min_col, max_row, max_col), 1-based, inclusive
Merge = tuple[int, int, int, int]


@dataclass
class Cell:
    value: Any
    #: the row the value really sits in (a merged range's top row), when it is not this row
    from_row: int | None = None


class CellText(str):
    """The text of a cell that holds no plain value: a formula without a saved result (``formula`` set, the text
    is the formula as the formula bar shows it, ``=…``) or an error value (``error``: #NAME?, #REF!, …; the text
    is the formula when there is one, else the error value). A ``str``, so everything downstream reads it as
    the field's text; nlp/ingest/tables.py: ``cell_findings`` says what it is (CELL_FORMULA / CELL_ERROR)."""

    formula: str | None
    error: str | None

    def __new__(cls, text: str, formula: str | None = None, error: str | None = None) -> "CellText":
        out = super().__new__(cls, text)
        out.formula, out.error = formula, error
        return out

    def __reduce__(self):
        return (CellText, (str(self), self.formula, self.error))


@dataclass
class Sheet:
    name: str
    #: (1-based row number, cells from column A); merged ranges already filled from their top-left
    rows: Iterator[tuple[int, list[Cell]]]


def _fill_merges(raw_rows: Iterator[tuple[int, list[Any]]], merges: list[Merge]) -> Iterator[tuple[int, list[Cell]]]:
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in merges:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000:  # absurd merges are not expanded
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    covered[(r, c)] = (r1, c1)
    anchors = set(covered.values())
    row_width: dict[int, int] = {}
    for r, c in covered:
        row_width[r] = max(row_width.get(r, 0), c)
    anchor_values: dict[tuple[int, int], Any] = {}
    for rownum, values in raw_rows:
        cells = [Cell(v) for v in values]
        if covered:
            width = max(len(cells), row_width.get(rownum, 0))
            while len(cells) < width:
                cells.append(Cell(None))
            for ci in range(len(cells)):
                key = (rownum, ci + 1)
                if key in anchors:
                    anchor_values[key] = cells[ci].value
                elif key in covered:
                    top = covered[key]
                    if top in anchor_values and cells[ci].value in (None, ""):
                        cells[ci] = Cell(anchor_values[top], top[0] if top[0] != rownum else None)
        yield rownum, cells


# ---- .xlsx -------------------------------------------------------------------------------------
def _xlsx_scan(archive: zipfile.ZipFile, member: str) -> tuple[list[Merge], bool]:
    """The merged ranges of a worksheet, and whether it holds any formula or error cell."""
    merges: list[Merge] = []
    formulas = False
    tail = b""
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            if b"mergeCell" in buf:
                for m in _MERGE.finditer(buf):
                    c1, r1 = column_index(m.group(1).decode()), int(m.group(2))
                    c2 = column_index(m.group(3).decode()) if m.group(3) else c1
                    r2 = int(m.group(4)) if m.group(4) else r1
                    merges.append((r1, c1, r2, c2))
            formulas = formulas or _FORMULA_OR_ERROR.search(buf) is not None
            tail = buf[-200:]
    return sorted(set(merges)), formulas


def _formula_text(value: Any) -> str | None:
    """The formula of a cell read with data_only=False (``=…``; array formulas by their text)."""
    if isinstance(value, str) and value.startswith("="):
        return value
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula / DataTableFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return None


def _with_formulas(values, formulas) -> Iterator[tuple[int, list[Any]]]:
    """Rows of cached values (read-only cells, data_only=True) with the formulas of the same sheet beside them:
    a formula with a saved result reads as that result; one without reads as its text; an error value as the
    formula (or the error value itself), each a ``CellText`` that says so."""
    for i, (row, frow) in enumerate(zip(values, formulas), start=1):
        out: list[Any] = []
        for ci, cell in enumerate(row):
            value = cell.value
            formula = _formula_text(frow[ci]) if ci < len(frow) else None
            if getattr(cell, "data_type", None) == "e" and isinstance(value, str):
                value = CellText(formula or value, formula, value)
            elif formula is not None and value is None and getattr(cell, "data_type", None) != "str":
                value = CellText(formula, formula, None)  # (t="str" with an empty <v>: a saved empty text)
            out.append(value)
        yield i, out


def read_xlsx(path: Path) -> Iterator[Sheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    handle = open(path, "rb")  # a file object: openpyxl would refuse a misnamed extension
    try:
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        handle.close()
        raise IngestError(path.name, f"Excel文件已损坏，无法打开（{type(exc).__name__}: {exc}）") from None
    except Exception as exc:  # defusedxml refuses entity tricks with its own errors
        handle.close()
        raise IngestError(path.name, f"Excel文件内容异常，已拒绝（{type(exc).__name__}）") from None
    try:
        for ws in wb.worksheets:
            if getattr(ws, "_worksheet_path", None) is None:
                continue  # chartsheets
            merges, formulas = _xlsx_scan(wb._archive, ws._worksheet_path)
            ws.reset_dimensions()
            if formulas:
                yield Sheet(ws.title, _fill_merges(_formula_rows(path, ws), merges))
                continue

            def raw(ws=ws) -> Iterator[tuple[int, list[Any]]]:
                for i, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                    yield i, list(row)

            yield Sheet(ws.title, _fill_merges(raw(), merges))
    finally:
        wb.close()
        handle.close()


def _formula_rows(path: Path, ws) -> Iterator[tuple[int, list[Any]]]:
    """A sheet with formulas or error cells: read a second time for its formulas (data_only=False)."""
    import openpyxl

    with open(path, "rb") as handle:
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        try:
            fws = wb[ws.title]
            fws.reset_dimensions()
            formulas = (tuple(c.value for c in row) for row in fws.iter_rows(min_row=1))
            yield from _with_formulas(ws.iter_rows(min_row=1), formulas)
        finally:
            wb.close()


# ---- .xls --------------------------------------------------------------------------------------
def read_xls(path: Path) -> Iterator[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, AssertionError …
        raise IngestError(path.name, f"Excel(.xls)文件已损坏，无法打开（{exc}）") from None
    try:
        for index in range(book.nsheets):
            sh = book.sheet_by_index(index)
            merges = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sh.merged_cells]

            def raw(sh=sh) -> Iterator[tuple[int, list[Any]]]:
                for r in range(sh.nrows):
                    values = []
                    for c in range(sh.ncols):
                        cell = sh.cell(r, c)
                        value: Any = cell.value
                        if cell.ctype == xlrd.XL_CELL_DATE:
                            try:
                                value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                            except Exception:
                                pass
                        elif cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                            value = None
                        elif cell.ctype == xlrd.XL_CELL_ERROR:  # a number code: never read as the figure
                            error = xlrd.error_text_from_code.get(cell.value, f"#ERR{cell.value}")
                            value = CellText(error, None, error)
                        values.append(value)
                    yield r + 1, values

            yield Sheet(sh.name, _fill_merges(raw(), merges))
            book.unload_sheet(index)
    finally:
        book.release_resources()


# ---- .csv --------------------------------------------------------------------------------------
def decode_text(path: Path) -> str:
    """Decode a text file as UTF-8 (with or without BOM) or GBK/GB18030."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(path.name, "文本编码无法识别（既非UTF-8也非GBK/GB18030）")


#: the csv module's own field limit (131,072 by default) would end the sheet with an English error at the first
#: long cell; cells are read whole and nlp/ingest/tables.py refuses a row whose cell is over Limits.max_cell_chars
_CSV_FIELD_LIMIT = 2**31 - 1


def read_csv(path: Path) -> Iterator[Sheet]:
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    text = decode_text(path)
    sample = text[:20000]
    delimiter = max([",", "\t", ";"], key=sample.count)

    def raw() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for i, row in enumerate(reader, start=1):
            yield i, [v if v != "" else None for v in row]

    yield Sheet(path.stem, _fill_merges(raw(), []))


def read_sheets(path: Path, kind: str) -> Iterator[Sheet]:
    readers = {"xlsx": read_xlsx, "xls": read_xls, "csv": read_csv}
    return readers[kind](path)
