"""The people of the desk tests. alice is an agent of the Support mailbox, bob her
teammate, charlie an agent of Billing who must see none of Support's work, dave a lead
(no mailbox of his own: a lead works in every mailbox), and an admin who sees everything.
Every fixture writes through the actions, as the desk does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import find_or_create_customer
from calmdesk.desk.models import Attachment, Conversation, Customer, Mailbox, Message
from calmdesk.receive import do_receive_message


def make_agent(username: str, mailboxes: list[Mailbox], role: str = Role.AGENT, **extra):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(
        username, f"{username}@desk.example", None, first_name=username.title(), **extra
    )
    agent = Agent.objects.create(user=user, role=role, undo_seconds=20)
    agent.mailboxes.set(mailboxes)
    return user


def receive(mailbox: Mailbox, email: str, text: str, subject: str = "", **kwargs) -> Message:  # type: ignore[no-untyped-def]
    customer = find_or_create_customer(email, kwargs.pop("name", ""))
    return do_receive_message(
        mailbox=mailbox, customer=customer, text=text, subject=subject, **kwargs
    )


@dataclass
class Desk:
    support: Mailbox
    billing: Mailbox
    alice: object
    bob: object
    charlie: object
    admin: object
    customer: Customer
    conversation: Conversation  # Support, from Maya
    billing_conversation: Conversation  # Billing, from Omar
    message: Message
    attachment: Attachment
    dave: object = None  # the lead

    def client_for(self, user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def desk(db) -> Desk:  # type: ignore[no-untyped-def]
    support = Mailbox.objects.create(name="Support", slug="support", email="support@desk.example")
    billing = Mailbox.objects.create(name="Billing", slug="billing", email="billing@desk.example")
    alice = make_agent("alice", [support])
    bob = make_agent("bob", [support])
    charlie = make_agent("charlie", [billing])
    admin = make_agent("admin", [], role=Role.ADMIN, is_staff=True, is_superuser=True)
    dave = make_agent("dave", [])
    do_set_role(dave.agent, Role.LEAD)
    earlier = timezone.now() - timedelta(hours=3)
    message = receive(
        support,
        "maya@shop.example",
        "My checkout is broken and I am losing sales. Error: ERR_SYNC_TIMEOUT on 4.2.1",
        "Checkout broken",
        name="Maya Okafor",
        received_at=earlier,
    )
    billing_message = receive(
        billing,
        "omar@books.example",
        "I was charged twice for October.",
        "Double charge",
        name="Omar Haddad",
    )
    attachment = Attachment(message=message, filename="screen shot.png", content_type="image/png")
    attachment.file.save("screen shot.png", ContentFile(b"\x89PNG fake"), save=False)
    attachment.size = 9
    attachment.save()
    return Desk(
        support=support,
        billing=billing,
        alice=alice,
        bob=bob,
        charlie=charlie,
        admin=admin,
        customer=message.conversation.customer,
        conversation=message.conversation,
        billing_conversation=billing_message.conversation,
        message=message,
        attachment=attachment,
        dave=dave,
    )
