"""The `tidu` command: one entry point wrapping the management commands.

tidu serve [--port 8000]          web server and background worker together
tidu worker [--max-tasks 20]      background worker, recycled every N tasks (one per core in production)
tidu seed-demo [--province 36 --enterprises 5000 --seed 1]
tidu import-enterprises FILE --user NAME [--yes]
tidu export-enterprises [--user NAME] [--out FILE.csv|.xlsx]
tidu load-reference [--industry-groups FILE]
tidu index build --data iData.csv --meta iMeta.csv [--config pipeline.yaml] --out DIR [--compare b.yaml]
tidu index sa --data iData.csv --meta iMeta.csv [--config pipeline.yaml] --sa sa.yaml --out DIR
tidu <any manage.py command>      e.g. tidu migrate, tidu createsuperuser
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    if args[0] == "worker":  # the supervisor only starts db_worker processes: no Django loaded in it
        from core.worker import main as worker_main

        sys.exit(worker_main(args[1:]))
    if args[0] == "index":  # the composite-index engine is pure: no Django set-up for it
        from compositeindex.cli import main as index_main

        sys.exit(index_main(args[1:]))
    # "seed-demo" → the "seed_demo" management command, and so on.
    args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tidu", *args])


if __name__ == "__main__":
    main()
