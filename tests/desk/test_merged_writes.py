"""A merged conversation takes no writes: alice merged Maya's second thread into the
first while bob still had the second open. Whatever bob's stale tab posts (a reply, a
note, a status, an assignment, a tag, a snooze, a forward) is refused by the action with
words that name the target, and the page lands him on the target, his draft kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calmdesk.api.tokens import do_create_token
from calmdesk.desk.actions import (
    MergedAway,
    do_add_note,
    do_add_tag,
    do_assign,
    do_change_status,
    do_remove_tag,
)
from calmdesk.desk.merge import do_merge_conversations
from calmdesk.desk.models import Conversation, Event, Message, Status, Tag
from calmdesk.desk.snooze import do_snooze, do_unsnooze
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.compose import do_forward
from calmdesk.mail.models import Outbox

from .conftest import Desk, receive


def merged(desk: Desk) -> tuple[Conversation, Conversation]:
    """(the merged stub as bob's tab loaded it before the merge, the target)."""
    stub = receive(desk.support, "maya@shop.example", "Cart empties too.", "Cart").conversation
    tag = Tag.objects.create(name="checkout")
    stub.tags.add(tag)
    stale = Conversation.objects.get(pk=stub.pk)
    do_merge_conversations(stub, desk.conversation, desk.alice)
    stub.tags.add(tag)  # as if the merge had left it, so that removing it is a write
    return stale, desk.conversation


WRITES = {
    "reply": lambda c, d: do_send_reply(c, d.bob, "Which browser?"),
    "note": lambda c, d: do_add_note(c, d.bob, "Same as the other one."),
    "status": lambda c, d: do_change_status(c, d.bob, Status.CLOSED),
    "assign": lambda c, d: do_assign(c, d.bob, d.bob),
    "tag": lambda c, d: do_add_tag(c, d.bob, "urgent"),
    "untag": lambda c, d: do_remove_tag(c, d.bob, Tag.objects.get(name="checkout")),
    "snooze": lambda c, d: do_snooze(c, d.bob, timezone.now() + timedelta(hours=1)),
    "unsnooze": lambda c, d: do_unsnooze(c, d.bob),
    "forward": lambda c, d: do_forward(c, d.bob, to="dev@shop.example"),
}


@pytest.mark.parametrize("write", WRITES)
def test_the_actions_refuse_a_write_to_a_merged_conversation(desk: Desk, write: str) -> None:
    stale, target = merged(desk)
    before = (Message.objects.count(), Event.objects.count(), Outbox.objects.count())
    with pytest.raises(MergedAway) as refused:
        WRITES[write](stale, desk)
    assert refused.value.target_id == target.pk
    assert f"merged into #{target.pk}" in str(refused.value)
    assert (Message.objects.count(), Event.objects.count(), Outbox.objects.count()) == before
    stub = Conversation.objects.get(pk=stale.pk)
    assert (stub.status, stub.assignee_id, stub.snoozed_until) == (Status.ACTIVE, None, None)


POSTS = {
    "reply": ("conversation_reply", {"body": "Which browser?", "seen_up_to": 0}),
    "note": ("conversation_note", {"body": "Same as the other one."}),
    "status": ("conversation_status", {"status": "closed"}),
    "assign": ("conversation_assign", {"assignee": "{bob}"}),
    "tag": ("conversation_tag_add", {"name": "urgent"}),
    "snooze": ("conversation_snooze", {"choice": "tomorrow"}),
    "unsnooze": ("conversation_unsnooze", {}),
    "forward": ("conversation_forward", {"to": "dev@shop.example"}),
}


@pytest.mark.parametrize("post", POSTS)
def test_a_stale_tab_lands_on_the_target_with_the_reason(desk: Desk, post: str) -> None:
    stale, target = merged(desk)
    name, data = POSTS[post]
    data = {k: str(v).format(bob=desk.bob.pk) for k, v in data.items()}  # type: ignore[attr-defined]
    client = desk.client_for(desk.bob)
    response = client.post(reverse(name, args=[stale.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("conversation", args=[target.pk])
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"merged into #{target.pk}" in m for m in said), said
    if post in ("reply", "note"):
        # The words bob typed are back in the target's composer.
        page = client.get(response["Location"]).content.decode()
        assert data["body"] in page


def test_removing_a_tag_from_a_merged_conversation_is_no_error_page(desk: Desk) -> None:
    stale, target = merged(desk)
    tag = Tag.objects.get(name="checkout")
    response = desk.client_for(desk.bob).post(
        reverse("conversation_tag_remove", args=[stale.pk, tag.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("conversation", args=[target.pk])
    assert stale.tags.filter(pk=tag.pk).exists()


@pytest.mark.parametrize(
    "path,body",
    [
        ("tags", {"add": [], "remove": ["checkout"]}),
        ("notes", {"body": "Same as the other one."}),
        ("status", {"status": "closed"}),
    ],
)
def test_the_api_refuses_a_write_to_a_merged_conversation(
    desk: Desk, path: str, body: dict
) -> None:
    stale, target = merged(desk)
    raw = do_create_token(desk.bob, "bob", "write").raw
    response = Client().post(
        f"/api/v1/conversations/{stale.pk}/{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400, response.content
    assert f"merged into #{target.pk}" in response.json()["error"]["message"]
