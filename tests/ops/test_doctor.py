"""calmdesk doctor: each fault is made for real, the doctor names it by its code, and
--fix repairs it where a repair cannot lose anything."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from calmdesk.desk.models import Attachment, Conversation, Event, FolderCount, Message
from calmdesk.empathy.models import MessageReading
from calmdesk.mail import rawstore
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.ingest import ingest_raw, quarantine
from calmdesk.mail.models import InboundMail, Outbox, OutboxState, QuarantineCause
from calmdesk.ops.doctor import FILE_GRACE, examine, report
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


def faults(*, fix: bool = False) -> dict[str, list[str]]:
    return {r.check.code: r.left for r in examine(fix=fix) if r.left}


def make_old(path: str) -> None:
    then = (timezone.now() - FILE_GRACE - timedelta(minutes=5)).timestamp()
    os.utime(path, (then, then))


def test_a_healthy_desk_has_no_faults(desk) -> None:
    ingest_raw(make_mail(), desk.support)
    do_send_reply(desk.conversation, desk.alice, "We are on it.")
    assert faults() == {}
    assert all(line.startswith("ok") for line in report(examine()))


def test_it_finds_a_row_pointing_at_a_missing_row(desk) -> None:
    event = Event.objects.create(
        conversation=desk.conversation, kind="tag", created_at=timezone.now()
    )
    # Foreign keys are checked at commit (deferred); a copy without them lets this through.
    Event.objects.filter(pk=event.pk).update(actor_id=10**9)
    assert faults()["DR01"] == [f"desk.Event {event.pk}: actor missing"]
    Event.objects.filter(pk=event.pk).delete()  # the test database checks them at teardown


def test_it_finds_a_conversation_without_messages(desk) -> None:
    Message.objects.filter(conversation=desk.billing_conversation).delete()
    assert faults()["DR02"] == [f"conversation {desk.billing_conversation.pk}"]


def test_it_finds_mail_whose_raw_bytes_are_gone(desk) -> None:
    outcome = ingest_raw(make_mail(), desk.support)
    inbound = InboundMail.objects.get(message=outcome.message)
    rawstore.storage().delete(inbound.raw_path)
    assert faults()["DR03"] == [f"message {inbound.message_id}: {inbound.raw_path}"]
    assert "DR03" in faults(fix=True)  # nothing can bring the bytes back


def test_fix_deletes_old_raw_files_no_row_names_and_leaves_young_ones(desk) -> None:
    _digest, old = rawstore.keep(b"From: x@example.com\r\n\r\nleft by a dead ingest")
    _digest, young = rawstore.keep(b"From: y@example.com\r\n\r\nan ingest about to commit")
    make_old(rawstore.storage().path(old))
    assert faults()["DR04"] == [old]  # the young one may be an ingest about to commit
    assert "DR04" not in faults(fix=True)
    assert not rawstore.storage().exists(old) and rawstore.storage().exists(young)


def test_it_finds_an_attachment_whose_file_is_gone_and_one_no_row_names(desk) -> None:
    storage = Attachment._meta.get_field("file").storage
    storage.delete(desk.attachment.file.name)
    stray = storage.save("attachments/ab/stray.png", ContentFile(b"x"))
    found = faults()
    assert found["DR05"] == [
        f"attachment {desk.attachment.pk} of message {desk.message.pk}: {desk.attachment.file.name}"
    ]
    assert "DR06" not in found  # young: may be an upload about to commit
    make_old(storage.path(stray))
    assert faults()["DR06"] == [stray]
    assert "DR06" not in faults(fix=True)
    assert not storage.exists(stray)


def test_fix_recounts_a_conversation_whose_counters_drifted(desk) -> None:
    Conversation.objects.filter(pk=desk.conversation.pk).update(
        message_count=7, customer_message_count=5
    )
    assert faults()["DR07"] == [f"conversation {desk.conversation.pk}"]
    assert "DR07" not in faults(fix=True)
    desk.conversation.refresh_from_db()
    assert (desk.conversation.message_count, desk.conversation.customer_message_count) == (1, 1)


def test_fix_rebuilds_folder_counts_that_drifted(desk) -> None:
    FolderCount.objects.filter(mailbox=desk.support).update(count=42)
    assert len(faults()["DR08"]) == 1
    assert "DR08" not in faults(fix=True)
    assert FolderCount.objects.get(mailbox=desk.support, count__gt=0).count == 1


def test_fix_puts_a_reply_held_by_a_gone_worker_back_in_the_queue(desk) -> None:
    reply = do_send_reply(desk.conversation, desk.alice, "We are on it.")
    Outbox.objects.filter(message=reply).update(
        state=OutboxState.SENDING,
        claimed_by="another-host:4242:abcdef",
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert len(faults()["DR09"]) == 1
    assert "DR09" not in faults(fix=True)
    assert Outbox.objects.get(message=reply).state == OutboxState.SCHEDULED


def test_fix_rereads_messages_read_by_an_old_engine(desk) -> None:
    MessageReading.objects.filter(message=desk.message).update(engine_version="0.9.0")
    assert faults()["DR10"] == [f"message {desk.message.pk}: 0.9.0"]
    assert "DR10" not in faults(fix=True)


def test_it_reports_quarantined_mail_nobody_resolved(desk) -> None:
    raw = b"not mail at all"
    digest, rel = rawstore.keep(raw)
    quarantine(raw, digest, rel, QuarantineCause.UNREADABLE, "", desk.support, "pipe")
    assert len(faults(fix=True)["DR11"]) == 1  # a person must look at it


def test_the_command_exits_non_zero_on_a_fault(desk, capsys) -> None:
    from calmdesk.ops.doctor import cmd_doctor

    assert cmd_doctor([]) == 0
    Conversation.objects.filter(pk=desk.conversation.pk).update(message_count=9)
    assert cmd_doctor([]) == 1
    assert "FAULT DR07 counters-differ" in capsys.readouterr().out
    assert cmd_doctor(["--fix"]) == 0
    assert "FIXED DR07" in capsys.readouterr().out


def test_every_check_is_documented_in_the_readme() -> None:
    from calmdesk.ops.doctor import CHECKS
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    security = (ROOT / "SECURITY.md").read_text()
    assert [c.code for c in CHECKS if c.code not in readme] == []
    assert "DR01" in security and f"DR{len(CHECKS):02d}" in security
