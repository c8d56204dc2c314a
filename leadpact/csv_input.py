"""Reading a CSV a person made, most likely in Excel: UTF-8 with or without a byte-order
mark, `,` or `;` (Excel's separator in locales with a decimal comma) or a tab between
fields. Anything else gets one line saying what the file is and how to save it instead."""

from __future__ import annotations

import csv
from pathlib import Path

SAVE_AS = "in Excel: File > Save As > \"CSV UTF-8 (Comma delimited)\""
DELIMITERS = ",;\t"
_SNIFF_BYTES = 64 * 1024


class CsvProblem(ValueError):
    """Why a file cannot be read as CSV; the message is one line, ready to print."""


def read_csv_text(file: Path) -> str:
    """The file's text, BOM removed. CsvProblem when it is a workbook, UTF-16 or not UTF-8."""
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise CsvProblem(f"{file}: no such file") from None
    except OSError as exc:
        raise CsvProblem(f"{file}: cannot read it ({exc.strerror})") from None
    if data.startswith(b"PK\x03\x04"):
        raise CsvProblem(f"{file}: is an Excel workbook (.xlsx), not a CSV file; save it "
                         f"as CSV: {SAVE_AS}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvProblem(f"{file}: is UTF-16 text (Excel's \"Unicode Text\"); save it as "
                         f"CSV UTF-8: {SAVE_AS}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CsvProblem(f"{file} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}; "
                         f"Excel's plain \"CSV\" uses the Windows code page); save it as "
                         f"CSV UTF-8: {SAVE_AS}") from None


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The dialect of `text`. csv.Sniffer guesses the separator among `,` `;` and tab from
    the first rows; a guess that does not split the header line is not trusted (a title
    full of semicolons can fool it), and the header's most frequent separator wins."""
    header = text.split("\n", 1)[0]
    sample = "\n".join(text[:_SNIFF_BYTES].splitlines()[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        dialect = None
    if dialect is not None and dialect.delimiter in header:
        return dialect
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if not counts[best] or best == ",":
        return csv.excel
    return csv.excel_tab if best == "\t" else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def csv_rows(file: Path) -> tuple[list[list[str]], list[int]]:
    """Every row of the file (header first) and the line each starts on."""
    text = read_csv_text(file)
    reader = csv.reader(text.splitlines(keepends=True), sniff_dialect(text))
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvProblem(f"{file} line {reader.line_num}: not valid CSV ({exc})") from None
    return rows, lines
