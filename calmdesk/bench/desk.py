"""``calmdesk bench desk``: server time of the inbox (with its folder counts), a
conversation page and a search, at a tenth of the size and at full size, so the growth
shows; and the peak memory of the process that served them.

Each size gets its own temporary data directory (or its own throwaway database on the
PostgreSQL server that DATABASE_URL names), never the user's data. Data is written by the
demo generator in one child process; the pages are requested through Django's test
client in a second child process, which is the "web process" whose peak RSS is reported.
Times are wall-clock around each request inside that process: middleware, queries and
template rendering, without the network."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SEARCHES = (
    "checkout",
    "refund",
    "invoice vat",
    "sync error",
    "variants",
    "student",
    "garcia",
    "webhook",
    "double charge",
    "timeout 504",
)
TARGETS = {"inbox": 50.0, "inbox_deep": 50.0, "conversation": 50.0, "search": 150.0}
LABELS = {
    "inbox": "inbox + folder counts",
    "inbox_deep": "inbox, 20th page",
    "conversation": "conversation page",
    "search": "search",
}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk bench desk", description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    parser.add_argument("--rounds", type=int, default=3, help="measuring rounds; best kept")
    parser.add_argument(
        "--data-root",
        help="keep each size's data under this folder and reuse it on the next run "
        "(SQLite only; default: temporary folders, removed afterwards)",
    )
    args = parser.parse_args(argv)
    sizes = sorted({max(100, args.conversations // 10), args.conversations})
    scratch = {size: _scratch_environment(size, args.data_root) for size in sizes}
    results: dict[int, dict] = {}
    try:
        for size in sizes:
            env = scratch[size][0]
            marker = Path(env["CALMDESK_DATA_DIR"]) / "generated-in-seconds"
            if not marker.exists():
                print(f"-- {size:,} conversations: generating", file=sys.stderr, flush=True)
                started = time.perf_counter()
                _child(env, "generate", str(size))
                marker.write_text(f"{time.perf_counter() - started:.1f}")
            results[size] = {"size": size, "generate_s": float(marker.read_text())}
        # Sizes are measured in turns, several rounds, keeping each page's best round: the
        # machine's other work then weighs on both sizes alike instead of on one of them.
        for round_ in range(args.rounds):
            for size in sizes:
                print(f"-- round {round_ + 1}: measuring {size:,}", file=sys.stderr, flush=True)
                out = _child(scratch[size][0], "measure", str(args.requests), capture=True)
                _keep_best(results[size], json.loads(out.strip().splitlines()[-1]))
    finally:
        for _env, cleanup in scratch.values():
            cleanup()
    _report([results[size] for size in sizes], args.rounds)
    return 0


def _keep_best(kept: dict, new: dict) -> None:
    kept["database"] = new["database"]
    kept["rss_mb"] = max(kept.get("rss_mb", 0), new["rss_mb"])
    pages = kept.setdefault("pages", {})
    for key, figures in new["pages"].items():
        if key not in pages or figures["median"] < pages[key]["median"]:
            pages[key] = figures


def _scratch_environment(size: int, root: str | None):
    env = dict(os.environ)
    if root:
        data_dir = str(Path(root).resolve() / str(size))
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    else:
        data_dir = tempfile.mkdtemp(prefix=f"calmdesk-bench-{size}-")
    env["CALMDESK_DATA_DIR"] = data_dir
    env["CALMDESK_ALLOWED_HOSTS"] = "testserver"
    env["CALMDESK_DEBUG"] = "false"
    env["CALMDESK_LOG_LEVEL"] = "WARNING"
    database_url = env.get("DATABASE_URL", "")
    dropped: list[str] = []
    if database_url.startswith(("postgres://", "postgresql://")):
        name = f"calmdesk_bench_{os.getpid()}_{size}"
        env["DATABASE_URL"] = _create_database(database_url, name)
        dropped.append(name)

    def cleanup() -> None:
        if not root:
            shutil.rmtree(data_dir, ignore_errors=True)
        for name in dropped:
            _drop_database(database_url, name)

    return env, cleanup


def _create_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _child(env: dict[str, str], *args: str, capture: bool = False) -> str:
    command = [sys.executable, "-m", "calmdesk.bench.desk", *args]
    done = subprocess.run(
        command, env=env, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return done.stdout or ""


def _report(results: list[dict], rounds: int) -> None:
    engine = results[0]["database"] if results else "?"
    print(f"\ncalmdesk bench desk ({engine}; best of {rounds} rounds; ms, median / p95)")
    for title, median, p95 in (
        ("wall-clock time per request", "median", "p95"),
        (
            "CPU time of the web process per request (what other load on the machine "
            "does not inflate)",
            "cpu_median",
            "cpu_p95",
        ),
    ):
        print(f"\n{title}\n")
        header = f"{'page':<24}" + "".join(f"{r['size']:>20,}" for r in results)
        print(header + ("   growth (p95)" if len(results) > 1 else ""))
        for key, label in LABELS.items():
            cells = "".join(
                f"{r['pages'][key][median]:>11.1f} / {r['pages'][key][p95]:>5.1f}" for r in results
            )
            growth = ""
            if len(results) > 1:
                growth = f"   ×{results[-1]['pages'][key][p95] / results[0]['pages'][key][p95]:.2f}"
            print(f"{label:<24}{cells}{growth}")
    print()
    print(f"{'peak RSS, web process':<24}" + "".join(f"{r['rss_mb']:>17.0f} MB" for r in results))
    print(f"{'generating the data':<24}" + "".join(f"{r['generate_s']:>18.0f} s" for r in results))
    last = results[-1]
    missed = [LABELS[key] for key, limit in TARGETS.items() if last["pages"][key]["p95"] > limit]
    print(
        "\ntargets (wall-clock p95 at full size: pages < 50 ms, search < 150 ms; RSS < 250 MB): "
        + ("met" if not missed and last["rss_mb"] < 250 else f"missed: {missed or 'RSS'}")
    )


# -- child processes -------------------------------------------------------------------


def _generate(size: int) -> None:
    from django.core.management import call_command

    from calmdesk.desk.demo.generate import generate

    call_command("migrate", verbosity=0)
    generate(size, seed=2026)


def _timed(client, urls: list[str]) -> dict[str, float]:
    for url in urls[:5]:  # warm the caches and the connection
        client.get(url)
    wall, cpu = [], []
    for url in urls:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "median": statistics.median(wall),
        "p95": statistics.quantiles(wall, n=20)[-1],
        "cpu_median": statistics.median(cpu),
        "cpu_p95": statistics.quantiles(cpu, n=20)[-1],
    }


def _measure(requests: int) -> None:
    import random
    import resource

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from calmdesk.desk.access import visible_conversations

    rng = random.Random(1)
    # alice sees one mailbox of three: the common case, and the harder query plan.
    alice = get_user_model().objects.get(username="alice")
    client = Client()
    client.force_login(alice)
    ids = list(visible_conversations(alice).values_list("pk", flat=True))
    deep = "/"
    for _page in range(19):  # follow "Next page" as an agent would, as far as it goes
        found = re.search(r'rel="next" href="[^"]*after=([^"&]+)"', client.get(deep).text)
        if found is None:
            break
        deep = "/?status=active&after=" + found.group(1)
    pages = {
        "inbox": _timed(client, ["/"] * requests),
        "inbox_deep": _timed(client, [deep] * requests),
        "conversation": _timed(client, [f"/c/{rng.choice(ids)}/" for _ in range(requests)]),
        "search": _timed(
            client, [f"/search/?q={SEARCHES[i % len(SEARCHES)]}" for i in range(requests)]
        ),
    }
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"pages": pages, "rss_mb": rss_mb, "database": connection.vendor}))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    phase, value = sys.argv[1], int(sys.argv[2])
    if phase == "generate":
        _generate(value)
    else:
        _measure(value)
