"""The one filter grammar: how text reads (a table), and which conversations each query
finds on this database (run on SQLite and again on PostgreSQL by scripts/run-tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from calmdesk.desk.actions import do_add_tag, do_assign, do_change_status
from calmdesk.desk.filters import Query, Word, from_params, parse
from calmdesk.desk.models import Conversation, Customer, Organisation, Status
from calmdesk.desk.search import search

from .conftest import Desk, receive


@pytest.mark.parametrize(
    "text,expected",
    [
        ("refund", Query(words=(Word("refund", False),))),
        ("Export*", Query(words=(Word("export", True),))),
        ('"Charged  twice!"', Query(phrases=(("charged", "twice"),))),
        ('"refund"', Query(words=(Word("refund", False),))),
        ("tag:Billing", Query(tags=("billing",))),
        ('tag:"needs review"', Query(tags=("needs review",))),
        ('from:"Maya Okafor"', Query(senders=("maya okafor",))),
        ("from:maya@shop.example", Query(senders=("maya@shop.example",))),
        ("STATUS:pending", Query(status="pending")),
        ("assignee:me", Query(assignee="me")),
        ("assignee:mine", Query(assignee="me")),
        ("assignee:none", Query(assignee="none")),
        ("assignee:Bob", Query(assignee="bob")),
        ("mailbox:billing", Query(mailbox="billing")),
        ("org:Northwind", Query(orgs=("northwind",))),
        ("CD-3fa8b1c2d4e5", Query(tokens=("3fa8b1c2d4e5",))),
        ("[cd-3FA8B1C2D4E5]", Query(tokens=("3fa8b1c2d4e5",))),
        ("CD-ROM", Query(words=(Word("cd", False), Word("rom", False)))),
        (
            'tag:billing from:maya "charged twice" october',
            Query(
                words=(Word("october", False),),
                phrases=(("charged", "twice"),),
                tags=("billing",),
                senders=("maya",),
            ),
        ),
    ],
)
def test_it_reads_the_grammar(text: str, expected: Query) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text,words,problem",
    [
        ("colour:red", ["colour", "red"], "“colour:” is not an operator"),
        ("https://shop.example/cart", ["https", "shop", "example", "cart"], "“https:”"),
        ("status:open", [], "There is no status “open”"),
        ("tag:", [], "“tag:” needs a value"),
        ("w " * 20, ["w"], None),
        ("a b c d e f g h i j k l m n", list("abcdefghijkl"), "Only the first 12 words"),
    ],
)
def test_what_means_nothing_is_said_and_never_an_error(
    text: str, words: list[str], problem: str | None
) -> None:
    query = parse(text)
    assert [w.text for w in query.words] == words
    if problem is None:
        assert query.problems == ()
    else:
        assert any(problem in p for p in query.problems), query.problems


@pytest.mark.parametrize(
    "text",
    [
        'tag:billing from:"maya okafor" "charged twice" export* CD-3fa8b1c2d4e5',
        "status:closed assignee:none mailbox:support org:northwind",
    ],
)
def test_a_query_written_back_reads_the_same(text: str) -> None:
    assert parse(parse(text).text()) == parse(text)


def test_the_inbox_query_string_is_the_same_grammar() -> None:
    params = {"status": "pending", "tag": "billing", "assignee": "unassigned", "sort": "care"}
    query = from_params(params, status=Status.ACTIVE)
    assert query == parse("status:pending tag:billing assignee:none")
    assert query.params() == {"status": "pending", "tag": "billing", "assignee": "none"}
    assert from_params({}, status=Status.ACTIVE) == Query(status=Status.ACTIVE)
    # A whole query as q (what a saved view keeps); a key overrides that operator in it.
    saved = from_params({"q": "tag:a tag:b from:maya status:closed", "tag": "c"})
    assert saved == parse("tag:c from:maya status:closed")
    two = parse("tag:a tag:b status:closed")
    assert two.params() == {"q": "status:closed tag:a tag:b"}
    assert two.with_operator("status", "pending").params() == {"q": "status:pending tag:a tag:b"}
    assert two.with_operator("tag", "").params() == {"status": "closed"}


@dataclass
class World:
    desk: Desk
    by_name: dict[str, Conversation]


@pytest.fixture
def world(desk: Desk) -> World:
    """Beside the desk's two: Maya writes to Billing too, a Northwind customer waits on an
    export, and a closed thank-you."""
    maya_billing = receive(
        desk.billing,
        "maya@shop.example",
        "You charged me twice for the annual plan, see https://shop.example/"
        + "invoices/2026/annual-plan-receipt-number-000123456789",
        "Charged twice again",
    ).conversation
    do_add_tag(maya_billing, desk.charlie, "billing")
    do_assign(maya_billing, desk.charlie, desk.charlie)
    export = receive(
        desk.support, "lee@northwind.example", "Can I export invoices as CSV?", "CSV export"
    ).conversation
    northwind = Organisation.objects.create(name="Northwind Traders")
    Customer.objects.filter(pk=export.customer_id).update(organisation=northwind)
    do_assign(export, desk.alice, desk.alice)
    do_change_status(export, desk.alice, Status.PENDING)
    thanks = receive(
        desk.support, "sam@rivera.example", "Thanks, all good now.", "Solved", name="Sam Rivera"
    ).conversation
    do_change_status(thanks, desk.alice, Status.CLOSED)
    return World(
        desk,
        {
            "checkout": desk.conversation,
            "omar": desk.billing_conversation,
            "maya_billing": maya_billing,
            "export": export,
            "thanks": thanks,
        },
    )


QUERIES = [
    ("tag:billing", {"maya_billing"}),
    ('tag:billing from:maya "charged twice"', {"maya_billing"}),
    ('"charged twice"', {"omar", "maya_billing"}),
    ('"twice charged"', set()),
    ("charged twice", {"omar", "maya_billing"}),
    ("charg*", {"omar", "maya_billing"}),
    ("from:omar", {"omar"}),
    ("from:shop.example", {"checkout", "maya_billing"}),
    ('from:"maya okafor"', {"checkout", "maya_billing"}),
    ("from:maya checkout", {"checkout"}),
    ("status:pending", {"export"}),
    ("status:closed thanks", {"thanks"}),
    ("status:active charged", {"omar", "maya_billing"}),
    ("assignee:alice", {"export"}),
    ("assignee:charlie charged", {"maya_billing"}),
    ("assignee:none status:pending", set()),
    ("mailbox:billing", {"omar", "maya_billing"}),
    ("mailbox:support charged", set()),
    ("org:northwind", {"export"}),
    ("org:northwind status:active", set()),
    ("northwind", {"export"}),
    ("Northwind Traders", {"export"}),
    ("invoices", {"export", "maya_billing"}),
    ("northwind status:pending", {"export"}),
    ("receipt", {"maya_billing"}),
]


@pytest.mark.parametrize("text,names", QUERIES)
def test_each_query_finds_its_conversations(world: World, text: str, names: set[str]) -> None:
    found = {c.pk for c in search(world.desk.admin, text).conversations}
    assert found == {world.by_name[n].pk for n in names}


def test_the_subject_token_finds_its_conversation(world: World) -> None:
    export = world.by_name["export"]
    for text in (f"CD-{export.token}", f"[CD-{export.token.upper()}]"):
        assert [c.pk for c in search(world.desk.admin, text).conversations] == [export.pk]


def test_assignee_me_is_the_one_searching(world: World) -> None:
    assert [c.pk for c in search(world.desk.alice, "assignee:me").conversations] == [
        world.by_name["export"].pk
    ]
    assert [c.pk for c in search(world.desk.charlie, "assignee:me").conversations] == [
        world.by_name["maya_billing"].pk
    ]


@pytest.mark.parametrize(
    "text",
    ["mailbox:billing", "mailbox:billing charged", 'from:maya "charged twice"', "tag:billing"],
)
def test_charlie_and_alice_keep_to_their_mailboxes(world: World, text: str) -> None:
    support = {c.pk for c in Conversation.objects.filter(mailbox=world.desk.support)}
    found = {c.pk for c in search(world.desk.alice, text).conversations}
    assert found <= support
    billing_found = {c.pk for c in search(world.desk.charlie, text).conversations}
    assert not billing_found & support


def test_a_mailbox_alice_cannot_see_reads_like_a_missing_one(world: World) -> None:
    hidden = search(world.desk.alice, "mailbox:billing charged")
    missing = search(world.desk.alice, "mailbox:gilling charged")
    assert hidden.conversations == missing.conversations == []
    assert [p.replace("billing", "X") for p in hidden.problems] == [
        p.replace("gilling", "X") for p in missing.problems
    ]


def test_unknown_names_are_dropped_with_a_message(world: World) -> None:
    page = search(world.desk.admin, "tag:nosuchtag assignee:nobody charged")
    assert {c.pk for c in page.conversations} == {
        world.by_name["omar"].pk,
        world.by_name["maya_billing"].pk,
    }
    assert any("nosuchtag" in p for p in page.problems)
    assert any("nobody" in p for p in page.problems)


PIECES = [
    "tag:",
    "from:",
    "status:",
    "assignee:",
    "mailbox:",
    "org:",
    "CD-",
    "[CD-3fa8b1c2d4e5]",
    '"',
    " ",
    "*",
    ":",
    "billing",
    "Maya Okafor",
    "ü",
    "🙂",
    "\x00",
    "%",
    "_",
    "'",
    "(",
    "-",
    "OR",
    "NEAR",
    "a" * 70,
]


def _random_queries(count: int) -> list[str]:
    import random

    rng = random.Random(12)
    return ["".join(rng.choices(PIECES, k=rng.randint(1, 12))) for _ in range(count)]


@pytest.mark.parametrize("text", _random_queries(300))
def test_any_text_parses_and_reads_back_the_same(text: str) -> None:
    query = parse(text)
    again = parse(query.text())
    assert again.replace(problems=()) == query.replace(problems=())


def test_any_text_searches_without_an_error(world: World) -> None:
    for text in _random_queries(60):
        search(world.desk.alice, text)
        search(world.desk.admin, text)
