"""Every write about issue trackers: setting up a destination, pushing a problem (the
first push creates the issue, a later one comments on it), and polling linked issues,
which marks a problem fixed when its issue is closed and tells the agents.

No network call runs inside a database transaction. Creating an issue is claimed by one
conditional UPDATE on the link, so two pushes at once make one issue; a claim whose push
died is free again after ``CLAIM_LEASE``."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.accounts.models import NotificationKind
from calmdesk.accounts.notify import absolute_url, do_notify
from calmdesk.desk.access import sees_every_mailbox, visible_mailbox_ids
from calmdesk.desk.models import Conversation, Status
from calmdesk.jobs.registry import periodic
from calmdesk.mail import secrets
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from calmdesk.problems.actions import do_set_problem_status
from calmdesk.problems.models import (
    Problem,
    ProblemStatus,
    TrackerDestination,
    TrackerLink,
)
from calmdesk.problems.tracker_evidence import evidence_for
from calmdesk.problems.tracker_models import LinkState
from calmdesk.problems.trackers import Issue, Target, TrackerError
from calmdesk.problems.trackers_clients import tracker_for

log = logging.getLogger("calmdesk.problems")

CLAIM_LEASE = timedelta(minutes=5)
POLL_BATCH = 200  # links asked per run, the least recently polled first
POLL_EVERY = timedelta(minutes=10)
# A push runs in the agent's request: one retry, and no wait for a rate limit past 10 s.
PUSH_POLICY = Policy(timeout=10.0, attempts=2, max_wait=10.0)


class PushError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- Destinations -----------------------------------------------------------------------


def destinations_for(actor: User) -> QuerySet[TrackerDestination]:
    """Where ``actor`` may push: their mailboxes' destinations, and the whole team's when
    they see every mailbox (its evidence counts every mailbox)."""
    enabled = TrackerDestination.objects.filter(enabled=True).select_related("mailbox")
    if sees_every_mailbox(actor):
        return enabled
    return enabled.filter(mailbox_id__in=visible_mailbox_ids(actor))


def do_save_destination(
    destination: TrackerDestination, *, token: str = "", now: datetime | None = None
) -> TrackerDestination:
    """Save an admin's destination; a new ``token`` replaces the stored one (encrypted),
    an empty one keeps it."""
    now = now or timezone.now()
    if token:
        destination.token_encrypted = secrets.encrypt(token)
    destination.base_url = destination.base_url.rstrip("/")
    destination.updated_at = now
    if destination.pk is None:
        destination.created_at = now
    destination.save()
    return destination


def do_delete_destination(destination: TrackerDestination) -> None:
    """Its links go with it; the issues stay in the tracker."""
    destination.delete()


def target_of(destination: TrackerDestination) -> Target:
    return Target(
        kind=destination.kind,
        base_url=destination.base_url,
        project=destination.project,
        token=secrets.decrypt(destination.token_encrypted),
        account=destination.account,
        issue_type=destination.issue_type,
    )


def client_for(destination: TrackerDestination, policy: Policy | None = None) -> Client:
    """The outbound client, with the destination's own host allowed when the admin said
    it is on a private network."""
    host = urlsplit(destination.base_url).hostname or ""
    allowance = Allowance.of([host] if destination.allow_private_host and host else [])
    return Client(allowance=allowance, policy=policy or Policy())


def problem_url(problem: Problem) -> str:
    """The problem's page in the desk, as a full URL for the tracker to link back."""
    return absolute_url(reverse("problem", args=[problem.pk]))


# --- Pushing ------------------------------------------------------------------------------


def _link_of(problem: Problem, destination: TrackerDestination) -> TrackerLink:
    try:
        with transaction.atomic():
            link, _created = TrackerLink.objects.get_or_create(
                problem=problem, destination=destination
            )
    except IntegrityError:  # another push created it between the get and the create
        link = TrackerLink.objects.get(problem=problem, destination=destination)
    return link


