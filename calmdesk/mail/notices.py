"""What the mail layer tells the team, as actions: a bounce (kept apart from the
customer's messages, with an event on its conversation), a mail loop whose send cap
tripped, and a stranger's message that claims to continue a conversation. Each leaves
an ``EventKind.MAIL`` event in the thread it concerns."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.notify import do_notify_admins
from calmdesk.desk.actions import do_mark_bouncing
from calmdesk.desk.models import Conversation, CustomerEmail, Event, EventKind, Mailbox
from calmdesk.mail.models import Bounce, Participant

log = logging.getLogger(__name__)

# Log codes, greppable (spaCy errors.py style).
LOOP_CAPPED = "CDM01"
BOUNCE_UNMATCHED = "CDM02"
# A loop that goes on is told about once an hour, not at every capped send.
LOOP_ALERT_EVERY = timedelta(hours=1)


def _written_to(conversation: Conversation | None, wanted: list[str]) -> list[str]:
    """Which of ``wanted`` we wrote to in the bounced conversation: its customer's
    addresses and its participants. A bounce that names no reply of ours marks nobody:
    anyone can send one, from any mailbox's side."""
    if not wanted or conversation is None:
        return []
    ours = CustomerEmail.objects.filter(customer_id=conversation.customer_id, email__in=wanted)
    known = set(ours.values_list("email", flat=True))
    known |= set(
        Participant.objects.filter(conversation=conversation, email__in=wanted).values_list(
            "email", flat=True
        )
    )
    return sorted(known)


def do_record_bounce(
    *,
    mailbox: Mailbox,
    conversation: Conversation | None,
    recipients: list[str],
    now: datetime | None = None,
    **fields: object,
) -> Bounce:
    """Keep a bounce, mark the addresses this mailbox wrote to as bouncing, and tell the
    conversation it bounced from. Its status, counters and waiting time stay as they were."""
    when = now or timezone.now()
    marked = _written_to(conversation, recipients)
    row = Bounce.objects.create(
        mailbox=mailbox,
        conversation=conversation,
        recipients=recipients,
        marked=marked,
        received_at=when,
        **fields,
    )
    if marked:
        do_mark_bouncing(marked)
    if conversation is not None:
        Event.objects.create(
            conversation=conversation,
            kind=EventKind.MAIL,
            data={"bounce": row.pk, "recipients": recipients, "diagnostic": row.diagnostic[:500]},
            created_at=when,
        )
    else:
        log.info("%s bounce %s names no message of ours: kept, not filed", BOUNCE_UNMATCHED, row.pk)
    return row


def do_note_claimed_conversation(
    conversation: Conversation, claimed: Conversation, sender: str, *, now: datetime | None = None
) -> Event:
    """A message whose token or headers point at ``claimed`` came from someone who is
    no participant of it: it opened ``conversation`` instead, and the thread says so."""
    return Event.objects.create(
        conversation=conversation,
        kind=EventKind.MAIL,
        data={"claims": claimed.pk, "sender": sender[:320]},
        created_at=now or timezone.now(),
    )


def loop_alerted_since(conversation_id: int, since: datetime) -> bool:
    return Event.objects.filter(
        conversation_id=conversation_id,
        kind=EventKind.MAIL,
        data__loop_capped=True,
        created_at__gte=since,
    ).exists()


def do_alert_mail_loop(
    conversation: Conversation, sent_last_hour: int, *, now: datetime | None = None
) -> Event | None:
    """The outbox's per-conversation cap tripped: an event in the thread, a log line with
    a code and a notice to the admins, once per hour while the loop lasts."""
    when = now or timezone.now()
    if loop_alerted_since(conversation.pk, when - LOOP_ALERT_EVERY):
        return None
    event = Event.objects.create(
        conversation=conversation,
        kind=EventKind.MAIL,
        data={"loop_capped": True, "sent_last_hour": sent_last_hour},
        created_at=when,
    )
    log.warning(
        "%s mail loop: conversation %s sent %s replies in an hour; the rest wait",
        LOOP_CAPPED,
        conversation.pk,
        sent_last_hour,
    )
    notify_admins_of_loop(conversation, sent_last_hour)
    return event


def notify_admins_of_loop(conversation: Conversation, sent_last_hour: int) -> None:
    do_notify_admins(
        _("Mail loop capped in conversation #%(number)s") % {"number": conversation.pk},
        body=_(
            "%(sent)s replies went out in an hour, so further replies wait. "
            "Look for an auto-responder answering the desk."
        )
        % {"sent": sent_last_hour},
        url=reverse("conversation", args=[conversation.pk]),
    )
