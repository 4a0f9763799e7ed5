"""Merging conversations: Maya wrote twice about her broken checkout. alice merges the
second thread into the first; the messages and events interleave in time order, the
merged one's page redirects, no inbox lists it, the folder counts equal a recount, and
mail answering either thread (its Message-IDs, its subject token) lands in the result.
Within a minute the merge can be undone, and everything is back where it was."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.actions import (
    ActionError,
    counted_folders,
    do_add_note,
    do_add_tag,
    do_assign,
    do_change_status,
)
from calmdesk.desk.inbox import inbox_page, parse_filter
from calmdesk.desk.merge import UNDO_MERGE, do_merge_conversations, do_unmerge_conversations
from calmdesk.desk.models import MERGED, Conversation, Event, EventKind, FolderCount, Status
from calmdesk.desk.search import search
from calmdesk.desk.snooze import do_snooze
from calmdesk.empathy.models import ConversationCare
from calmdesk.mail.actions import do_send_reply, do_undo_send
from calmdesk.mail.ingest import ingest_raw
from calmdesk.mail.models import Participant, ParticipantSource
from calmdesk.mail.threads import subject_with_token
from calmdesk.ops.doctor import counters_differ, empty_conversations, folder_counts_differ
from tests.mail.conftest import make_mail

from .conftest import Desk, receive

MINUTE = timedelta(minutes=1)


def kept_folders() -> dict[tuple[int, str, int], int]:
    return {
        (m, s, a): n
        for m, s, a, n in FolderCount.objects.exclude(count=0).values_list(
            "mailbox_id", "status", "assignee_key", "count"
        )
    }


def assert_counts_agree() -> None:
    assert kept_folders() == counted_folders()
    assert folder_counts_differ(None) == []  # type: ignore[arg-type]


def thread(conversation: Conversation) -> list[tuple[str, int]]:
    """("m"/"e", pk) of messages and events in time order, as the page shows them."""
    items = [("m", m.pk, m.created_at) for m in conversation.messages.all()]
    items += [("e", e.pk, e.created_at) for e in conversation.events.all()]
    return [(kind, pk) for kind, pk, _when in sorted(items, key=lambda i: (i[2], i[0], i[1]))]


def second_thread(desk: Desk) -> Conversation:
    """Maya's second conversation about the same checkout, written between her first
    message (three hours ago) and alice's reply to it."""
    return receive(
        desk.support,
        "maya@shop.example",
        "Still broken, and now the cart empties too.",
        "Cart empties",
        received_at=timezone.now() - 2 * timedelta(hours=1),
    ).conversation


def active_ids(user) -> list[int]:  # type: ignore[no-untyped-def]
    rows, _ = inbox_page(user, parse_filter(user, {}))
    return [c.pk for c in rows]


