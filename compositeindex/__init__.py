"""Composite-index engine (issue 6): COINr-compatible iData/iMeta in, every stage's table and results out.

Pure: no Django, no settings. See compositeindex/README.md for the methods and the defaults chosen."""

from .config import Config, parse_config
from .inputs import IData, IMeta, InputError, load, parse_idata, parse_imeta, read_table, table_from_rows
from .pipeline import Coin, build, regenerate

__all__ = [
    "Coin",
    "Config",
    "IData",
    "IMeta",
    "InputError",
    "build",
    "load",
    "parse_config",
    "parse_idata",
    "parse_imeta",
    "read_table",
    "regenerate",
    "table_from_rows",
]
