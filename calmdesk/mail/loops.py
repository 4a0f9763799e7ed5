"""The one question any automatic answer (an acknowledgement, a CSAT request, a bulk
reply to a fixed problem) must ask first: may this message be answered by a machine?

Never a message that is itself automatic (RFC 3834: auto-replies, bulk and list mail,
bounces), and never into a conversation that is already trading mail fast — two robots
answering each other is how mail loops start. The outbox's hourly cap per conversation
(calmdesk.mail.outbox) is the backstop if something forgets to ask."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from calmdesk.desk.models import Message, MessageKind
from calmdesk.mail.models import InboundMail

# More customer messages than this within the window means a conversation in a loop
# or a flood; a person rarely writes five messages in ten minutes.
BURST_MESSAGES = 5
BURST_WINDOW = timedelta(minutes=10)


def may_answer_automatically(message: Message) -> bool:
    inbound = InboundMail.objects.filter(message=message).first()
    if inbound is not None and (inbound.auto_reply or inbound.bounce):
        return False
    recent = Message.objects.filter(
        conversation_id=message.conversation_id,
        kind=MessageKind.CUSTOMER,
        created_at__gte=timezone.now() - BURST_WINDOW,
    ).count()
    return recent <= BURST_MESSAGES
