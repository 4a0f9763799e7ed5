"""The gratitude wall (F11): a customer's thank-you reaches the agent who helped.

The worker's job looks at each new customer message the engine has read: a grateful
tone, or explicit thanks in a positive message ("thank you", "you saved the day"), makes
a ``Thanks`` for the author of the last reply before it. The quote
is the customer's words with any address taken out, signed with their first name only.
The agent sees their thanks on their page and may pin one to the team wall; once a week
each agent gets a digest mail of the thanks they received."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from calmdesk.accounts.models import SystemMailKind
from calmdesk.accounts.notify import do_queue_system_mail
from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import Message, MessageKind
from calmdesk.jobs.registry import periodic
from calmdesk.team.models import AgentTeamSettings, RollupMark, Thanks

MARK = "gratitude"
QUOTE_MAX = 400
BATCH = 2000
PASSES = 25
ADDRESS = re.compile(r"\S+@\S+|https?://\S+")


def is_thanks(tone: str, data: dict) -> bool:
    """A grateful reading, or explicit thanks in an otherwise positive message. Thanks in
    an upset one ("thanks so much, checkout is down again") is sarcasm or a sign-off."""
    if tone == "grateful":
        return True
    thanked = any(span.get("reason") == "thanks" for span in data.get("tone_spans", []))
    return thanked and tone == "positive" and float(data.get("sentiment_score", 0)) > 0


def quote_of(text: str) -> str:
    """The customer's words for the wall: addresses and links out, shortened at a word."""
    words = " ".join(ADDRESS.sub("…", text).split())
    if len(words) <= QUOTE_MAX:
        return words
    return words[:QUOTE_MAX].rsplit(" ", 1)[0] + " …"


def _helper(message: Message) -> int | None:
    reply = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            kind=MessageKind.REPLY,
            created_at__lte=message.created_at,
            author__isnull=False,
        )
        .order_by("-created_at", "-id")
        .values_list("author_id", flat=True)
        .first()
    )
    return reply  # thanks before anyone answered ("thanks in advance") thank nobody yet


def do_collect_thanks(now: datetime, *, batch: int = BATCH) -> int:
    """Thanks from the customer messages read since the last pass; returns how many."""
    mark, _created = RollupMark.objects.get_or_create(name=MARK, defaults={"built_until": now})
    candidates = (
        Message.objects.filter(
            kind=MessageKind.CUSTOMER,
            id__gt=mark.message_id,
            imported_at__isnull=True,
            reading__isnull=False,
        )
        .select_related("reading", "conversation", "customer")
        .order_by("id")[:batch]
    )
    made = []
    last = mark.message_id
    for message in candidates:
        last = message.pk
        reading = message.reading
        if not is_thanks(reading.tone, reading.data) or message.conversation.imported_at:
            continue
        helper = _helper(message)
        if helper is None:
            continue
        name = (message.customer.name if message.customer else "").split(" ")[0]
        made.append(
            Thanks(
                message=message,
                conversation_id=message.conversation_id,
                agent_id=helper,
                quote=quote_of(reading.text or message.analysis_text or message.body_text),
                customer_name=name[:200],
                received_at=message.created_at,
            )
        )
    with transaction.atomic():
        Thanks.objects.bulk_create(made, ignore_conflicts=True)
        RollupMark.objects.filter(pk=mark.pk).update(message_id=last, built_until=now)
    return len(made)


@periodic("team.gratitude", every=timedelta(minutes=5))
def collect_thanks(now: datetime) -> None:
    # A first run on a desk with history goes through it a batch at a time.
    for _batch in range(PASSES):
        if do_collect_thanks(now) == 0 and not _behind():
            break


def _behind() -> bool:
    mark = RollupMark.objects.filter(name=MARK).first()
    newest = Message.objects.aggregate(top=Max("id"))["top"] or 0
    return mark is not None and mark.message_id < newest


@transaction.atomic
def do_pin(thanks: Thanks, actor: User, pinned: bool, *, now: datetime) -> Thanks:
    """Share a thank-you on the team wall (or take it down): only its agent may."""
    if thanks.agent_id != actor.pk:
        raise ActionError(_("Only the person who was thanked can share this on the wall."))
    Thanks.objects.filter(pk=thanks.pk).update(pinned_at=now if pinned else None)
    thanks.pinned_at = now if pinned else None
    return thanks


def wants_digest(person: User) -> bool:
    found = AgentTeamSettings.objects.filter(agent=person).values_list("thanks_digest", flat=True)
    return next(iter(found), True)


def do_set_thanks_digest(actor: User, wanted: bool) -> None:
    """The person's own choice: a weekly mail of their thank-yous, or none."""
    AgentTeamSettings.objects.update_or_create(agent=actor, defaults={"thanks_digest": wanted})


def do_send_digests(now: datetime) -> int:
    """A mail to each agent with the thanks they received since their last digest. One
    who turned the digest off gets none; their thanks are marked as gone by, so turning
    it on again starts from then, not with a backlog."""
    if not settings.SMTP_HOST:
        return 0
    pending = Thanks.objects.filter(digested_at__isnull=True, agent__isnull=False).order_by(
        "received_at"
    )
    by_agent: defaultdict[int, list[Thanks]] = defaultdict(list)
    for thanks in pending:
        if thanks.agent_id is not None:
            by_agent[thanks.agent_id].append(thanks)
    people = get_user_model().objects.in_bulk(list(by_agent))
    opted_out = set(
        AgentTeamSettings.objects.filter(
            agent_id__in=list(by_agent), thanks_digest=False
        ).values_list("agent_id", flat=True)
    )
    sent = 0
    for user_id, items in by_agent.items():
        person = people.get(user_id)
        with transaction.atomic():
            wanted = user_id not in opted_out
            if person is not None and person.is_active and person.email and wanted:
                do_queue_system_mail(
                    person.email,
                    _("%(count)d thank-yous from customers this week") % {"count": len(items)},
                    _digest_body(person, items),
                    kind=SystemMailKind.NOTIFICATION,
                    now=now,
                )
                sent += 1
            Thanks.objects.filter(pk__in=[t.pk for t in items]).update(digested_at=now)
    return sent


def _digest_body(person: User, items: list[Thanks]) -> str:
    lines = [_("Hello %(name)s,") % {"name": person.first_name or person.get_username()}, ""]
    lines.append(_("Customers thanked you this week. Their words:"))
    for thanks in items:
        lines += ["", f"“{thanks.quote}”", f"  — {thanks.customer_name or _('a customer')}"]
    lines += ["", _("Thank you for the care you put in.")]
    return "\n".join(lines)


@periodic("team.gratitude_digest", every=timedelta(days=7))
def send_digests(now: datetime) -> None:
    do_send_digests(now)
