"""The fault-injection runs (a few of the 200 of ``calmdesk bench faults``): the web,
the worker or the ingest SIGKILLed at a seeded moment, and nothing lost or doubled.
And the check itself, handed a lost message and a doubled delivery, says so."""

from __future__ import annotations

import os

import pytest

from calmdesk.bench.faults import TARGETS, run_faults, summary, verify

RUNS = 6  # the suite's share; the bench makes 200
SEED = 2  # its six runs choose the web twice, the worker once and the ingest three times


@pytest.mark.slow
def test_killing_web_worker_and_ingest_loses_and_doubles_nothing():
    url = os.environ.get("DATABASE_URL", "")
    results = run_faults(RUNS, SEED, url if url.startswith("postgres") else "", progress=False)
    lines, failures = summary(results)
    assert failures == 0, "\n".join(lines)
    assert len(results) == RUNS + 2  # and the two baseline runs without a fault
    assert {r.target for r in results[2:]} == set(TARGETS)
    # The worker outlives the others, so a run that chose it always kills it.
    assert all(r.killed for r in results if r.target == "worker")


BODY = "Thanks for waiting. This is reply 0 of run 1."


def state(**changes):  # type: ignore[no-untyped-def]
    """What child_check reports after a good run: one mail, one reply sent."""
    return {
        "doctor": 0,
        "doctor_report": [],
        "doctor_later": [],
        "stored": {"<m1@example.com>": 1},
        "replies": [[BODY, "<r1@desk>", "sent"]],
        "flagged": [],
    } | changes


def problems(caught=("<r1@desk>",), **changes):  # type: ignore[no-untyped-def]
    return verify(state(**changes), ["<m1@example.com>"], [BODY], list(caught)).problems


def test_a_good_run_has_no_problem():
    assert problems() == []


def test_it_catches_a_lost_message():
    assert problems(stored={}) == ["mail <m1@example.com> stored 0 times"]


def test_it_catches_a_message_stored_twice():
    assert problems(stored={"<m1@example.com>": 2}) == ["mail <m1@example.com> stored 2 times"]


def test_it_catches_a_doubled_delivery():
    assert problems(caught=["<r1@desk>", "<r1@desk>"]) == ["reply <r1@desk> delivered 2 times"]


def test_a_flagged_resend_is_counted_not_failed():
    found = verify(
        state(flagged=["<r1@desk>"]), ["<m1@example.com>"], [BODY], ["<r1@desk>", "<r1@desk>"]
    )
    assert (found.problems, found.flagged_resends) == ([], 1)


def test_a_flagged_reply_sent_three_times_is_a_failure():
    assert problems(caught=["<r1@desk>"] * 3, flagged=["<r1@desk>"]) == [
        "reply <r1@desk> delivered 3 times"
    ]


def test_it_catches_a_lost_reply():
    assert problems(caught=[]) == ["reply <r1@desk> never delivered"]


def test_it_catches_a_reply_stuck_in_the_outbox():
    assert problems(caught=[], replies=[[BODY, "<r1@desk>", "sending"]]) == [
        "reply <r1@desk> left sending",
        "reply <r1@desk> never delivered",
    ]


def test_it_catches_a_reply_written_twice():
    doubled = [[BODY, "<r1@desk>", "sent"], [BODY, "<r2@desk>", "sent"]]
    assert problems(caught=["<r1@desk>", "<r2@desk>"], replies=doubled) == [
        f"reply {BODY!r} written 2 times"
    ]


def test_it_catches_a_reply_never_written():
    assert problems(caught=[], replies=[]) == [f"reply {BODY!r} written 0 times"]


def test_it_catches_a_delivery_of_nothing_we_wrote():
    assert problems(caught=["<r1@desk>", "<stray@desk>"]) == ["delivered unknown <stray@desk>"]


def test_it_fails_the_run_when_doctor_finds_a_fault():
    report = ["FAULT DR09 outbox-stuck: 1 replies held in sending by a worker that is gone"]
    assert problems(doctor=1, doctor_report=report) == ["doctor: " + report[0]]


def test_it_fails_the_run_when_a_file_is_left_without_a_row():
    left = ["DR04 ab/cd/abcd.eml"]
    assert problems(doctor_later=left) == ["doctor an hour later: DR04 ab/cd/abcd.eml"]
