"""The demo's product problems: twelve, each linked to the conversations whose story
shows it (found by the story's subject), at different statuses; the CSV import one is
fixed and its open conversations were answered all at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q

from calmdesk.desk.actions import ActionError
from calmdesk.desk.models import Conversation, Status
from calmdesk.problems.actions import do_create_problem, do_link_problem, do_set_problem_status
from calmdesk.problems.answer import do_draft_answers, do_send_answers
from calmdesk.problems.models import ProblemKind, ProblemStatus

# More links add nothing to the story and cost time at 100k conversations.
LINKS_PER_PROBLEM = 40


@dataclass(frozen=True)
class DemoProblem:
    title: str
    kind: str
    status: str
    subjects: tuple[str, ...]  # a story's subject starts with one of these
    description: str = ""


PROBLEMS = (
    DemoProblem(
        "Checkout button does nothing on phones",
        ProblemKind.BUG,
        ProblemStatus.IN_PROGRESS,
        ("Checkout button does nothing",),
        "Mobile Safari and Chrome on Android: the tap on Pay registers no click handler.",
    ),
    DemoProblem(
        "Checkout outage under peak traffic",
        ProblemKind.BUG,
        ProblemStatus.PLANNED,
        ("CHECKOUT IS DOWN", "Is Fernhill down", "Checkout down again"),
    ),
    DemoProblem(
        "Custom domains lose their certificate at renewal",
        ProblemKind.BUG,
        ProblemStatus.OPEN,
        ("My shop says the connection is not private",),
    ),
    DemoProblem(
        "Products and orders hidden after the update",
        ProblemKind.BUG,
        ProblemStatus.IN_PROGRESS,
        ("All my products disappeared", "Orders from last week missing"),
    ),
    DemoProblem(
        "Nightly inventory sync times out over 100 variants",
        ProblemKind.BUG,
        ProblemStatus.PLANNED,
        ("Inventory sync fails",),
    ),
    DemoProblem(
        "Discount code applied twice",
        ProblemKind.BUG,
        ProblemStatus.OPEN,
        ("Bug: discount code applied twice",),
    ),
    DemoProblem(
        "Webhooks stop after an upgrade",
        ProblemKind.BUG,
        ProblemStatus.OPEN,
        ("Webhooks stopped arriving",),
    ),
    DemoProblem(
        "CSV import stops at row 1,204",
        ProblemKind.BUG,
        ProblemStatus.OPEN,  # fixed below, with the answer to everyone
        ("CSV import stops",),
        "A quoted line break in a product description ends the import.",
    ),
    DemoProblem(
        "Renewals charged twice",
        ProblemKind.BUG,
        ProblemStatus.IN_PROGRESS,
        ("Charged twice", "Two payments on the same day", "Thanks for charging me twice"),
    ),
    DemoProblem(
        "Payouts arrive a day late",
        ProblemKind.BUG,
        ProblemStatus.OPEN,
        ("Payout missing", "Payouts late"),
    ),
    DemoProblem(
        "VAT number and company name on invoices",
        ProblemKind.FEATURE,
        ProblemStatus.PLANNED,
        ("VAT number on invoice", "Company name on our invoices"),
    ),
    DemoProblem(
        "Custom domain setup is hard to follow",
        ProblemKind.DOCS,
        ProblemStatus.OPEN,
        ("What is a CNAME?", "Where is my shop??"),
    ),
)
FIXED = "CSV import stops at row 1,204"
ANSWER = (
    "Hi {customer.first_name},\n\n"
    "The import that stopped at row 1,204 is fixed: a line break inside a product "
    "description ended it early. You can run the same file again now, and it will bring "
    "in every row.\n\nThank you for the file you sent; it is how we found it.\n\n{agent.name}"
)


def _matching(subjects: tuple[str, ...]) -> list[Conversation]:
    query = Q()
    for subject in subjects:
        query |= Q(subject__startswith=subject)
    return list(
        Conversation.objects.filter(query)
        .exclude(status=Status.SPAM)
        .order_by("-created_at")[:LINKS_PER_PROBLEM]
    )


def add_problems(actor: User) -> None:
    """Create the problems and links as ``actor`` (the demo admin), fix one, answer it."""
    for demo in PROBLEMS:
        problem = do_create_problem(
            actor, demo.title, kind=demo.kind, description=demo.description, owner=actor
        )
        for conversation in _matching(demo.subjects):
            do_link_problem(problem, conversation, actor)
        if demo.status != ProblemStatus.OPEN:
            do_set_problem_status(problem, actor, demo.status)
        if demo.title == FIXED:
            do_set_problem_status(problem, actor, ProblemStatus.FIXED)
            if problem.links.exists():
                try:
                    batch = do_draft_answers(problem, actor, ANSWER, mailbox_ids=None)
                except ActionError:  # no open conversation at a tiny demo size
                    continue
                do_send_answers(batch, actor)
