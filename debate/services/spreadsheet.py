"""The one writer of every CSV and XLSX the app hands out (exports, appeals, reports, import
templates), so no download can carry a live formula or a character that breaks a workbook.

A text cell whose first character is `=`, `+`, `-`, `@`, a tab or a carriage return would be
read by Excel or LibreOffice as a formula (a team named `=HYPERLINK(...)`, a ballot's
`client_id` of `@SUM(...)`). Such text keeps its visible characters but cannot run:
- CSV: a leading apostrophe (the usual convention; spreadsheets show the rest as text);
- XLSX: written as a string cell with the quotePrefix style (shown exactly as typed).
Control characters that XML 1.0 forbids (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F) are
dropped in both, as openpyxl refuses them and a workbook with them does not open.
Numbers stay numbers: only text is neutralised. Tested by tests/test_spreadsheet_safety.py.
"""
import csv
import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """The text without the control characters a workbook cannot hold."""
    return _ILLEGAL.sub("", text)


NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet would run as a formula. A number written as the pages write it (a
    negative margin "-3,5" in kk and ru) is a number, not a formula."""
    return text.startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def _value(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):  # bool is an int
        return value
    return clean_text(str(value))


def csv_cell(value):
    v = _value(value)
    if isinstance(v, str) and is_formula_like(v):
        return "'" + v
    return v


def write_csv(head, rows, bom: bool = True) -> bytes:
    """UTF-8 (with a byte-order mark by default: Excel then reads Kazakh and Russian letters)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if head is not None:
        w.writerow([csv_cell(h) for h in head])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


def sheet_title(title) -> str:
    bad = '[]:*?/\\'
    clean = "".join("_" if ch in bad else ch for ch in clean_text(str(title))).strip() or "Sheet"
    return clean[:31]


def _xlsx_cell(ws, value, font=None):
    v = None if value is None else _value(value)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    c = WriteOnlyCell(ws, value=v)
    if isinstance(v, str):
        c.data_type = "s"  # never "f", whatever the text starts with
        if is_formula_like(v):
            c.quotePrefix = True
    if font is not None:
        c.font = font
    return c


def write_xlsx(sheets, fit_widths: bool = False) -> bytes:
    """sheets: [(title, head, rows)]; the header row in bold. fit_widths sizes each column to
    its longest value (10 to 60 characters)."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, head, rows in sheets:
        ws = wb.create_sheet(title=sheet_title(title))
        rows = [list(r) for r in rows]
        if fit_widths:
            table = ([list(head)] if head is not None else []) + rows
            ncols = max((len(r) for r in table), default=0)
            for i in range(ncols):
                width = max(len(str(r[i])) if i < len(r) and r[i] is not None else 0 for r in table)
                ws.column_dimensions[get_column_letter(i + 1)].width = min(60, max(10, width + 2))
        if head is not None:
            ws.append([_xlsx_cell(ws, str(h), bold) for h in head])
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
