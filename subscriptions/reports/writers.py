"""CSV and XLSX writers that stream: rows go out as they come, memory stays flat.

XLSX is written by openpyxl in write-only mode to a temporary file, then copied entry by
entry into the output with fixed timestamps, so the same rows always give the same bytes
(a closed month's export never changes)."""

import csv
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import IO

from openpyxl import Workbook

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """The CSV, a chunk of lines at a time (UTF-8, `\\n` line ends, as Stripe's reports)."""
    writer = csv.writer(_Line(), lineterminator="\n")
    yield writer.writerow(columns).encode()
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) >= 1000:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def csv_write(out: IO[bytes], columns: list[str], rows: Iterable[list[str]]) -> None:
    for chunk in csv_lines(columns, rows):
        out.write(chunk)


def _cell(value: str, is_amount: bool) -> str | Decimal:
    if is_amount and value:
        return Decimal(value)
    return value


def xlsx_write(
    out: IO[bytes],
    columns: list[str],
    rows: Iterable[list[str]],
    *,
    amount_columns: frozenset[str] = frozenset(),
    as_of: datetime,
    title: str = "Report",
    progress: Callable[[int], None] | None = None,
) -> None:
    """One sheet, the header in its first row; amounts as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(columns)
    amounts = [column in amount_columns for column in columns]
    for count, row in enumerate(rows, start=1):
        sheet.append(
            [_cell(value, is_amount) for value, is_amount in zip(row, amounts, strict=True)]
        )
        if progress and count % 5000 == 0:
            progress(count)
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with tempfile.TemporaryFile() as scratch:
        workbook.save(scratch)
        scratch.seek(0)
        _normalised_copy(scratch, out, stamp)


def _normalised_copy(source: IO[bytes], out: IO[bytes], stamp: bytes) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            copy.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                xml = CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), src.read(info))
                dst.writestr(copy, xml)
                continue
            with src.open(info) as reading, dst.open(copy, "w", force_zip64=True) as writing:
                shutil.copyfileobj(reading, writing, 1 << 20)