def test_messages_and_events_keep_their_time_order(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    do_add_tag(second, desk.bob, "cart")
    do_send_reply(first, desk.alice, "Looking into the checkout now.")
    do_add_note(second, desk.bob, "Same customer as the checkout one.")
    before = sorted(thread(first) + thread(second))
    do_merge_conversations(second, first, desk.alice)
    merged = thread(first)
    # Every item of both, once, in time order (the merge events last: they are newest).
    assert sorted(merged[:-1]) == before
    times = [
        (first.messages.get(pk=pk) if kind == "m" else first.events.get(pk=pk)).created_at
        for kind, pk in merged
    ]
    assert times == sorted(times)
    first.refresh_from_db()
    assert first.message_count == 4  # two customer messages, the reply, the note
    assert first.customer_message_count == 2
    assert {t.name for t in first.tags.all()} == {"cart"}
    assert Event.objects.get(conversation=first, kind=EventKind.CONVERSATION_MERGE).actor == (
        desk.alice
    )
    assert Event.objects.filter(conversation=second, kind=EventKind.CONVERSATION_MERGE).exists()


def test_the_merged_one_redirects_and_leaves_the_inbox_and_its_count(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    assert set(active_ids(desk.alice)) >= {first.pk, second.pk}
    client = desk.client_for(desk.alice)
    response = client.post(reverse("conversation_merge", args=[second.pk]), {"into": first.pk})
    assert response.status_code == 302 and response["Location"] == reverse(
        "conversation", args=[first.pk]
    )
    second.refresh_from_db()
    assert second.merged_into == first
    page = client.get(reverse("conversation", args=[second.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("conversation", args=[first.pk])
    assert second.pk not in active_ids(desk.alice)
    for status in ("active", "pending", "closed", "snoozed"):
        rows, _ = inbox_page(desk.alice, parse_filter(desk.alice, {"status": status}))
        assert second.pk not in [c.pk for c in rows]
    assert [c.pk for c in search(desk.alice, "cart empties").conversations] == [first.pk]
    assert kept_folders()[(desk.support.pk, MERGED, 0)] == 1
    assert kept_folders()[(desk.support.pk, Status.ACTIVE, 0)] == 1
    assert_counts_agree()
    assert empty_conversations(None) == []  # type: ignore[arg-type]
    shown = client.get(reverse("conversation", args=[first.pk])).content.decode()
    assert "Still broken, and now the cart empties too." in shown
    assert "into this conversation" in shown and "Undo" in shown


def test_a_reply_to_the_merged_ones_mail_lands_in_the_result(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    ours = do_send_reply(second, desk.alice, "Which browser do you use?")
    Participant.objects.create(
        conversation=second,
        email="lee@shop.example",
        source=ParticipantSource.CC,
        created_at=timezone.now(),
    )
    do_merge_conversations(second, first, desk.alice)
    by_header = make_mail(
        sender="Maya <maya@shop.example>",
        subject="Re: Cart empties",
        body="Firefox, latest.\n",
        extra=f"In-Reply-To: {ours.message_id}\r\nReferences: {ours.message_id}\r\n",
    )
    by_token = make_mail(
        sender="Lee <lee@shop.example>",  # copied on the merged thread only
        subject="Re: " + subject_with_token("Cart empties", second.token),
        body="Same here on Safari.\n",
    )
    for raw in (by_header, by_token):
        outcome = ingest_raw(raw, desk.support)
        assert outcome.message is not None
        assert outcome.message.conversation_id == first.pk
    assert not second.messages.exists()
    assert_counts_agree()


def test_undo_puts_every_message_and_event_back(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    do_assign(second, desk.alice, desk.alice)
    do_change_status(first, desk.alice, Status.CLOSED)
    do_add_tag(second, desk.alice, "cart")
    now = timezone.now()
    do_snooze(second, desk.alice, now + timedelta(days=1), now=now)
    second.refresh_from_db()
    first.refresh_from_db()
    was = {
        c.pk: (
            thread(c),
            c.status,
            c.assignee_id,
            c.message_count,
            c.customer_message_count,
            c.waiting_since,
            c.last_message_at,
            c.snoozed_until,
            {t.name for t in c.tags.all()},
        )
        for c in (first, second)
    }
    folders = kept_folders()
    do_merge_conversations(second, first, desk.alice)
    first.refresh_from_db()
    assert first.status == Status.ACTIVE  # Maya waits in the merged thread: it opened
    assert_counts_agree()
    do_unmerge_conversations(second, desk.bob)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.merged_into is None
    for c in (first, second):
        items, *fields = was[c.pk]
        now_items = [i for i in thread(c) if i not in _merge_events(c)]
        assert now_items == items
        assert [
            c.status,
            c.assignee_id,
            c.message_count,
            c.customer_message_count,
            c.waiting_since,
            c.last_message_at,
            c.snoozed_until,
            {t.name for t in c.tags.all()},
        ] == fields
    assert kept_folders() == folders
    assert_counts_agree()
    kinds = list(second.events.values_list("kind", flat=True))
    assert EventKind.CONVERSATION_UNMERGE in kinds
    assert first.events.filter(kind=EventKind.CONVERSATION_UNMERGE, actor=desk.bob).exists()


def _merge_events(conversation: Conversation) -> list[tuple[str, int]]:
    kinds = (EventKind.CONVERSATION_MERGE, EventKind.CONVERSATION_UNMERGE)
    return [
        ("e", pk) for pk in conversation.events.filter(kind__in=kinds).values_list("pk", flat=True)
    ]


def test_undo_recounts_a_message_that_came_meanwhile(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    do_merge_conversations(second, first, desk.alice)
    receive(desk.support, "maya@shop.example", "Any news?", conversation=first)
    do_unmerge_conversations(second, desk.alice)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.message_count, second.message_count) == (2, 1)
    assert first.messages.last().body_text == "Any news?"  # type: ignore[union-attr]
    assert_counts_agree()


def test_undo_only_within_a_minute(desk: Desk) -> None:
    first, second = desk.conversation, second_thread(desk)
    then = timezone.now()
    do_merge_conversations(second, first, desk.alice, now=then)
    with pytest.raises(ActionError):
        do_unmerge_conversations(second, desk.alice, now=timezone.now() + UNDO_MERGE + MINUTE)
    do_unmerge_conversations(second, desk.alice)
    with pytest.raises(ActionError):  # once
        do_unmerge_conversations(second, desk.alice)


@pytest.mark.parametrize(
    "case",
    ["itself", "other mailbox", "other customer", "merged already", "into a merged one"],
)
def test_what_cannot_be_merged(desk: Desk, case: str) -> None:
    first, second = desk.conversation, second_thread(desk)
    other = receive(desk.support, "lee@shop.example", "Hello", "Other").conversation
    third = receive(desk.support, "maya@shop.example", "Third", "Third").conversation
    source, target = {
        "itself": (first, first),
        "other mailbox": (desk.billing_conversation, first),
        "other customer": (other, first),
        "merged already": (second, third),
        "into a merged one": (third, second),
    }[case]
    if "merged" in case:
        do_merge_conversations(second, first, desk.admin)
    with pytest.raises(ActionError):
        do_merge_conversations(source, target, desk.admin)


@pytest.mark.parametrize(
    "who,merges",
    [("alice", True), ("bob", True), ("dave", True), ("admin", True), ("charlie", False)],
)
def test_who_may_merge(desk: Desk, who: str, merges: bool) -> None:
    """Someone who sees both (agents of Support, the lead, the admin); charlie, of
    Billing only, finds neither: a 404, and nothing moves."""
    first, second = desk.conversation, second_thread(desk)
    client = desk.client_for(getattr(desk, who))
    confirm = client.get(reverse("conversation_merge", args=[second.pk]), {"into": first.pk})
    response = client.post(reverse("conversation_merge", args=[second.pk]), {"into": first.pk})
    second.refresh_from_db()
    if merges:
        assert confirm.status_code == 200 and b"Merge conversations?" in confirm.content
        assert response.status_code == 302
        assert second.merged_into_id == first.pk
        undo = client.post(reverse("conversation_unmerge", args=[second.pk]))
        assert undo.status_code == 302
        second.refresh_from_db()
        assert second.merged_into_id is None
    else:
        assert (confirm.status_code, response.status_code) == (404, 404)
        assert client.post(reverse("conversation_unmerge", args=[second.pk])).status_code == 404
        assert second.merged_into_id is None


def test_an_agent_cannot_merge_into_a_conversation_they_cannot_see(desk: Desk) -> None:
    """charlie's own Billing conversation into Support's: Support's is not found."""
    client = desk.client_for(desk.charlie)
    source = desk.billing_conversation
    for number in (str(desk.conversation.pk), f"CD-{desk.conversation.token}"):
        response = client.post(reverse("conversation_merge", args=[source.pk]), {"into": number})
        assert response.status_code == 302
        source.refresh_from_db()
        assert source.merged_into_id is None


@pytest.mark.parametrize("typed", ["{pk}", "#{pk}", "CD-{pk}", "[CD-{token}]", "cd-{token}"])
def test_the_target_by_its_number_or_token(desk: Desk, typed: str) -> None:
    first, second = desk.conversation, second_thread(desk)
    into = typed.format(pk=first.pk, token=first.token)
    page = desk.client_for(desk.alice).get(
        reverse("conversation_merge", args=[second.pk]), {"into": into}
    )
    assert page.status_code == 200
    assert f"#{first.pk}".encode() in page.content


def test_the_page_offers_the_customers_other_conversations(desk: Desk) -> None:
    second = second_thread(desk)
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[second.pk]))
    body = page.content.decode()
    assert "Merge into…" in body
    assert f'<option value="{desk.conversation.pk}">' in body


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counters_equal_a_recount_after_merges_and_undos(desk: Desk, seed: int) -> None:
    """Maya's threads with customer messages, replies (some taken back) and notes at
    shuffled times, merged into one another and some merges undone: the doctor's recount
    (DR07) and folder recount (DR08) find nothing."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=2)
    threads = [desk.conversation]
    for n in range(3):
        threads.append(
            receive(
                desk.support,
                "maya@shop.example",
                f"Another thing, {n}.",
                f"Thing {n}",
                received_at=start + timedelta(hours=rng.uniform(0, 40)),
            ).conversation
        )
    for step in range(12):
        thread_ = rng.choice(threads)
        when = start + timedelta(hours=rng.uniform(0, 44))
        action = rng.choice(["customer", "reply", "undo", "note"])
        if action == "customer":
            receive(
                desk.support, "maya@shop.example", "And?", received_at=when, conversation=thread_
            )
        elif action in ("reply", "undo"):
            reply = do_send_reply(thread_, desk.alice, f"Looking, {step}.", now=when)
            if action == "undo":
                do_undo_send(reply, desk.alice, now=when - timedelta(days=30))
        else:
            do_add_note(thread_, desk.bob, "Same person.")
    rng.shuffle(threads)
    while len(threads) > 1:
        source = threads.pop()
        do_merge_conversations(source, threads[0], desk.alice)
        assert counters_differ(None) == []  # type: ignore[arg-type]
        assert_counts_agree()
        if rng.random() < 0.5:
            do_unmerge_conversations(source, desk.alice)
            assert counters_differ(None) == []  # type: ignore[arg-type]
            assert_counts_agree()


def test_the_results_care_reads_the_messages_that_came_in(desk: Desk) -> None:
    """The inbox's gauge and the care order read the newest customer message: after a
    merge it may be one that came in; after the undo, each thread's own again."""
    first = desk.conversation
    second = receive(
        desk.support,
        "maya@shop.example",
        "This is UNACCEPTABLE. I have lost three days of sales and nobody answers!!!",
        "Still nothing",
    ).conversation
    tone_of = {
        c.pk: ConversationCare.objects.get(conversation=c).latest_tone for c in (first, second)
    }
    assert tone_of[first.pk] != tone_of[second.pk]
    client = desk.client_for(desk.alice)
    client.post(reverse("conversation_merge", args=[second.pk]), {"into": first.pk})
    assert ConversationCare.objects.get(conversation=first).latest_tone == tone_of[second.pk]
    client.post(reverse("conversation_unmerge", args=[second.pk]))
    for c in (first, second):
        assert ConversationCare.objects.get(conversation=c).latest_tone == tone_of[c.pk]
