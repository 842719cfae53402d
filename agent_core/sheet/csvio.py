"""CSV import and export: the sheet's way in and out, never losing or half-writing the user's data.

Export writes a temporary file in the target's directory and `os.replace`s it, so a crash or a bad
value leaves either the old file or the complete new one; it also refuses to overwrite the file the
sheet was imported from, which is the user's only copy of the input.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from agent_core.sheet.errors import SheetSpecError
from agent_core.sheet.model import Column, Sheet


def import_csv(path: str | Path, *, encoding: str = "utf-8-sig") -> Sheet:
    """A sheet whose input columns are the CSV header; `utf-8-sig` also reads Excel's BOM files."""
    path = Path(path)
    try:
        return _read_csv(path, encoding)
    except UnicodeDecodeError as exc:
        raise SheetSpecError(
            f"{path.name}: byte {exc.start} is not valid {encoding} text; save the file as UTF-8"
        ) from None
    except csv.Error as exc:
        raise SheetSpecError(f"{path.name}: not a readable CSV file ({exc})") from None


class _Lines:
    """The file's lines as the csv reader pulls them, noting whether it hit the end mid-record.

    The reader asks for another line within a record only while a quoted field is open, so reaching
    the end of the file during a record means a quote was never closed: csv would silently return
    the rest of the file as that one field, merging every later row into it.
    """

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.ended = False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.handle.readline()
        if not line:
            self.ended = True
            raise StopIteration
        return line


def _records(path: Path, handle: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) of each record; an unterminated quote is an error."""
    lines = _Lines(handle)
    reader = csv.reader(lines)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num > start:  # e.g. "field larger than field limit": a quote ran on
                raise SheetSpecError(f"{path.name}: line {start}: unterminated quote ({exc})") from None
            raise SheetSpecError(f"{path.name}: line {reader.line_num}: {exc}") from None
        if lines.ended:
            raise SheetSpecError(
                f'{path.name}: line {start}: unterminated quote (a " opened here is never closed)'
            )
        yield start, record


def _read_csv(path: Path, encoding: str) -> Sheet:
    with path.open(newline="", encoding=encoding) as handle:
        records = _records(path, handle)
        _, header = next(records, (0, None))
        if not header:
            raise SheetSpecError(f"{path.name}: the file is empty; the first line must name the columns")
        names = [name.strip() for name in header]
        for position, name in enumerate(names, start=1):
            if not name:
                raise SheetSpecError(f"{path.name}: header field {position} is empty")
        sheet = Sheet([Column(name) for name in names], source_path=path.resolve())
        for line, record in records:
            if not any(field.strip() for field in record):
                continue
            if len(record) > len(names):
                raise SheetSpecError(
                    f"{path.name}: record {line} has {len(record)} fields, header has {len(names)}"
                )
            sheet.add_row(dict(zip(names, record, strict=False)))
    return sheet


def export_csv(sheet: Sheet, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write every column (inputs and agent values) atomically; returns the written path."""
    target = Path(path).resolve()
    if sheet.source_path is not None and target == Path(sheet.source_path).resolve():
        raise SheetSpecError(f"refusing to overwrite the input file {target.name}; choose another name")
    names = [column.name for column in sheet.columns]
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding=encoding) as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in range(len(sheet)):
                values = sheet.row_values(row)
                writer.writerow([values[name] for name in names])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