def _failed(link: TrackerLink, error: TrackerError, **fields: object) -> PushError:
    text = f"{error.code}: {error.message}"[:300]
    TrackerLink.objects.filter(pk=link.pk).update(last_error=text, **fields)
    if error.code == "timeout" and not link.external_id:
        return PushError(
            error.code,
            _(
                "The tracker did not answer in time. The issue may exist already: look in the "
                "tracker before pushing again."
            ),
        )
    return PushError(error.code, _("The tracker refused: %(error)s") % {"error": text})


def do_push_problem(
    problem: Problem,
    destination: TrackerDestination,
    actor: User,
    *,
    now: datetime | None = None,
    client: Client | None = None,
) -> TrackerLink:
    """Send the problem's evidence to the destination: the first time as a new issue,
    then as a comment on that issue. Raises PushError when the tracker refuses."""
    if not destinations_for(actor).filter(pk=destination.pk).exists():
        raise PushError("not_allowed", _("You may not push to this destination."))
    now = now or timezone.now()
    link = _link_of(problem, destination)
    evidence = evidence_for(problem, destination, link=problem_url(problem), now=now)
    tracker = tracker_for(target_of(destination), client or client_for(destination, PUSH_POLICY))
    done = {"pushes": F("pushes") + 1, "pushed_at": now, "pushed_by": actor, "last_error": ""}
    if link.external_id:
        try:
            tracker.comment(link.external_id, evidence)
        except TrackerError as error:
            raise _failed(link, error) from None
        TrackerLink.objects.filter(pk=link.pk).update(**done)
    else:
        free = Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_LEASE)
        if not TrackerLink.objects.filter(free, pk=link.pk, external_id="").update(claimed_at=now):
            raise PushError(
                "in_progress", _("Someone is pushing this problem right now; try again shortly.")
            )
        try:
            issue = tracker.create(evidence)
        except TrackerError as error:
            raise _failed(link, error, claimed_at=None) from None
        TrackerLink.objects.filter(pk=link.pk).update(
            external_id=issue.external_id,
            url=issue.url,
            state=LinkState.OPEN,
            claimed_at=None,
            **done,
        )
    link.refresh_from_db()
    return link


# --- Polling ------------------------------------------------------------------------------


def _told_about(problem: Problem) -> set[int]:
    """Who hears that the tracker closed it: the problem's owner, whoever linked a
    conversation to it, and the assignees of its open conversations."""
    ids = {problem.owner_id} if problem.owner_id else set()
    ids |= set(problem.links.exclude(linked_by=None).values_list("linked_by_id", flat=True))
    ids |= set(
        Conversation.objects.filter(problem_links__problem=problem)
        .exclude(assignee=None)
        .exclude(status=Status.CLOSED)
        .values_list("assignee_id", flat=True)
    )
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def do_close_link(link: TrackerLink, issue: Issue, now: datetime) -> bool:
    """The issue is closed: the problem becomes fixed (or won't fix), unless it was closed
    as a duplicate, which fixes nothing; either way the agents are told."""
    with transaction.atomic():
        closed = TrackerLink.objects.filter(pk=link.pk, state=LinkState.OPEN).update(
            state=LinkState.CLOSED, closed_at=now, polled_at=now, last_error=""
        )
        if not closed:
            return False  # another worker closed it first
        problem = link.problem
        settled = {ProblemStatus.FIXED, ProblemStatus.WONT_FIX}
        if problem.status not in settled and not issue.duplicate:
            status = ProblemStatus.WONT_FIX if issue.not_planned else ProblemStatus.FIXED
            problem = do_set_problem_status(problem, None, status, now=now)
        names = {
            "tracker": link.destination.get_kind_display(),
            "title": problem.title,
            "issue": link.external_id,
            "status": str(problem.get_status_display()).lower(),
        }
        if issue.duplicate:
            title = _(
                "%(tracker)s closed “%(title)s” (%(issue)s) as a duplicate: the problem stays "
                "%(status)s"
            )
        else:
            title = _("%(tracker)s closed “%(title)s” (%(issue)s): the problem is %(status)s")
        url = reverse("problem", args=[problem.pk])
        do_notify(
            _told_about(problem), NotificationKind.SYSTEM, title % names, body=link.url, url=url
        )
    return True


