"""Finding the enterprise list in an uploaded file (core.sheet_locate), by the column names in
enterprises/data/import_columns.yaml."""

from pathlib import Path

from core.sheet_locate import Located
from core.sheet_locate import locate as locate_table

from .import_rows import column_of


def _known(cell: str) -> str | None:
    key = column_of(cell)
    return None if key == "ignored" else key


def locate(path: Path, filename: str) -> Located:
    return locate_table(path, filename, _known)
