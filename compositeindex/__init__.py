"""Composite-index engine (issue 6): COINr-compatible iData/iMeta in, every stage's table and results out.

Pure: no Django, no settings. See compositeindex/README.md for the methods and the defaults chosen.

The names below are imported on first use (PEP 562): `tidu index build --help` imports this package through
`compositeindex.cli` and must not pay for NumPy and pydantic just to print its usage."""

from importlib import import_module

_WHERE = {
    "Config": "config",
    "parse_config": "config",
    "IData": "inputs",
    "IMeta": "inputs",
    "InputError": "inputs",
    "load": "inputs",
    "parse_idata": "inputs",
    "parse_imeta": "inputs",
    "read_table": "inputs",
    "table_from_rows": "inputs",
    "Coin": "pipeline",
    "build": "pipeline",
    "regenerate": "pipeline",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'compositeindex' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
