"""What the desk's actions tell people (calmdesk.accounts.notify): a conversation given
to them, their customer writing again, a teammate's @mention in a note. Called by the
actions in calmdesk.desk.actions, inside their transaction."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from calmdesk.accounts.models import Agent, Capability, Notification, NotificationKind
from calmdesk.accounts.notify import do_notify, mentioned_usernames
from calmdesk.desk.models import Conversation, Customer, Message

SNIPPET = 300  # characters of a message carried into a notification
MAX_MENTIONS = 20  # people told by one note: a pasted list of @names is not a team call


def _link(conversation: Conversation) -> str:
    return reverse("conversation", args=[conversation.pk])


def _subject(conversation: Conversation) -> str:
    return conversation.subject or _("(no subject)")


def notify_assigned(conversation: Conversation, actor: User, assignee: User) -> None:
    do_notify(
        [assignee],
        NotificationKind.ASSIGNED,
        _("%(actor)s assigned you “%(subject)s”")
        % {"actor": getattr(actor, "agent", actor), "subject": _subject(conversation)},
        url=_link(conversation),
        conversation=conversation,
        actor=actor,
    )


def notify_customer_replied(conversation: Conversation, customer: Customer, text: str) -> None:
    """The assignee hears that their customer wrote again (nobody, if unassigned)."""
    if conversation.assignee_id is None:
        return
    do_notify(
        [conversation.assignee_id],
        NotificationKind.CUSTOMER_REPLIED,
        _("%(customer)s replied on “%(subject)s”")
        % {"customer": customer, "subject": _subject(conversation)},
        body=text[:SNIPPET],
        url=_link(conversation),
        conversation=conversation,
    )


def may_see(agent: Agent, conversation: Conversation) -> bool:
    return agent.user.is_active and (
        agent.can(Capability.SEE_EVERY_MAILBOX)
        or agent.mailboxes.filter(pk=conversation.mailbox_id).exists()
    )


def notify_mentions(note: Message, actor: User) -> None:
    """``@username`` in a note tells that teammate, if they may see the conversation (a
    mention of someone outside the mailbox tells them nothing, not even that it exists)."""
    names = sorted(mentioned_usernames(note.body_text))[:MAX_MENTIONS]
    if not names:
        return
    query = Q()
    for name in names:
        query |= Q(user__username__iexact=name)
    conversation = note.conversation
    agents = Agent.objects.filter(query).select_related("user")
    do_notify(
        [agent.user for agent in agents if may_see(agent, conversation)],
        NotificationKind.MENTIONED,
        _("%(actor)s mentioned you on “%(subject)s”")
        % {"actor": getattr(actor, "agent", actor), "subject": _subject(conversation)},
        body=note.body_text[:SNIPPET],
        url=_link(conversation),
        conversation=conversation,
        actor=actor,
    )


def forget(conversations: list[Conversation]) -> None:
    """An erasure: every notification about these conversations goes, and with each
    the mail that carried it (their titles and bodies quote the customer)."""
    Notification.objects.filter(conversation__in=conversations).delete()
