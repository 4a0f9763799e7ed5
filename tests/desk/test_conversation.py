from __future__ import annotations

from django.urls import reverse

from calmdesk.desk.actions import do_add_note, do_change_status, do_erase_customer
from calmdesk.desk.models import Event, EventKind, Message, MessageKind, Status
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.models import Outbox, OutboxState

from .conftest import Desk


def _latest_id(desk: Desk) -> int:
    return desk.conversation.messages.order_by("-id").values_list("id", flat=True)[0]


def test_the_page_shows_the_thread_the_customer_and_the_controls(desk: Desk) -> None:
    do_add_note(desk.conversation, desk.bob, "Reproduced on staging.")
    do_change_status(desk.conversation, desk.bob, Status.PENDING)
    response = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    page = response.content.decode()
    assert "ERR_SYNC_TIMEOUT" in page
    assert "Reproduced on staging." in page and "internal note" in page
    assert "changed the status" in page
    assert "maya@shop.example" in page and "Maya Okafor" in page
    assert "screen shot.png" in page


def test_a_reply_is_saved_and_scheduled_in_the_outbox(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    response = client.post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "Hi Maya, I'm on it.", "seen_up_to": _latest_id(desk), "then_status": "pending"},
        follow=True,
    )
    reply = Message.objects.get(kind=MessageKind.REPLY)
    assert reply.outbox.state == OutboxState.SCHEDULED
    assert "Sending in" in response.content.decode()
    desk.conversation.refresh_from_db()
    assert desk.conversation.status == Status.PENDING
    assert desk.conversation.waiting_since is None


def test_alice_can_undo_her_reply_within_the_window(desk: Desk) -> None:
    reply = do_send_reply(desk.conversation, desk.alice, "Oops, wrong customer.")
    client = desk.client_for(desk.alice)
    client.post(reverse("conversation_undo", args=[desk.conversation.pk, reply.pk]))
    assert Outbox.objects.get(message=reply).state == OutboxState.UNDONE


def test_bob_cannot_undo_alices_reply(desk: Desk) -> None:
    reply = do_send_reply(desk.conversation, desk.alice, "Sent by alice.")
    desk.client_for(desk.bob).post(
        reverse("conversation_undo", args=[desk.conversation.pk, reply.pk])
    )
    assert Outbox.objects.get(message=reply).state == OutboxState.SCHEDULED


def test_it_refuses_a_reply_when_bob_wrote_meanwhile_and_keeps_the_draft(desk: Desk) -> None:
    seen = _latest_id(desk)
    do_send_reply(desk.conversation, desk.bob, "Bob here: refunded you already.")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "Alice's long careful draft", "seen_up_to": seen},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Bob here: refunded you already." in page
    assert "Alice&#x27;s long careful draft" in page
    assert Message.objects.filter(kind=MessageKind.REPLY).count() == 1


def test_a_note_from_bob_also_stops_alices_send(desk: Desk) -> None:
    seen = _latest_id(desk)
    do_add_note(desk.conversation, desk.bob, "Don't promise a date.")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "It will be fixed Monday.", "seen_up_to": seen},
    )
    assert response.status_code == 409
    assert "promise a date" in response.content.decode()


def test_notes_stay_internal_and_empty_ones_are_refused(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_note", args=[desk.conversation.pk])
    client.post(url, {"body": "Customer is on the Business plan."})
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    notes = Message.objects.filter(kind=MessageKind.NOTE)
    assert [n.body_text for n in notes] == ["Customer is on the Business plan."]
    assert not Outbox.objects.exists()


def test_unicode_and_a_100_kb_body_arrive_whole(desk: Desk) -> None:
    body = "Grüße 👋 — 日本語のテキスト, עברית, Ελληνικά.\n" + ("x" * 100 * 1024)
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": body, "seen_up_to": _latest_id(desk)},
    )
    assert response.status_code == 302
    assert Message.objects.get(kind=MessageKind.REPLY).body_text == body
    page = desk.client_for(desk.alice).get(reverse("conversation", args=[desk.conversation.pk]))
    assert "日本語のテキスト" in page.content.decode()


def test_a_concurrent_status_change_is_reported_and_nothing_is_lost(desk: Desk) -> None:
    # alice has the page open (active); bob closes it; alice then picks pending.
    do_change_status(desk.conversation, desk.bob, Status.CLOSED)
    response = desk.client_for(desk.alice).post(
        reverse("conversation_status", args=[desk.conversation.pk]),
        {"status": "pending", "seen_status": "active"},
        follow=True,
    )
    assert "A teammate changed the status" in response.content.decode()
    desk.conversation.refresh_from_db()
    assert desk.conversation.status == Status.CLOSED
    assert Event.objects.filter(kind=EventKind.STATUS).count() == 1


def test_an_unknown_status_is_a_message_not_an_error(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_status", args=[desk.conversation.pk]),
        {"status": "deleted"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_alice_cannot_assign_to_charlie_who_cannot_see_support(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_assign", args=[desk.conversation.pk]),
        {"assignee": desk.charlie.pk},
        follow=True,
    )
    # The same words as for an id of nobody (tests/ops/test_input_safety.py): no name.
    assert "cannot take conversations of this mailbox" in response.content.decode()
    assert "Charlie" not in response.content.decode()
    desk.conversation.refresh_from_db()
    assert desk.conversation.assignee is None


def test_assigning_to_an_unknown_or_huge_id_is_refused(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    url = reverse("conversation_assign", args=[desk.conversation.pk])
    for value in ("987654", "9" * 30, "-1", "bob"):
        assert client.post(url, {"assignee": value}, follow=True).status_code == 200
    desk.conversation.refresh_from_db()
    assert desk.conversation.assignee is None


def test_tags_are_added_removed_and_recorded(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    client.post(reverse("conversation_tag_add", args=[desk.conversation.pk]), {"name": " Outage "})
    tag = desk.conversation.tags.get()
    assert tag.name == "outage"
    client.post(reverse("conversation_tag_remove", args=[desk.conversation.pk, tag.pk]))
    assert not desk.conversation.tags.exists()
    kinds = list(Event.objects.values_list("kind", flat=True))
    assert kinds == [EventKind.TAG, EventKind.UNTAG]
    long_name = client.post(
        reverse("conversation_tag_add", args=[desk.conversation.pk]),
        {"name": "t" * 120},
        follow=True,
    )
    assert "at most 50 characters" in long_name.content.decode()


def test_a_huge_seen_up_to_is_rejected_cleanly(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "hello", "seen_up_to": "9" * 40},
    )
    assert response.status_code == 400
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_replying_to_an_erased_customer_is_refused_with_a_reason(desk: Desk) -> None:
    do_erase_customer(desk.customer, desk.admin)
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": "Hello?", "seen_up_to": 0},
    )
    assert response.status_code == 409
    assert "erased" in response.content.decode()
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_attachments_download_never_render(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(reverse("attachment", args=[desk.attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"\x89PNG fake"
    assert "screen" in response["Content-Disposition"]
    assert desk.attachment.file.name.startswith("attachments/")
    assert "screen" not in desk.attachment.file.name
