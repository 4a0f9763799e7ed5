"""Run in a child process against a scratch database (``python -m tests.mail.probe``):
sets up what a crash test needs and reports what the database holds, as JSON. The test
process never opens the scratch database itself, so every process sees one truth."""

from __future__ import annotations

import json
import sys
from datetime import timedelta


def _setup() -> None:
    from calmdesk.mail.bootstrap import ensure_migrated, setup_django

    setup_django()
    ensure_migrated()


def setup_outbox(count: int) -> list[str]:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from calmdesk.accounts.models import Agent
    from calmdesk.mail.actions import do_send_reply
    from calmdesk.mail.ingest import default_mailbox, ingest_raw
    from tests.mail.conftest import make_mail

    mailbox = default_mailbox()
    user = User.objects.create_user("alice")
    Agent.objects.create(user=user, undo_seconds=0)
    conversation = ingest_raw(make_mail(), mailbox).message.conversation
    past = timezone.now() - timedelta(seconds=5)
    return [
        do_send_reply(conversation, user, f"Reply number {n}.", now=past).message_id
        for n in range(count)
    ]


def setup_imap(port: int, user: str, password: str, folder: str) -> None:
    from calmdesk.mail.ingest import default_mailbox
    from calmdesk.mail.models import MailboxMailSettings
    from calmdesk.mail.secrets import encrypt

    MailboxMailSettings.objects.create(
        mailbox=default_mailbox(),
        imap_host="127.0.0.1",
        imap_port=port,
        imap_security="none",
        imap_user=user,
        imap_password_encrypted=encrypt(password),
        imap_folder=folder,
        poll_seconds=1,
    )


def setup_answers(count: int) -> list[int]:
    """A problem marked fixed with ``count`` linked open conversations, each from its own
    customer, and its answer-all batch queued for the worker (``problems.answer_all``).
    Returns the conversations' ids."""
    from django.contrib.auth.models import User

    from calmdesk.accounts.models import Agent
    from calmdesk.mail.ingest import default_mailbox, ingest_raw
    from calmdesk.problems.actions import (
        do_create_problem,
        do_link_problem,
        do_set_problem_status,
    )
    from calmdesk.problems.answer import do_draft_answers, do_queue_answers
    from calmdesk.problems.models import ProblemStatus
    from tests.mail.conftest import make_mail

    mailbox = default_mailbox()
    user = User.objects.create_user("alice", first_name="Alice")
    Agent.objects.create(user=user, undo_seconds=0).mailboxes.add(mailbox)
    problem = do_create_problem(user, "Sync times out")
    conversations = []
    for n in range(count):
        mail = make_mail(sender=f"Customer {n} <c{n}@store.example>", subject=f"Sync {n}")
        conversation = ingest_raw(mail, mailbox).message.conversation
        do_link_problem(problem, conversation, user)
        conversations.append(conversation.pk)
    do_set_problem_status(problem, user, ProblemStatus.FIXED)
    batch = do_draft_answers(
        problem, user, "Hi {customer.first_name}, sync is fixed.", mailbox_ids=None
    )
    do_queue_answers(batch, user)
    return conversations


def end_job_leases() -> None:
    """What the clock does for a worker that died holding a periodic job: its lease
    runs out (``calmdesk.jobs``), and another worker may take the job over."""
    from django.utils import timezone

    from calmdesk.jobs.models import PeriodicJob

    PeriodicJob.objects.exclude(claimed_by="").update(lease_until=timezone.now())


def report_answers() -> dict[str, object]:
    from calmdesk.desk.models import Message, MessageKind
    from calmdesk.mail.models import Outbox
    from calmdesk.problems.models import AnswerBatch, AnswerItem

    replies = Message.objects.filter(kind=MessageKind.REPLY)
    return {
        "items": {str(i.conversation_id): i.state for i in AnswerItem.objects.all()},
        "batches": list(AnswerBatch.objects.values_list("state", flat=True)),
        "replies": list(replies.values_list("conversation_id", flat=True)),
        "outbox": list(Outbox.objects.values_list("message__conversation_id", flat=True)),
        "outbox_states": list(Outbox.objects.values_list("state", flat=True)),
    }


def enqueue_retry() -> None:
    """A message an older parser refused, waiting in the quarantine for a retry."""
    from django.utils import timezone

    from calmdesk.mail import rawstore
    from calmdesk.mail.ingest import default_mailbox
    from calmdesk.mail.models import Quarantine
    from calmdesk.mail.tasks import retry_quarantined
    from tests.mail.conftest import make_mail

    raw = make_mail(message_id="<quarantined@example.com>")
    digest, rel = rawstore.keep(raw)
    row = Quarantine.objects.create(
        raw_sha256=digest,
        raw_path=rel,
        size=len(raw),
        reason="old parser bug",
        mailbox=default_mailbox(),
        created_at=timezone.now(),
    )
    retry_quarantined.enqueue([row.id])


def report() -> dict[str, object]:
    from calmdesk.desk.models import Message, MessageKind
    from calmdesk.mail.models import Outbox, SendLog

    return {
        "outbox": {
            row.message.message_id: row.state for row in Outbox.objects.select_related("message")
        },
        "resends": [entry.message_id for entry in SendLog.objects.filter(possible_resend=True)],
        "received": list(
            Message.objects.filter(kind=MessageKind.CUSTOMER).values_list("message_id", flat=True)
        ),
    }


def main(argv: list[str]) -> int:
    _setup()
    command, args = argv[0], argv[1:]
    if command == "setup-outbox":
        result: object = setup_outbox(int(args[0]))
    elif command == "setup-answers":
        result = setup_answers(int(args[0]))
    elif command == "end-job-leases":
        end_job_leases()
        result = "ok"
    elif command == "report-answers":
        result = report_answers()
    elif command == "enqueue-retry":
        enqueue_retry()
        result = "ok"
    elif command == "setup-imap":
        setup_imap(int(args[0]), args[1], args[2], args[3])
        result = "ok"
    else:
        result = report()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
