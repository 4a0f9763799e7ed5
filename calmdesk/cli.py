"""The ``calmdesk`` command. Each subcommand lives beside the code it drives and is
imported only when called, so ``calmdesk read`` and ``calmdesk check`` never load Django.

A subcommand is a function ``(argv: list[str]) -> int`` (the exit status)."""

from __future__ import annotations

import importlib
import os
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    # name: ("module:function", one-line help)
    "read": ("calmdesk.engine.cli:cmd_read", "read a customer message: tone, facts, stakes"),
    "check": ("calmdesk.engine.cli:cmd_check", "lint a reply draft against its thread"),
    "rules": ("calmdesk.engine.cli:cmd_rules", "list the reply coach's rules"),
    "engine": ("calmdesk.engine.cli:cmd_engine", "engine tasks: train, build, status, clean"),
    "bench": ("calmdesk.bench.cli:cmd_bench", "benchmarks: engine, desk, ingest"),
    "demo": ("calmdesk.desk.demo:cmd_demo", "serve a desk with demo data"),
    "worker": ("calmdesk.mail.worker:cmd_worker", "run the outbox, IMAP polling and tasks"),
    "ingest": ("calmdesk.mail.ingest_cli:cmd_ingest", "store raw email from stdin or files"),
    "import": ("calmdesk.importer.cli:cmd_import", "import history: mail archives, help desks"),
    "reanalyze": (
        "calmdesk.empathy.reanalyze:cmd_reanalyze",
        "re-read stored messages after an engine upgrade",
    ),
    "rollup": ("calmdesk.team.cli:cmd_rollup", "rebuild the report rollups (--since DATE)"),
    "doctor": ("calmdesk.ops.doctor:cmd_doctor", "check the data's integrity (--fix repairs)"),
    "backup": ("calmdesk.ops.backup:cmd_backup", "copy the database and data folder"),
    "restore": ("calmdesk.ops.backup:cmd_restore", "restore a copy made by calmdesk backup"),
    "export": ("calmdesk.ops.export:cmd_export", "export every record as JSON lines"),
    "manage": ("calmdesk.cli:cmd_manage", "Django's manage.py (migrate, check, ...)"),
}


# The status a shell gives a command stopped by SIGPIPE (128 + 13).
PIPE_CLOSED = 141


def cmd_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["calmdesk manage", *argv])
    return 0


def _usage() -> str:
    lines = ["usage: calmdesk COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<8} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"calmdesk: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    try:
        status = int(func(rest) or 0)
        sys.stdout.flush()  # a pipe's buffered output fails here, not at exit
    except BrokenPipeError:
        # The reader went away (`calmdesk read --jsonl < big | head`): stop quietly, as
        # Unix tools do, and keep Python from failing again on its final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PIPE_CLOSED
    return status


if __name__ == "__main__":
    sys.exit(main())
