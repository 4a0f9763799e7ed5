"""``calmdesk export``: every record of the desk as JSON lines, one file per type, with
the attachments and raw mail beside them, for an admin to hand to another tool.

    mailboxes.jsonl agents.jsonl customers.jsonl conversations.jsonl messages.jsonl
    events.jsonl readings.jsonl   one object a line, ids as in the desk
    attachments/<id>/<name>        each attachment under its message's attachment id
    raw/<sha256>.eml               the mail each received message came in

Password hashes, session data and mailbox server passwords are never exported."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not exportable: {type(value).__name__}")


def _write(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, default=_plain, ensure_ascii=False) + "\n")
            count += 1
    return count


def _safe_name(filename: str) -> str:
    """The customer's file name as one path part: no folders, no hidden or empty name."""
    name = PurePath(filename.replace("\\", "/")).name.strip().lstrip(".")
    return "".join(c for c in name if c.isprintable() and c not in "/\0")[:200] or "file"


def _mailboxes() -> Iterator[dict[str, Any]]:
    from calmdesk.desk.models import Mailbox

    for row in Mailbox.objects.order_by("id").values(
        "id", "name", "slug", "email", "is_default", "created_at"
    ):
        yield dict(row)


def _agents() -> Iterator[dict[str, Any]]:
    from calmdesk.accounts.models import Agent

    for agent in Agent.objects.select_related("user").prefetch_related("mailboxes").order_by("id"):
        user = agent.user
        yield {
            "id": agent.id,
            "username": user.get_username(),
            "name": user.get_full_name(),
            "email": user.email,
            "active": user.is_active,
            "role": agent.role,
            "mailboxes": sorted(m.id for m in agent.mailboxes.all()),
            "time_zone": agent.time_zone,
        }


def _customers() -> Iterator[dict[str, Any]]:
    from calmdesk.desk.models import Customer

    rows = Customer.objects.prefetch_related("emails").select_related("organisation")
    for customer in rows.order_by("id").iterator(chunk_size=1000):
        yield {
            "id": customer.id,
            "name": customer.name,
            "emails": [e.email for e in customer.emails.all()],
            "organisation": customer.organisation.name if customer.organisation else None,
            "website": customer.website,
            "plan": customer.plan,
            "monthly_revenue": customer.monthly_revenue,
            "revenue_currency": customer.revenue_currency,
            "notes": customer.notes,
            "merged_into": customer.merged_into_id,
            "erased_at": customer.erased_at,
            "created_at": customer.created_at,
        }


def _conversations() -> Iterator[dict[str, Any]]:
    from calmdesk.desk.models import Conversation

    rows = Conversation.objects.prefetch_related("tags").order_by("id")
    for c in rows.iterator(chunk_size=1000):
        yield {
            "id": c.id,
            "mailbox": c.mailbox_id,
            "customer": c.customer_id,
            "subject": c.subject,
            "status": c.status,
            "assignee": c.assignee_id,
            "tags": [t.name for t in c.tags.all()],
            "created_at": c.created_at,
            "last_message_at": c.last_message_at,
        }


def _messages(dest: Path) -> Iterator[dict[str, Any]]:
    """Each message with its attachments and raw mail, copied as they are listed."""
    from calmdesk.desk.models import Message
    from calmdesk.mail import rawstore

    rows = Message.objects.select_related("inbound").prefetch_related("attachments")
    for m in rows.order_by("id").iterator(chunk_size=500):
        files = []
        for a in m.attachments.all():
            relative = f"attachments/{a.id}/{_safe_name(a.filename)}"
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            with a.file.open("rb") as source, (dest / relative).open("wb") as out:
                shutil.copyfileobj(source, out)
            files.append({"filename": a.filename, "content_type": a.content_type, "path": relative})
        inbound = getattr(m, "inbound", None)
        raw = None
        if inbound is not None:
            raw = f"raw/{inbound.raw_sha256}.eml"
            if not (dest / raw).exists():
                (dest / raw).write_bytes(rawstore.read(inbound.raw_path))
        yield {
            "id": m.id,
            "conversation": m.conversation_id,
            "kind": m.kind,
            "author": m.author_id,
            "customer": m.customer_id,
            "body_text": m.body_text,
            "body_html": m.body_html,
            "message_id": m.message_id,
            "created_at": m.created_at,
            "attachments": files,
            "raw": raw,
        }


def _events() -> Iterator[dict[str, Any]]:
    from calmdesk.desk.models import Event

    for row in Event.objects.order_by("id").values(
        "id", "conversation_id", "kind", "actor_id", "data", "created_at"
    ):
        yield dict(row)


def _readings() -> Iterator[dict[str, Any]]:
    from calmdesk.empathy.models import MessageReading

    for row in MessageReading.objects.order_by("id").values(
        "message_id", "engine_version", "tone", "intensity", "confidence", "language", "priority"
    ):
        yield dict(row)


def export(dest: Path) -> dict[str, int]:
    """Write the export into ``dest`` (a new or empty folder); returns rows per file."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    (dest / "raw").mkdir(parents=True, exist_ok=True)
    tables = {
        "mailboxes": _mailboxes(),
        "agents": _agents(),
        "customers": _customers(),
        "conversations": _conversations(),
        "messages": _messages(dest),
        "events": _events(),
        "readings": _readings(),
    }
    return {name: _write(dest / f"{name}.jsonl", rows) for name, rows in tables.items()}


def cmd_export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk export", description=__doc__)
    parser.add_argument("dest", type=Path, help="a new or empty folder")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()
    try:
        counts = export(args.dest)
    except FileExistsError as exc:
        print(f"calmdesk export: {exc}", file=sys.stderr)
        return 1
    print("exported: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 0
