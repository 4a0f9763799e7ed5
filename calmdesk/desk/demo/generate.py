"""A seeded generator of a believable desk: mailboxes, agents, customers and conversations
in every status, written with bulk inserts so 100,000 conversations take a minute, not an
hour. The same seed gives the same words; times are laid out backwards from now so the
demo always looks current. Folder counts are rebuilt at the end."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from calmdesk.accounts.invites import do_set_role
from calmdesk.accounts.models import Agent, Role
from calmdesk.desk.actions import counters_of, recount_folders
from calmdesk.desk.demo import people, texts
from calmdesk.desk.demo.problems import add_problems
from calmdesk.desk.models import (
    Conversation,
    Customer,
    CustomerEmail,
    Event,
    EventKind,
    Mailbox,
    Message,
    MessageKind,
    Organisation,
    SavedReply,
    Status,
    Tag,
)
from calmdesk.desk.money import format_money

DEMO_PASSWORD = "calmdesk-demo"
MAILBOXES = (
    ("support", "Support", "support@fernhill.example"),
    ("billing", "Billing", "billing@fernhill.example"),
    ("partners", "Partners", "partners@fernhill.example"),
)
# username, first, last, role, mailboxes, time zone
AGENTS = (
    ("demo", "Dana", "Demo", Role.ADMIN, ("support", "billing", "partners"), "Europe/London"),
    ("alice", "Alice", "Moreau", Role.AGENT, ("support",), "Europe/Berlin"),
    ("bob", "Bob", "Okafor", Role.AGENT, ("support",), "America/New_York"),
    ("charlie", "Charlie", "Ito", Role.AGENT, ("billing",), "Asia/Kolkata"),
    ("erin", "Erin", "Walsh", Role.LEAD, ("support", "partners"), "Australia/Sydney"),
)
STATUS_SHARE = ((Status.ACTIVE, 30), (Status.PENDING, 22), (Status.CLOSED, 43), (Status.SPAM, 5))
CHUNK = 1000
# One message of a generated thread: (kind, the agent who wrote it, body, when).
Turn = tuple[str, User | None, str, datetime]
# How generated rows reach the database: given a model and its new rows, insert them and
# return them with their primary keys. ``bulk_create`` unless the caller brings a faster
# one (the desk bench writes with PostgreSQL's COPY: calmdesk/bench/desk_data.py).
Write = Callable[[type[models.Model], Iterable[models.Model]], list]


def bulk_insert(model: type[models.Model], rows: Iterable[models.Model]) -> list:
    return model._default_manager.bulk_create(rows, batch_size=500)


@dataclass
class World:
    mailboxes: dict[str, Mailbox]
    agents_by_mailbox: dict[str, list]  # slug -> users
    customers: list[Customer]
    emails: dict[int, str]
    spammers: list[Customer]
    tags: dict[str, Tag]
    now: datetime
    rng: random.Random
    token_bits: set[str] = field(default_factory=set)
    write: Write = bulk_insert


def generate(
    conversations: int = 1200,
    *,
    seed: int = 2026,
    progress: bool = True,
    now=None,
    write: Write = bulk_insert,
) -> None:
    rng = random.Random(seed)
    world = _setup(rng, max(300, conversations // 3), now or timezone.now(), write)
    scenarios = [s for s in texts.SCENARIOS for _ in range(s.weight)]
    bar = tqdm(total=conversations, desc="conversations", unit="", disable=not progress)
    for start in range(0, conversations, CHUNK):
        with transaction.atomic():
            _write_chunk(world, scenarios, min(CHUNK, conversations - start))
        bar.update(min(CHUNK, conversations - start))
    bar.close()
    # The product problems the stories show (calmdesk/desk/demo/problems.py).
    add_problems(get_user_model().objects.get(username=AGENTS[0][0]))
    recount_folders()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for the inbox indexes


@transaction.atomic
def _setup(rng: random.Random, customer_count: int, now: datetime, write: Write) -> World:
    mailboxes = {}
    for slug, name, email in MAILBOXES:
        mailboxes[slug], _created = Mailbox.objects.get_or_create(
            slug=slug, defaults={"name": name, "email": email, "is_default": slug == "support"}
        )
    agents_by_mailbox: dict[str, list] = {slug: [] for slug in mailboxes}
    User = get_user_model()
    for username, first, last, role, slugs, zone in AGENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username,
                f"{username}@fernhill.example",
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        agent, _created = Agent.objects.get_or_create(
            user=user, defaults={"role": role, "time_zone": zone}
        )
        agent.mailboxes.set([mailboxes[s] for s in slugs])
        do_set_role(agent, role)  # a lead's admin access (saved replies and tags) too
        for slug in slugs:
            if role != Role.ADMIN:
                agents_by_mailbox[slug].append(user)
    tags = {
        name: Tag.objects.get_or_create(name=name)[0]
        for name in {t for s in texts.SCENARIOS for t in s.tags} | {"spam"}
    }
    for title, home, body in texts.SAVED_REPLIES:
        SavedReply.objects.get_or_create(
            title=title, defaults={"body": body, "mailbox": mailboxes.get(home or "")}
        )
    organisations = write(
        Organisation,
        (
            Organisation(
                name=f"{rng.choice(people.COMPANY_WORDS)} {rng.choice(people.COMPANY_KINDS)}",
                website=f"https://{rng.choice(people.COMPANY_WORDS).lower()}{i}.example",
            )
            for i in range(max(20, customer_count // 6))
        ),
    )
    customers: list[Customer] = []
    addresses: list[str] = []
    for i in range(customer_count):
        first, last = rng.choice(people.FIRST_NAMES), rng.choice(people.LAST_NAMES)
        organisation = rng.choice(organisations) if rng.random() < 0.4 else None
        plan, revenue = rng.choice(people.PLANS)
        currency = rng.choices(
            [code for code, _w in people.CURRENCIES], [w for _c, w in people.CURRENCIES]
        )[0]
        domain = (
            organisation.website.removeprefix("https://")
            if organisation
            else rng.choice(("mail.example", "post.example", "inbox.example"))
        )
        customers.append(
            Customer(
                name=f"{first} {last}" if rng.random() < 0.93 else "",
                organisation=organisation,
                website=f"https://{first.lower()}-{last.lower().replace(chr(39), '')}.example"
                if rng.random() < 0.3
                else "",
                plan=plan,
                monthly_revenue=Decimal(revenue) if revenue else None,
                revenue_currency=currency,
                notes=rng.choice(("", "", "", "Prefers email over calls.", "VIP: early adopter.")),
            )
        )
        addresses.append(f"{first.lower()}.{last.lower().replace(chr(39), '')}.{i}@{domain}")
    customers = write(Customer, customers)
    spammers = write(
        Customer,
        [Customer(name=name) for name in ("SEO Experts", "Mr. Williams", "Billing Dept", "Promo")],
    )
    spam_addresses = [f"offers{i}@spam.example" for i in range(len(spammers))]
    write(
        CustomerEmail,
        (
            CustomerEmail(customer=c, email=a)
            for c, a in zip([*customers, *spammers], [*addresses, *spam_addresses], strict=True)
        ),
    )
    emails = {c.pk: a for c, a in zip(customers, addresses, strict=True)}
    return World(
        mailboxes, agents_by_mailbox, customers, emails, spammers, tags, now, rng, write=write
    )


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format_map(values)


def _values(world: World, customer: Customer, helper: User) -> dict[str, str]:
    rng = world.rng
    email = world.emails.get(customer.pk, "someone@mail.example")
    first = customer.name.split()[0] if customer.name else ""
    colleagues = sorted(
        {u.first_name for team in world.agents_by_mailbox.values() for u in team}
        - {helper.first_name}
    )
    revenue = customer.monthly_revenue
    return {
        "name": first,
        "full_name": customer.name,
        "agent": helper.first_name,
        "colleague": rng.choice(colleagues),
        "version": rng.choice(texts.VERSIONS),
        "browser": rng.choice(texts.BROWSERS),
        "order": str(rng.randint(1000, 99999)),
        "order2": str(rng.randint(1000, 99999)),
        # What they pay, in their currency, is what a double charge is charged.
        "amount": format_money(revenue, customer.revenue_currency)
        if revenue
        else rng.choice(texts.AMOUNTS),
        "course": rng.choice(texts.COURSES),
        "domain": email.rpartition("@")[2],
        "company": customer.organisation.name
        if customer.organisation
        else f"{customer.name.split()[-1] if customer.name else 'Harbor'} Studio",
        "shop": (first or email.partition(".")[0]).lower(),
    }


def _customer_text(
    world: World, body: str, values: dict[str, str], language: str, sign_off: str, *, first: bool
) -> str:
    """The customer's words with a greeting on the first message (in the story's language)
    and their sign-off."""
    text = _fill(body, values)
    if first and not text.lower().startswith(("hi", "hello", "hey", "dear")):
        greeting = world.rng.choice(texts.GREETINGS[language])
        text = f"{greeting}\n\n{text}" if greeting else text
    return f"{text}\n\n{sign_off}" if sign_off else text


def _sign_off(rng: random.Random, values: dict[str, str], language: str) -> str:
    """How this customer signs, the same on every message; without a name, without one."""
    sign_offs = texts.SIGN_OFFS if values["name"] else texts.NAMELESS_SIGN_OFFS
    return _fill(rng.choice(sign_offs[language]), values)


def _agent_text(body: str, values: dict[str, str], language: str, sign_off: str) -> str:
    hellos = texts.AGENT_HELLOS if values["name"] else texts.AGENT_NAMELESS_HELLOS
    hello = _fill(hellos[language], values)
    return f"{hello}\n\n{_fill(body, values)}\n\n{sign_off}"


def _thread_length(rng: random.Random, status: str, story: texts.Story) -> int:
    """How many of the story's turns are told. Active threads end with the customer (odd),
    pending ones with us (even), closed ones are the whole story (its closing is added)."""
    told = len(story.turns)
    if status == Status.CLOSED:
        return told
    roll = rng.random()
    base = 1 if roll < 0.45 else 3 if roll < 0.75 else 5 if roll < 0.9 else 7
    if status == Status.PENDING:
        return min(base + 1, told)
    return min(base, told - 1)


def _write_chunk(world: World, scenarios: list[texts.Scenario], count: int) -> None:
    rng = world.rng
    plans = []
    for _i in range(count):
        status = rng.choices([s for s, _w in STATUS_SHARE], weights=[w for _s, w in STATUS_SHARE])[
            0
        ]
        scenario = rng.choice(scenarios)
        plans.append((status, scenario))
    rows: list[Conversation] = []
    threads: list[list[Turn]] = []
    tag_links: list[tuple[int, str]] = []
    events: list[tuple[int, str, User | None, dict[str, object], datetime]] = []
    for index, (status, scenario) in enumerate(plans):
        if status == Status.SPAM:
            customer = rng.choice(world.spammers)
            subject, body = rng.choice(texts.SPAM)
            mailbox = world.mailboxes[rng.choice(list(world.mailboxes))]
            when = world.now - timedelta(hours=rng.uniform(1, 24 * 60))
            thread: list[Turn] = [(MessageKind.CUSTOMER, None, body, when)]
            assignee = None
        else:
            customer = rng.choice(world.customers)
            mailbox = world.mailboxes[scenario.mailbox]
            team = world.agents_by_mailbox[scenario.mailbox]
            helper = rng.choice(team)
            assignee = helper if rng.random() < (0.85 if status == Status.CLOSED else 0.6) else None
            values = _values(world, customer, helper)
            story = rng.choice(scenario.stories)
            subject = _fill(story.subject, values)
            thread = _thread(world, scenario, story, status, helper, values)
        counters = counters_of((kind, when) for kind, _author, _body, when in thread)
        if status != Status.ACTIVE:  # nobody waits on a pending, closed or spam conversation
            counters = replace(counters, waiting_since=None)
        rows.append(
            Conversation(
                mailbox=mailbox,
                customer=customer,
                subject=subject[:500],
                status=status,
                assignee=assignee,
                token=uuid.UUID(int=rng.getrandbits(128)).hex[:12],
                created_at=thread[0][3],
                updated_at=thread[-1][3],
                **counters.fields(),
            )
        )
        threads.append(thread)
        tag_names = list(scenario.tags) if status != Status.SPAM else ["spam"]
        tag_links += [(index, name) for name in tag_names if rng.random() < 0.7]
        if assignee is not None and len(thread) > 1:
            name = assignee.get_full_name()
            events.append(
                (
                    index,
                    EventKind.ASSIGN,
                    assignee,
                    {"new": assignee.pk, "name": name},
                    thread[1][3] - timedelta(minutes=1),
                )
            )
        if status in {Status.CLOSED, Status.PENDING} and len(thread) > 1:
            actor = assignee or thread[-1][1]
            events.append(
                (
                    index,
                    EventKind.STATUS,
                    actor,
                    {"old": Status.ACTIVE, "new": status},
                    thread[-1][3] + timedelta(seconds=5),
                )
            )
    created = world.write(Conversation, rows)
    messages = []
    for conversation, thread in zip(created, threads, strict=True):
        for kind, author, body, when in thread:
            messages.append(
                Message(
                    conversation=conversation,
                    kind=kind,
                    author=author if kind != MessageKind.CUSTOMER else None,
                    customer=conversation.customer if kind == MessageKind.CUSTOMER else None,
                    body_text=body,
                    analysis_text=body if kind == MessageKind.CUSTOMER else "",
                    message_id=f"<{uuid.UUID(int=rng.getrandbits(128)).hex}@demo.fernhill.example>",
                    created_at=when,
                )
            )
    world.write(Message, messages)
    Through = Conversation.tags.through
    world.write(
        Through,
        (
            Through(conversation_id=created[i].pk, tag_id=world.tags[name].pk)
            for i, name in tag_links
        ),
    )
    world.write(
        Event,
        (
            Event(conversation=created[i], kind=kind, actor=actor, data=data, created_at=when)
            for i, kind, actor, data, when in events
        ),
    )


def _thread(
    world: World,
    scenario: texts.Scenario,
    story: texts.Story,
    status: str,
    helper: User,
    values: dict[str, str],
) -> list[Turn]:
    """(kind, author, body, when) tuples: a prefix of the story (or all of it), in order."""
    rng = world.rng
    language = story.language
    length = _thread_length(rng, status, story)
    sign_off = _fill(rng.choice(texts.AGENT_SIGN_OFFS[language]), {"agent": helper.get_full_name()})
    signed = _sign_off(rng, values, language)
    items: list[tuple[str, User | None, str]] = []
    for position, body in enumerate(story.turns[:length]):
        if position % 2 == 0:
            text = _customer_text(world, body, values, language, signed, first=position == 0)
            items.append((MessageKind.CUSTOMER, None, text))
            continue
        items.append((MessageKind.REPLY, helper, _agent_text(body, values, language, sign_off)))
        if scenario.notes and rng.random() < 0.12:
            note = _fill(rng.choice(scenario.notes), values)
            items.append(
                (MessageKind.NOTE, rng.choice(world.agents_by_mailbox[scenario.mailbox]), note)
            )
    if status == Status.CLOSED and story.closing and rng.random() < 0.7:
        closing = rng.choice(story.closing)
        items.append(
            (
                MessageKind.CUSTOMER,
                None,
                _customer_text(world, closing, values, language, signed, first=False),
            )
        )
    if status == Status.ACTIVE and scenario.chase and rng.random() < 0.25:
        chaser = rng.choice(texts.CHASERS[language])
        items.append(
            (
                MessageKind.CUSTOMER,
                None,
                _customer_text(world, chaser, values, language, signed, first=False),
            )
        )
    return _timed(world, status, items, urgent="urgent" in scenario.tags)


def _timed(
    world: World, status: str, items: list[tuple[str, User | None, str]], *, urgent: bool
) -> list[Turn]:
    rng = world.rng
    gaps = [
        _gap(rng, items[i - 1][0], kind, urgent) for i, (kind, _a, _b) in enumerate(items) if i > 0
    ]
    # Waiting customers wrote recently; finished conversations may be weeks old.
    if status == Status.ACTIVE:
        end = world.now - timedelta(minutes=rng.uniform(3, 60 * 40))
    else:
        end = world.now - timedelta(hours=rng.uniform(1, 24 * 75) * rng.random())
    when = end - sum(gaps, timedelta())
    thread: list[Turn] = []
    for i, (kind, author, body) in enumerate(items):
        if i > 0:
            when += gaps[i - 1]
        thread.append((kind, author, body, when))
    return thread


def _gap(rng: random.Random, previous: str, kind: str, urgent: bool) -> timedelta:
    """The time before this message. An urgent story ("It's been an hour. Still broken.")
    moves in minutes and hours, not days."""
    if kind == MessageKind.NOTE:
        return timedelta(minutes=rng.uniform(1, 30))
    if kind == MessageKind.REPLY:
        return timedelta(minutes=rng.uniform(3, 45) if urgent else rng.uniform(8, 60 * 20))
    if previous == MessageKind.CUSTOMER:  # chasing an answer
        return timedelta(hours=rng.uniform(0.5, 3) if urgent else rng.uniform(2, 30))
    return timedelta(hours=rng.uniform(0.3, 4) if urgent else rng.uniform(1, 72))
