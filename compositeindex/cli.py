"""`tidu index build --data iData.csv --meta iMeta.csv --config pipeline.yaml --out DIR` (no Django)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .inputs import InputError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tidu index", description="Composite-index engine (COINr-compatible tables)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the index and write one CSV per stage, results and a manifest")
    b.add_argument("--data", type=Path, required=True)
    b.add_argument("--meta", type=Path, required=True)
    b.add_argument("--config", type=Path)
    b.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    from .pipeline import build_files, write

    try:
        coin, raw = build_files(args.data, args.meta, args.config)
    except (InputError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    write(coin, args.out, raw)
    print(f"{len(coin.scores.units)} units, {len(coin.scores.codes)} columns → {args.out}")
    return 0
