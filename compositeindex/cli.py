"""`tidu index build --data iData.csv --meta iMeta.csv --config pipeline.yaml --out DIR` (no Django)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tidu index", description="Composite-index engine (COINr-compatible tables)")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the index and write one CSV per stage, results and a manifest")
    b.add_argument("--data", type=Path, required=True)
    b.add_argument("--meta", type=Path, required=True)
    b.add_argument("--config", type=Path)
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--compare", type=Path, help="a second pipeline.yaml: writes compare.csv (rank in each variant)")
    s = sub.add_parser("sa", help="uncertainty and sensitivity analysis of the ranks")
    for name in ("--data", "--meta"):
        s.add_argument(name, type=Path, required=True)
    s.add_argument("--config", type=Path)
    s.add_argument("--sa", type=Path, required=True, help="YAML: n, seed, workers, code, uncertain: [...]")
    s.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    # This process uses no pydantic plugins; looking them up scans every installed distribution's entry points
    # (about 0.1 s here). An explicit setting in the environment wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # imported after parsing: `--help` and usage errors never load NumPy or pydantic
    from .inputs import InputError
    from .outputs import write
    from .pipeline import build_files

    try:
        coin, raw = build_files(args.data, args.meta, args.config)
        if args.command == "sa":
            return run_sa(coin, raw, args.sa, args.out)
    except (InputError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    write(coin, args.out, raw)
    if args.compare:
        from .outputs import csv_bytes
        from .pipeline import build
        from .results import compare

        try:
            other = build(coin.idata, coin.imeta, args.compare.read_text(encoding="utf-8"))
        except (InputError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        rows = [[r["uCode"], r["rank_a"], r["rank_b"], r["change"]] for r in compare(coin, other)]
        (args.out / "compare.csv").write_bytes(csv_bytes(["uCode", "rank_a", "rank_b", "change"], rows))
    print(f"{len(coin.scores.units)} units, {len(coin.scores.codes)} columns → {args.out}")
    return 0


def run_sa(coin, raw: dict, spec_path: Path, out: Path) -> int:
    """Spec: {n, seed, workers, code, bootstrap, uncertain: [{name, alternatives: [{path: value}]} |
    {name, noise, sets, levels}]} — noise one factor (for `levels`, default all) or {level: factor}.
    Writes sa_ranks.csv, sa_indices.csv, exclusion.csv and sa_manifest.json."""
    import json

    import yaml

    from .outputs import csv_bytes, digest
    from .sensitivity import Uncertain, exclusion, noisy_weights, sensitivity

    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {}
    factors, extra = [], {}
    for f in spec.get("uncertain", []):
        if "noise" in f:
            noise = f["noise"] if isinstance(f["noise"], dict) else float(f["noise"])
            levels = tuple(int(x) for x in f["levels"]) if f.get("levels") else None
            sets, u = noisy_weights(
                coin, f.get("name", "weights"), noise, int(f.get("sets", 100)), int(spec.get("seed", 0)) + 1, levels
            )
            extra.update(sets)
            factors.append(u)
        else:
            factors.append(Uncertain(f["name"], tuple(dict(a) for a in f["alternatives"])))
    if not factors:
        raise ValueError("sa: 至少需要一个不确定的选择（uncertain）")
    res = sensitivity(
        coin,
        factors,
        int(spec.get("n", 1000)),
        seed=int(spec.get("seed", 0)),
        code=spec.get("code"),
        workers=spec.get("workers"),
        extra=extra or None,
        bootstrap_reps=int(spec.get("bootstrap", 500)),
    )
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "sa_ranks.csv": csv_bytes(
            ["uCode", "nominal", "median", "q05", "q95", "presence"],
            zip(res.units, res.nominal_rank, res.median_rank, res.q05, res.q95, res.presence, strict=True),
        ),
        "sa_indices.csv": csv_bytes(
            ["factor", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"],
            (
                [f, res.s1[i], res.s1_ci[0][i], res.s1_ci[1][i], res.st[i], res.st_ci[0][i], res.st_ci[1][i]]
                for i, f in enumerate(res.factors)
            ),
        ),
        "exclusion.csv": csv_bytes(["iCode", "mean_abs_rank_change"], exclusion(coin, spec.get("code")).items()),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    manifest = {
        "inputs": {k: digest(v) for k, v in sorted({**raw, "sa": spec_path.read_bytes()}.items())},
        "runs": res.runs,
        "converged": res.converged,
        "convergence": res.convergence,
        "outputs": {k: digest(v) for k, v in sorted(files.items())},
    }
    (out / "sa_manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{res.runs} runs, converged={res.converged} → {out}")
    return 0
