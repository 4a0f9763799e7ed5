"""The per-token rate limit counted in memory: no write per request, exact near the
limit, shared by two processes through the token's row, a new window each minute. Time
is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from calmdesk.api.models import ApiToken
from calmdesk.api.ratelimit import FLUSH_SECONDS, RateCounter
from calmdesk.api.tokens import do_create_token
from tests.desk.conftest import Desk

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def _token(desk: Desk) -> ApiToken:
    return do_create_token(desk.alice, "sync", "read").token  # type: ignore[arg-type]


def test_it_writes_once_then_only_every_few_seconds(desk: Desk, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    token, counter = _token(desk), RateCounter()
    with django_assert_num_queries(2):  # the first of a minute: the UPDATE and its read
        assert counter.count(token, 100, T0) == 0
    with django_assert_num_queries(0):
        for n in range(20):
            assert counter.count(token, 100, T0 + timedelta(seconds=n * 0.1)) == 0
    row = ApiToken.objects.get(pk=token.pk)
    assert (row.window_count, row.last_used_at) == (1, T0)
    later = T0 + timedelta(seconds=FLUSH_SECONDS)
    with django_assert_num_queries(2):
        assert counter.count(token, 100, later) == 0
    row = ApiToken.objects.get(pk=token.pk)
    assert (row.window_count, row.last_used_at) == (22, later)


def test_the_limit_and_its_retry_after(desk: Desk) -> None:
    token, counter = _token(desk), RateCounter()
    assert [counter.count(token, 3, T0) for _ in range(3)] == [0, 0, 0]
    assert counter.count(token, 3, T0) == 50  # the minute ends at 09:01:00
    assert counter.count(token, 3, T0 + timedelta(seconds=49.5)) == 1
    assert counter.count(token, 3, T0 + timedelta(seconds=50)) == 0  # the next minute
    assert ApiToken.objects.get(pk=token.pk).window_count == 1


def test_two_processes_share_the_count(desk: Desk) -> None:
    token, first, second = _token(desk), RateCounter(), RateCounter()
    later = T0 + timedelta(seconds=FLUSH_SECONDS)
    # Each reads the row on its first request of the minute, then counts alone for a few
    # seconds: the row says 2, four have been let through.
    assert [first.count(token, 4, T0) for _ in range(2)] == [0, 0]
    assert [second.count(token, 4, T0) for _ in range(2)] == [0, 0]
    assert ApiToken.objects.get(pk=token.pk).window_count == 2
    # Their next writes bring the row up to date, and both refuse from then on.
    assert first.count(token, 4, later) == 0  # the row: 4
    assert second.count(token, 4, later) > 0  # the row: 6
    assert first.count(token, 4, later) > 0
    assert second.count(token, 4, later) > 0
    assert ApiToken.objects.get(pk=token.pk).window_count >= 6


def test_each_token_has_its_own_count(desk: Desk) -> None:
    counter, one, other = RateCounter(), _token(desk), _token(desk)
    assert [counter.count(one, 2, T0) for _ in range(3)] == [0, 0, 50]
    assert counter.count(other, 2, T0) == 0
