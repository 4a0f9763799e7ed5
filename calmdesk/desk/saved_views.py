"""Saved views: an agent's named inbox filters, in the filter grammar (``desk.filters``),
listed in the inbox sidebar with their counts. Only their owner sees or changes them.

A count comes from the kept folder counts when the view filters only by status, mailbox
and assignee (no query at all); any other view is counted by the inbox's own query, up to
``COUNT_CAP``, so a view costs what opening it would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.access import visible_conversations
from calmdesk.desk.actions import ActionError
from calmdesk.desk.filters import Query, apply, parse, resolve
from calmdesk.desk.models import SavedView, Status

MAX_VIEWS = 30  # per agent: a sidebar, not a second inbox
MAX_NAME = 60
COUNT_CAP = 100  # a view with more shows "99+": nobody reads further than that


@dataclass(frozen=True)
class CountedView:
    view: SavedView
    count: int
    capped: bool  # more than COUNT_CAP - 1

    @property
    def shown(self) -> str:
        return f"{COUNT_CAP - 1}+" if self.capped else str(self.count)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ActionError(_("A view needs a name."))
    if len(cleaned) > MAX_NAME:
        raise ActionError(_("A view's name has at most %(n)d characters.") % {"n": MAX_NAME})
    return cleaned


def clean_query(text: str) -> str:
    """The query as a view keeps it (written back by the grammar), or ActionError."""
    query = parse(text)
    if query.has_text:
        raise ActionError(
            _("A view keeps filters (status:, tag:, assignee:…); words are searched.")
        )
    kept = query.text()
    if not kept:
        raise ActionError(_("There is no filter to save yet."))
    return kept


def saved_views_of(actor: User) -> list[SavedView]:
    return list(SavedView.objects.filter(owner=actor)[:MAX_VIEWS])


@transaction.atomic
def do_save_view(
    actor: User, name: str, query_text: str, *, now: datetime | None = None
) -> SavedView:
    cleaned, kept = _clean_name(name), clean_query(query_text)
    if SavedView.objects.filter(owner=actor).count() >= MAX_VIEWS:
        raise ActionError(_("You have %(n)d saved views; delete one first.") % {"n": MAX_VIEWS})
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=actor, name=cleaned, query=kept, created_at=now or timezone.now()
            )
    except IntegrityError:
        raise ActionError(
            _("You already have a view called “%(name)s”.") % {"name": cleaned}
        ) from None


def do_rename_view(view: SavedView, actor: User, name: str) -> SavedView:
    if view.owner_id != actor.pk:
        raise ActionError(_("Only its owner changes a view."))
    cleaned = _clean_name(name)
    try:
        with transaction.atomic():
            SavedView.objects.filter(pk=view.pk).update(name=cleaned)
    except IntegrityError:
        raise ActionError(
            _("You already have a view called “%(name)s”.") % {"name": cleaned}
        ) from None
    view.name = cleaned
    return view


def do_delete_view(view: SavedView, actor: User) -> None:
    if view.owner_id != actor.pk:
        raise ActionError(_("Only its owner changes a view."))
    SavedView.objects.filter(pk=view.pk).delete()


def _from_folders(
    actor: User, query: Query, mailbox_id: int | None, assignee_id: int | None, folders: list
) -> int:
    status = query.status or Status.ACTIVE
    wanted = {"me": actor.pk, "none": 0}.get(query.assignee, assignee_id)
    return sum(
        count
        for mailbox, folder, assignee_key, count in folders
        if folder == status
        and (mailbox_id is None or mailbox == mailbox_id)
        and (wanted is None or assignee_key == wanted)
    )


def counted_views(actor: User, views: list[SavedView], folders: list) -> list[CountedView]:
    """Each view with its count. ``folders`` are the kept folder counts of the agent's
    mailboxes (mailbox id, folder, assignee key, count), as the inbox read them."""
    counted = []
    for view in views:
        query = parse(view.query)
        if not query.status:
            query = query.replace(status=Status.ACTIVE)  # as the inbox reads it
        where = resolve(actor, query)
        kept = where.query
        if not (where.tags or kept.senders or kept.orgs or kept.tokens):
            mailbox_id = where.mailbox.pk if where.mailbox is not None else None
            assignee_id = where.assignee.pk if where.assignee is not None else None
            count = _from_folders(actor, kept, mailbox_id, assignee_id, folders)
            counted.append(CountedView(view, count, capped=False))
            continue
        rows = apply(actor, where, visible_conversations(actor))
        count = rows.order_by()[:COUNT_CAP].count()
        counted.append(CountedView(view, count, capped=count >= COUNT_CAP))
    return counted
