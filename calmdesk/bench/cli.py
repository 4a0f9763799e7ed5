"""``calmdesk bench NAME``: each benchmark lives in its own module with ``run(argv) -> int``."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "engine": "calmdesk.bench.engine",
    "desk": "calmdesk.bench.desk",
    "ingest": "calmdesk.bench.ingest",
    "coach": "calmdesk.bench.coach",
    "coach-precision": "calmdesk.bench.coach_precision",
    "faults": "calmdesk.bench.faults",
    "import": "calmdesk.bench.importer",
    "poll": "calmdesk.bench.poll",
    "problems": "calmdesk.bench.problems",
    "api": "calmdesk.bench.api",
    "load": "calmdesk.bench.load",
}


def cmd_bench(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print("usage: calmdesk bench {" + ",".join([*BENCHES, "all"]) + "} [ARGS]")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name == "all":
        status = 0
        for each in BENCHES:
            print(f"== calmdesk bench {each}", flush=True)
            status = max(status, int(importlib.import_module(BENCHES[each]).run([])))
        return status
    if name not in BENCHES:
        print(f"calmdesk bench: unknown benchmark {name!r}", file=sys.stderr)
        return 2
    return int(importlib.import_module(BENCHES[name]).run(rest))
