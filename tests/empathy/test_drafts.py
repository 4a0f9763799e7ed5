"""Drafts kept server-side: alice's unsent reply rides on the coach request the composer
already sends, comes back when she opens the conversation again, goes when she sends it
(and comes back if she undoes the send), and is never shown to bob; charlie (Billing)
cannot leave one on a Support conversation. An erasure takes the drafts with it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from calmdesk.desk.actions import do_erase_customer
from calmdesk.desk.models import Conversation, MessageKind
from calmdesk.empathy.models import Draft

from .conftest import Desk, receive

DRAFT = "Hi Maya, I reproduced ERR_SYNC_TIMEOUT on 4.2.1 and I'm writing the fix up now."


def _latest_id(conversation: Conversation) -> int:
    return conversation.messages.order_by("-id").values_list("id", flat=True)[0]


def _coach(desk: Desk, user, body: str, *, conversation=None, seen_up_to=None):  # type: ignore[no-untyped-def]
    conversation = conversation or desk.conversation
    seen = _latest_id(conversation) if seen_up_to is None else seen_up_to
    return desk.client_for(user).post(
        reverse("conversation_coach", args=[conversation.pk]),
        {"body": body, "seen_up_to": str(seen)},
    )


def _page(desk: Desk, user, conversation=None) -> str:  # type: ignore[no-untyped-def]
    conversation = conversation or desk.conversation
    response = desk.client_for(user).get(reverse("conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _kept(desk: Desk, user, conversation=None) -> str | None:  # type: ignore[no-untyped-def]
    conversation = conversation or desk.conversation
    draft = Draft.objects.filter(conversation=conversation, agent=user).first()
    return draft.body if draft else None


def test_the_coach_request_keeps_the_draft(desk: Desk) -> None:
    assert _coach(desk, desk.alice, DRAFT).status_code == 200
    assert _kept(desk, desk.alice) == DRAFT
    # Typing on: the same row follows the text.
    assert _coach(desk, desk.alice, DRAFT + " Thanks!").status_code == 200
    assert _kept(desk, desk.alice) == DRAFT + " Thanks!"
    assert Draft.objects.count() == 1


def test_an_empty_composer_leaves_no_row(desk: Desk) -> None:
    # Every conversation page load sends a coach request; opening one writes nothing.
    _coach(desk, desk.alice, "")
    assert not Draft.objects.exists()


def test_the_draft_is_restored_when_the_page_opens_again(desk: Desk) -> None:
    _coach(desk, desk.alice, DRAFT)
    html = _page(desk, desk.alice)
    assert f">{DRAFT.replace(chr(39), '&#x27;')}</textarea>" in html
    assert "data-draft-restored" in html


def test_a_draft_belongs_to_its_conversation(desk: Desk) -> None:
    other = receive(desk.support, "lee@example.com", "Can I export invoices as CSV?").conversation
    _coach(desk, desk.alice, DRAFT)
    html = _page(desk, desk.alice, other)
    assert "I reproduced ERR_SYNC_TIMEOUT" not in html
    assert "data-draft-restored" not in html
    # ...and back: still there.
    assert "I reproduced ERR_SYNC_TIMEOUT" in _page(desk, desk.alice)


def test_bob_never_sees_alices_draft(desk: Desk) -> None:
    _coach(desk, desk.alice, DRAFT)
    html = _page(desk, desk.bob)
    assert "I reproduced ERR_SYNC_TIMEOUT" not in html
    assert "data-draft-restored" not in html
    # bob's own draft is his, and alice's stays as she left it.
    _coach(desk, desk.bob, "Hi Maya, looking into it.")
    assert _kept(desk, desk.alice) == DRAFT
    assert "looking into it" not in _page(desk, desk.alice)


def test_charlie_cannot_leave_a_draft_on_support(desk: Desk) -> None:
    response = _coach(desk, desk.charlie, "Hi Maya, Billing here.")
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_sending_the_reply_clears_the_draft(desk: Desk) -> None:
    _coach(desk, desk.alice, DRAFT)
    client = desk.client_for(desk.alice)
    seen = _latest_id(desk.conversation)
    sent = client.post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": DRAFT, "seen_up_to": str(seen)},
    )
    assert sent.status_code == 302
    assert _kept(desk, desk.alice) == ""
    html = _page(desk, desk.alice)
    assert "></textarea>" in html.split('id="reply-body"')[1].split("\n")[0]
    assert "data-draft-restored" not in html


def test_a_coach_request_from_before_the_send_does_not_bring_the_text_back(
    desk: Desk,
) -> None:
    """Typed just before Send, the debounced coach request can reach the server after the
    reply went; the page it came from predates the reply, so its text is not kept."""
    before = _latest_id(desk.conversation)
    _coach(desk, desk.alice, DRAFT, seen_up_to=before)
    client = desk.client_for(desk.alice)
    client.post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": DRAFT, "seen_up_to": str(before)},
    )
    _coach(desk, desk.alice, DRAFT + " late", seen_up_to=before)
    assert _kept(desk, desk.alice) == ""
    # The page after the send knows the reply: what is typed there is kept.
    _coach(desk, desk.alice, "A follow-up.")
    assert _kept(desk, desk.alice) == "A follow-up."


def test_an_undone_send_puts_the_draft_back_and_keeps_it(desk: Desk) -> None:
    client = desk.client_for(desk.alice)
    seen = _latest_id(desk.conversation)
    client.post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {"body": DRAFT, "seen_up_to": str(seen)},
    )
    reply = desk.conversation.messages.get(kind=MessageKind.REPLY)
    undone = client.post(reverse("conversation_undo", args=[desk.conversation.pk, reply.pk]))
    assert undone.status_code == 302
    page = client.get(reverse("conversation", args=[desk.conversation.pk])).content.decode()
    assert "I reproduced ERR_SYNC_TIMEOUT" in page.split('id="reply-body"')[1]
    # The restored text's coach request (on load) keeps it as the draft again, so a
    # reload after the undo still finds it.
    _coach(desk, desk.alice, DRAFT)
    assert _kept(desk, desk.alice) == DRAFT
    assert "data-draft-restored" in _page(desk, desk.alice)


def test_a_refused_send_shows_what_was_posted_not_the_older_draft(desk: Desk) -> None:
    _coach(desk, desk.alice, "An older draft.")
    response = desk.client_for(desk.alice).post(
        reverse("conversation_reply", args=[desk.conversation.pk]),
        {
            "body": "This is not our fault. As I already said, it works.",
            "seen_up_to": _latest_id(desk.conversation),
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "As I already said, it works.</textarea>" in html
    assert "An older draft." not in html


def test_an_erasure_takes_every_agents_draft_with_it(desk: Desk) -> None:
    _coach(desk, desk.alice, DRAFT)
    _coach(desk, desk.bob, "Hi Maya, bob here.")
    _coach(desk, desk.charlie, "Hi Omar.", conversation=desk.billing_conversation)
    admin = desk.admin
    assert isinstance(admin, User)

    do_erase_customer(desk.customer, admin)

    assert not Draft.objects.filter(conversation=desk.conversation).exists()
    assert Draft.objects.filter(conversation=desk.billing_conversation).count() == 1
    # A page still open on the erased conversation cannot write one back.
    _coach(desk, desk.alice, DRAFT, seen_up_to=0)
    assert not Draft.objects.filter(conversation=desk.conversation).exists()


def test_a_nul_byte_does_not_stop_a_draft_being_kept(desk: Desk) -> None:
    # PostgreSQL text cannot hold one; a form can still post it.
    assert _coach(desk, desk.alice, "Hi\x00 Maya").status_code == 200
    assert _kept(desk, desk.alice) == "Hi Maya"
