"""The desk bench at size: its data has the engine's readings and care rows (folded as
the empathy layer folds them), the search index is complete after a generation without
its trigger, the EXPLAIN check finds a sequential scan, and the bench runs end to end on
the database the suite runs on (SQLite, or PostgreSQL when DATABASE_URL names it) and
reports its plans. Timings are printed, never asserted."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from calmdesk.bench import desk as bench
from calmdesk.bench import desk_explain
from calmdesk.bench.desk_data import (
    add_readings,
    add_rollups,
    copy_insert,
    deferred_search_index,
    shape,
)
from calmdesk.desk.demo.generate import generate
from calmdesk.desk.models import Conversation, Message, MessageKind
from calmdesk.empathy.actions import refresh_care
from calmdesk.empathy.models import ConversationCare, MessageReading
from calmdesk.ops import doctor
from calmdesk.team.models import Rollup
from calmdesk.team.rollups import rebuild_all

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_one_shape_for_a_story_told_with_other_names() -> None:
    maya = "Hi Maya,\n\nOrder 4411 was charged twice, 49.00 each.\n\nThanks,\nMaya Garcia"
    lee = "Hello,\n\nOrder 90210 was charged twice, 12.50 each.\n\nBest,\nLee"
    assert shape(maya) == shape(lee) == "Order _ was charged twice, _ each."


def test_generated_desk_has_readings_care_rows_and_its_search_index() -> None:
    with deferred_search_index():
        generate(60, seed=7, progress=False, write=copy_insert)  # COPY on PostgreSQL
    read, texts = add_readings(progress=False)
    customer = Message.objects.filter(kind=MessageKind.CUSTOMER)
    assert read == customer.count() == MessageReading.objects.count()
    assert 0 < texts < read  # shapes read once, copied to the rest
    assert ConversationCare.objects.count() == Conversation.objects.count()
    for conversation in Conversation.objects.select_related("care").order_by("id")[:25]:
        care = conversation.care
        folded = (care.latest_tone, care.priority, care.stakes, round(care.care_score, 6))
        assert round(conversation.priority_score, 6) == folded[3]
        rebuilt = refresh_care(conversation.pk)  # the empathy layer's own rebuild
        assert folded == (
            rebuilt.latest_tone,
            rebuilt.priority,
            rebuilt.stakes,
            round(rebuilt.care_score, 6),
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM desk_search")
        assert cursor.fetchone()[0] == Message.objects.count()
    # Rows written by COPY hold together as the actions keep them: references, counters,
    # folder counts, readings of the current engine.
    faults = {r.check.code: r.found for r in doctor.examine() if r.found}
    assert faults == {}
    # The bench's rollups are the ones the reports' own rebuild counts.
    assert add_rollups() > 0
    written = sorted(Rollup.objects.values_list(*_ROLLUP_VALUES))
    rebuild_all()
    assert sorted(Rollup.objects.values_list(*_ROLLUP_VALUES)) == written


_ROLLUP_VALUES = [f.attname for f in Rollup._meta.concrete_fields if not f.primary_key]


def test_explain_check_names_a_sequential_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    generate(20, seed=7, progress=False)
    checked = desk_explain.Checked()
    with desk_explain.CaptureQueriesContext(connection) as context:
        list(Message.objects.filter(body_text__contains="refund").order_by().values_list("id"))
    checked.statements.update(q["sql"] for q in context.captured_queries)
    monkeypatch.setattr(desk_explain, "BIG", 5)  # the tiny table counts as big
    desk_explain.explain(checked, {})
    assert [o["table"] for o in checked.offenders] == ["desk_message"]


def test_the_bench_runs_and_reports_its_plans(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--conversations", "100", "--requests", "3", "--rounds", "1"]  # one size
    assert bench.run(args) == 0
    out = capsys.readouterr().out
    assert f"calmdesk bench desk ({connection.vendor};" in out
    for label in bench.LABELS.values():
        assert label in out
    assert out.count("sequential scans of tables over 10,000 rows at 100:") == 1


def test_generate_only_needs_a_folder_to_keep_the_data_in() -> None:
    with pytest.raises(SystemExit):
        bench.run(["--conversations", "100", "--generate-only"])


def test_a_kept_postgres_database_is_reused_only_once_generated_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        # On SQLite the kept folder holds the database itself: it outlives the cleanup and
        # the next run with the same root is given the same folder, and no server database.
        env, cleanup = bench._scratch_environment(100, str(tmp_path))
        assert env["CALMDESK_DATA_DIR"] == str(tmp_path.resolve() / "100")
        assert not env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        (tmp_path / "100" / "db.sqlite3").write_text("kept")
        cleanup()
        again, _cleanup = bench._scratch_environment(100, str(tmp_path))
        assert again["CALMDESK_DATA_DIR"] == env["CALMDESK_DATA_DIR"]
        assert (tmp_path / "100" / "db.sqlite3").read_text() == "kept"
        return
    import psycopg

    def marked(url: str) -> bool:
        with psycopg.connect(url, autocommit=True) as kept:
            kept.execute("CREATE TABLE IF NOT EXISTS mark (n int)")
            return kept.execute("SELECT count(*) FROM mark").fetchone()[0] > 0

    env, cleanup = bench._scratch_environment(100, str(tmp_path))
    url = env["DATABASE_URL"]
    try:
        assert not marked(url)
        with psycopg.connect(url, autocommit=True) as kept:
            kept.execute("INSERT INTO mark VALUES (1)")
        (tmp_path / "100" / "generated-in-seconds").write_text("1.0")
        cleanup()  # a kept database stays
        again, _cleanup = bench._scratch_environment(100, str(tmp_path))
        assert again["DATABASE_URL"] == url and marked(url)
        (tmp_path / "100" / "generated-in-seconds").unlink()  # a generation cut short
        anew, _cleanup = bench._scratch_environment(100, str(tmp_path))
        assert anew["DATABASE_URL"] == url and not marked(url)
    finally:
        bench._drop_database(os.environ["DATABASE_URL"], url.rsplit("/", 1)[1])
