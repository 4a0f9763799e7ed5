"""The importer's tests: a Support mailbox with alice (an agent whose address the
sources name), and a dump of everything an import writes, without row ids, so two
imports can be compared."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import counted_folders
from calmdesk.desk.models import Conversation, FolderCount, Mailbox
from calmdesk.empathy.models import MessageReading


@pytest.fixture
def support(db) -> Mailbox:  # type: ignore[no-untyped-def]
    mailbox = Mailbox.objects.create(
        name="Support", slug="support", email="support@desk.example", is_default=True
    )
    user = get_user_model().objects.create_user(
        "alice", "alice@desk.example", None, first_name="Alice"
    )
    Agent.objects.create(user=user, role=Role.AGENT).mailboxes.set([mailbox])
    return mailbox


def dump() -> list[tuple]:
    """Every conversation as the desk shows it, in a stable order, without ids."""
    rows = []
    for conversation in Conversation.objects.prefetch_related("messages", "tags").order_by(
        "created_at", "subject", "id"
    ):
        messages = tuple(
            (
                m.kind,
                m.created_at.isoformat(),
                m.body_text,
                m.body_html,
                m.author.username if m.author else "",
                tuple(sorted(e.email for e in m.customer.emails.all())) if m.customer else (),
                tuple(sorted((a.filename, a.size) for a in m.attachments.all())),
                MessageReading.objects.filter(message=m).exists(),
            )
            for m in conversation.messages.all()
        )
        rows.append(
            (
                conversation.subject,
                conversation.status,
                conversation.assignee.username if conversation.assignee else "",
                tuple(sorted(t.name for t in conversation.tags.all())),
                tuple(sorted(e.email for e in conversation.customer.emails.all())),
                conversation.customer.name,
                conversation.message_count,
                conversation.customer_message_count,
                str(conversation.waiting_since),
                str(conversation.last_message_at),
                messages,
            )
        )
    return rows


def folders_agree() -> bool:
    kept = {
        (row.mailbox_id, row.status, row.assignee_key): row.count
        for row in FolderCount.objects.exclude(count=0)
    }
    return kept == counted_folders()