# A poll that failed like this says the tracker is away: its other issues wait for the
# next run rather than each waiting out their own timeouts and retries.
TRACKER_AWAY = frozenset(
    {"timeout", "connection_failed", "dns_failed", "tls_failed", "rate_limited"}
)
# Polling asks again next run anyway: one retry, not the client's default.
POLL_POLICY = Policy(timeout=10.0, attempts=2)


def poll_link(link: TrackerLink, *, now: datetime, client: Client | None = None) -> bool | None:
    """Ask the tracker about one open issue: True when this poll closed it, False when
    it is still open or the tracker refused, None when the tracker seems away."""
    destination = link.destination
    client = client or client_for(destination, policy=POLL_POLICY)
    try:
        issue = tracker_for(target_of(destination), client).fetch(link.external_id)
    except TrackerError as error:
        text = f"{error.code}: {error.message}"[:300]
        TrackerLink.objects.filter(pk=link.pk).update(polled_at=now, last_error=text)
        log.warning("calmdesk.W030 polling %s %s failed: %s", destination, link.external_id, text)
        away = error.code in TRACKER_AWAY or (error.status or 0) >= 500
        return None if away else False
    if not issue.closed:
        TrackerLink.objects.filter(pk=link.pk).update(polled_at=now, last_error="")
        return False
    return do_close_link(link, issue, now)


@periodic("problems.poll_trackers", every=POLL_EVERY)
def poll_trackers(now: datetime) -> int:
    """Poll the open issues of enabled destinations, the least recently polled first;
    a destination that seems away is left for the next run. Returns how many closed."""
    links = (
        TrackerLink.objects.filter(state=LinkState.OPEN, destination__enabled=True)
        .exclude(external_id="")
        .select_related("destination", "problem")
        .order_by(F("polled_at").asc(nulls_first=True), "id")[:POLL_BATCH]
    )
    closed, away = 0, set()
    for link in links:
        if link.destination_id in away:
            continue
        result = poll_link(link, now=now)
        if result is None:
            away.add(link.destination_id)
        closed += bool(result)
    return closed


# --- GitHub's webhook (optional: GitHub must reach the desk) --------------------------------


def webhook_secret(destination: TrackerDestination) -> str:
    """The secret GitHub signs this destination's webhook deliveries with: derived from
    the desk's secret key, so nothing more is stored (a new secret key changes it)."""
    message = f"calmdesk tracker webhook {destination.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def signature_ok(destination: TrackerDestination, body: bytes, header: str) -> bool:
    """GitHub's ``X-Hub-Signature-256``: ``sha256=`` and the HMAC-SHA256 of the body."""
    expected = hmac.new(webhook_secret(destination).encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", header)


def do_github_issue_event(
    destination: TrackerDestination, payload: dict, *, now: datetime | None = None
) -> bool:
    """An ``issues`` event: a ``closed`` issue of the destination's repository closes its
    link at once, as a poll would. True when a link was closed."""
    issue = payload.get("issue") or {}
    repository = str((payload.get("repository") or {}).get("full_name", ""))
    if payload.get("action") != "closed" or repository.lower() != destination.project.lower():
        return False
    link = (
        TrackerLink.objects.filter(
            destination=destination, state=LinkState.OPEN, external_id=str(issue.get("number"))
        )
        .select_related("destination", "problem")
        .first()
    )
    if link is None:
        return False
    reason = issue.get("state_reason")
    closed = Issue(
        link.external_id,
        str(issue.get("html_url") or link.url),
        closed=True,
        not_planned=reason == "not_planned",
        duplicate=reason == "duplicate",
    )
    return do_close_link(link, closed, now or timezone.now())
