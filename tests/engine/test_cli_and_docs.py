"""The engine's commands (exit codes are a contract with CI and editors), the Django-free
import, and docs/rules.md kept in step with the rule registry."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calmdesk.engine.cli import _load_thread, cmd_check, cmd_engine, cmd_read, cmd_rules
from calmdesk.engine.rules import RULES, rules_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a subprocess
def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys, calmdesk.engine as e; e.read_message('still waiting'); "
        "e.check_reply('hi', e.Thread()); "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_docs_rules_md_matches_the_registry() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == rules_markdown(), "run: calmdesk rules --markdown > docs/rules.md"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "draft_bad": tmp_path / "bad.txt",
        "draft_ok": tmp_path / "ok.txt",
        "draft_info": tmp_path / "info.txt",
        "message": tmp_path / "message.txt",
        "thread": tmp_path / "thread.json",
        "broken": tmp_path / "broken.json",
    }
    paths["draft_bad"].write_text("Hi Adam, you clearly didn't read the docs.")
    paths["draft_ok"].write_text("Hi Adan, I'm sorry about the wait. Your export is attached.")
    paths["draft_info"].write_text("Hi Adan, sorry. Actually, the export runs at night.")
    paths["message"].write_text("Third time asking: where is my export? Since Monday!")
    paths["thread"].write_text(
        json.dumps(
            {
                "customer_name": "Adan",
                "messages": [
                    {"role": "customer", "text": "Where is my export? I'm still waiting."}
                ],
                "reproduced": "not_tried",
            }
        )
    )
    paths["broken"].write_text("{not json")
    return paths


@pytest.mark.parametrize(
    "draft,extra,status",
    [
        ("draft_bad", [], 1),  # CD103 is an error; the default --fail-on is error
        ("draft_ok", [], 0),
        ("draft_info", [], 0),  # CD104 is info only
        ("draft_info", ["--fail-on", "info"], 1),
        ("draft_bad", ["--disable", "CD103", "--disable", "wrong-detail"], 0),
    ],
)
def test_check_exit_status(
    files: dict[str, Path], draft: str, extra: list[str], status: int
) -> None:
    argv = [str(files[draft]), "--thread", str(files["thread"]), *extra]
    assert cmd_check(argv) == status


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["draft.txt"],  # no --thread
        ["{draft}", "--thread", "{thread}", "--fail-on", "never"],
        ["{draft}", "--thread", "{broken}"],
        ["{missing}", "--thread", "{thread}"],
    ],
)
def test_check_usage_errors_exit_2(files: dict[str, Path], argv: list[str]) -> None:
    names = {
        "draft": files["draft_ok"],
        "thread": files["thread"],
        "broken": files["broken"],
        "missing": files["draft_ok"].with_name("nope.txt"),
    }
    assert cmd_check([a.format(**names) for a in argv]) == 2


def test_check_json_output(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    cmd_check([str(files["draft_bad"]), "--thread", str(files["thread"]), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert {"CD103", "CD113"} <= {f["code"] for f in out["findings"]}
    for f in out["findings"]:
        assert {"code", "severity", "start", "end", "message", "suggestion"} <= set(f)


def test_check_with_a_plain_text_thread(files: dict[str, Path]) -> None:
    assert cmd_check([str(files["draft_bad"]), "--thread", str(files["message"])]) == 1


def test_read_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_read([str(files["message"])]) == 0
    out = capsys.readouterr().out
    assert "tone: frustrated" in out and "repetition" in out


def test_read_jsonl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    lines = ["I want a refund.", json.dumps({"text": "Line one.\nStill waiting!"}), "", "{broken"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert cmd_read(["--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    for row in rows:
        for key in (
            "tone",
            "intensity",
            "confidence",
            "language",
            "scores",
            "sentences",
            "facts",
            "stakes",
        ):
            assert key in row
    assert rows[0]["tone"] == "frustrated" and len(rows[1]["sentences"]) == 2


@pytest.mark.parametrize("argv,status", [(["--nope"], 2), (["/no/such/file"], 2)])
def test_read_usage_errors(argv: list[str], status: int) -> None:
    assert cmd_read(argv) == status


@pytest.mark.parametrize("argv", [[], ["-"], ["--json"]])
def test_read_with_no_file_reads_stdin(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Third time asking: where is my export?"))
    assert cmd_read(argv) == 0
    out = capsys.readouterr().out
    assert '"tone": "frustrated"' in out if "--json" in argv else "tone: frustrated" in out


README_THREAD = re.compile(r"`calmdesk check --thread`.*?```json\n(.*?)```", re.S)


def test_the_thread_json_shape_is_in_the_help_and_the_readme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cmd_check(["--help"])
    shown = capsys.readouterr().out
    for key in ('"customer_name"', '"product"', '"reproduced"', '"messages"', '"role"', '"text"'):
        assert key in shown
    assert '"reproduced", "not_reproduced"' in shown
    # The README's example is a thread the command reads as written.
    example = README_THREAD.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert example is not None
    (tmp_path / "thread.json").write_text(example.group(1))
    thread = _load_thread(str(tmp_path / "thread.json"))
    assert thread.customer_name == "Maya Okafor" and thread.reproduced == "not_tried"
    assert [role for role, _text in thread.messages] == ["customer", "agent"]


@pytest.mark.slow  # a subprocess
def test_piping_into_head_exits_quietly(tmp_path: Path) -> None:
    # Far more output than a pipe holds, so the command is still writing when head leaves.
    lines = tmp_path / "lines.txt"
    lines.write_text("I want a refund, this is the third time I ask.\n" * 3000)
    with lines.open() as stdin:
        child = subprocess.Popen(
            [sys.executable, "-m", "calmdesk", "read", "--jsonl"],
            cwd=ROOT,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.read(100).startswith(b'{"tone"')
        child.stdout.close()  # what head does once it has its lines
        errors = child.stderr.read().decode()
        assert child.wait() == 141  # as a shell reports a command stopped by SIGPIPE
    assert errors == ""


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_rules([]) == 0
    out = capsys.readouterr().out
    assert all(r.code in out and r.name in out for r in RULES)


@pytest.mark.parametrize("argv,status", [([], 2), (["--help"], 0), (["fly"], 2)])
def test_engine_command(argv: list[str], status: int) -> None:
    assert cmd_engine(argv) == status


def test_the_installed_command_runs_without_django(files: dict[str, Path]) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "calmdesk",
            "check",
            str(files["draft_bad"]),
            "--thread",
            str(files["thread"]),
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout)["findings"]


def test_bench_without_shared_data_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmdesk.bench.engine import run

    assert run(["--json", "--data", str(tmp_path / "none"), "--repeat", "1", "--texts", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"read_per_s", "read_median_us", "check_median_us", "peak_rss_mb"} <= set(out)
    assert "read_us_per_kb_1kb" in out and "read_us_per_kb_1mb" in out
    assert any("GoEmotions" in s for s in out["skipped"])
    assert "goemotions_ekman_macro_f1" not in out
