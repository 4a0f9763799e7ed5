"""Pushing a problem to Jira Cloud and GitHub Issues, against local servers that answer
in each API's documented shapes: exactly what is sent (auth headers, bodies, no names or
addresses), their errors, 429 with Retry-After, a 500 and a timeout; then the desk side:
push, push again (a comment, never a second issue), and a closed issue marking the
problem fixed and telling the agents."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from calmdesk.accounts.models import Notification
from calmdesk.desk.models import Customer
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client, Policy
from calmdesk.problems.actions import do_create_problem, do_link_problem
from calmdesk.problems.models import Problem, ProblemStatus
from calmdesk.problems.tracker_actions import (
    PushError,
    do_push_problem,
    do_save_destination,
    poll_trackers,
)
from calmdesk.problems.tracker_evidence import scrub, weekly_counts
from calmdesk.problems.tracker_models import LinkState, TrackerDestination, TrackerLink
from calmdesk.problems.trackers import Evidence, Target, TrackerError, adf, markdown
from calmdesk.problems.trackers_clients import GitHubTracker, JiraTracker
from tests.desk.conftest import Desk, receive
from tests.outbound.fakeserver import FakeServer

EVIDENCE = Evidence(
    title="Checkout times out on 4.2.1",
    kind="Bug",
    description="Payment step hangs after the 4.2.1 release.",
    customers=14,
    conversations=17,
    organisations=9,
    revenue=(("EUR", Decimal("120.00")), ("USD", Decimal("2340.50"))),
    plans=(("Pro", 8), ("Basic", 6)),
    weekly=tuple(
        (date(2026, 10, 5) + timedelta(weeks=n), c) for n, c in enumerate([0, 1, 0, 1, 2, 3, 4, 3])
    ),
    link="http://127.0.0.1:8000/problems/3/",
)
JIRA_CREATED = {
    "id": "10042",
    "key": "CD-7",
    "self": "https://x.atlassian.net/rest/api/3/issue/10042",
}
GITHUB_CREATED = {
    "id": 1,
    "number": 42,
    "state": "open",
    "html_url": "https://github.com/acme/app/issues/42",
    "title": "Checkout times out on 4.2.1",
}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def local_client(**policy: float) -> Client:
    return Client(allowance=Allowance.of(["127.0.0.1"]), sleep=Sleeps(), policy=Policy(**policy))


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def jira(server: FakeServer, client: Client | None = None) -> JiraTracker:
    target = Target("jira", server.url, "CD", "jira-token", "pm@acme.example", "Bug")
    return JiraTracker(target, client or local_client())


def github(server: FakeServer, client: Client | None = None) -> GitHubTracker:
    target = Target("github", server.url, "acme/app", "github_pat_secret")
    return GitHubTracker(target, client or local_client())


# --- Jira Cloud REST v3 ------------------------------------------------------------------


def test_jira_create_sends_the_documented_request(server: FakeServer) -> None:
    server.reply("POST", "/rest/api/3/issue", 201, json=JIRA_CREATED)
    issue = jira(server).create(EVIDENCE)
    assert (issue.external_id, issue.url) == ("CD-7", f"{server.url}/browse/CD-7")
    [sent] = server.requests
    assert (sent.method, sent.path) == ("POST", "/rest/api/3/issue")
    assert (
        sent.headers["authorization"]
        == "Basic " + base64.b64encode(b"pm@acme.example:jira-token").decode()
    )
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    fields = sent.json()["fields"]
    assert fields["project"] == {"key": "CD"}
    assert fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == "Checkout times out on 4.2.1"
    assert fields["description"] == adf(EVIDENCE)
    assert set(fields) == {"project", "issuetype", "summary", "description"}
    doc = fields["description"]
    assert (doc["type"], doc["version"]) == ("doc", 1)
    text = json.dumps(doc)
    assert "14 customers affected, in 17 conversations" in text
    assert "2,340.50 USD" in text and "120.00 EUR" in text
    assert "rising" in text
    link = [n for n in _adf_nodes(doc) if n.get("marks")]
    assert link[0]["marks"] == [{"type": "link", "attrs": {"href": EVIDENCE.link}}]


def _adf_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("content", []):
        yield from _adf_nodes(child)


def test_jira_comment_and_status(server: FakeServer) -> None:
    server.reply("POST", "/rest/api/3/issue/CD-7/comment", 201, json={"id": "10100"})
    server.reply(
        "GET",
        "/rest/api/3/issue/CD-7?fields=status",
        200,
        json={
            "key": "CD-7",
            "fields": {
                "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
            },
        },
    )
    tracker = jira(server)
    tracker.comment("CD-7", EVIDENCE)
    assert server.requests[0].json() == {"body": adf(EVIDENCE, update=True)}
    assert "Update from calmdesk" in json.dumps(server.requests[0].json())
    assert tracker.fetch("CD-7").closed is False
    server.reply(
        "GET",
        "/rest/api/3/issue/CD-7?fields=status",
        200,
        json={
            "key": "CD-7",
            "fields": {"status": {"name": "Done", "statusCategory": {"key": "done"}}},
        },
    )
    assert tracker.fetch("CD-7").closed is False  # the first answer is used up now
    assert tracker.fetch("CD-7").closed is True
    assert server.requests[-1].headers["authorization"].startswith("Basic ")


def test_jira_errors_carry_its_own_words(server: FakeServer) -> None:
    server.reply(
        "POST",
        "/rest/api/3/issue",
        400,
        json={"errorMessages": [], "errors": {"issuetype": "Specify a valid issue type"}},
    )
    with pytest.raises(TrackerError) as caught:
        jira(server).create(EVIDENCE)
    assert (caught.value.code, caught.value.status) == ("http_status", 400)
    assert caught.value.message == "issuetype: Specify a valid issue type"
    server.reply(
        "GET",
        "/rest/api/3/issue/CD-9?fields=status",
        404,
        json={"errorMessages": ["Issue does not exist or you do not have permission to see it."]},
    )
    with pytest.raises(TrackerError) as caught:
        jira(server).fetch("CD-9")
    assert caught.value.message.startswith("Issue does not exist")


def test_jira_429_waits_then_creates_once(server: FakeServer) -> None:
    server.reply("POST", "/rest/api/3/issue", 429, headers={"Retry-After": "5"})
    server.reply("POST", "/rest/api/3/issue", 201, json=JIRA_CREATED)
    client = local_client()
    assert jira(server, client).create(EVIDENCE).external_id == "CD-7"
    assert client.sleep == [5.0]  # type: ignore[comparison-overlap]
    assert len(server.requests) == 2


def test_a_500_or_a_timeout_on_create_is_not_sent_twice(server: FakeServer) -> None:
    server.reply("POST", "/rest/api/3/issue", 500, body=b"<html>oops</html>")
    with pytest.raises(TrackerError) as caught:
        jira(server).create(EVIDENCE)
    assert (caught.value.code, caught.value.message) == ("http_status", "HTTP 500")
    assert len(server.requests) == 1
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED, delay=30)
    with pytest.raises(TrackerError) as caught:
        github(server, local_client(timeout=0.2)).create(EVIDENCE)
    assert caught.value.code == "timeout"
    assert len(server.seen("POST", "/repos/acme/app/issues")) == 1


# --- GitHub REST ---------------------------------------------------------------------------


def test_github_create_sends_the_documented_request(server: FakeServer) -> None:
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    issue = github(server).create(EVIDENCE)
    assert (issue.external_id, issue.url) == ("42", "https://github.com/acme/app/issues/42")
    [sent] = server.requests
    assert sent.headers["authorization"] == "Bearer github_pat_secret"
    assert sent.headers["accept"] == "application/vnd.github+json"
    assert sent.headers["x-github-api-version"] == "2022-11-28"
    assert sent.json() == {"title": EVIDENCE.title, "body": markdown(EVIDENCE)}
    body = sent.json()["body"]
    assert "- 14 customers affected, in 17 conversations" in body
    assert "- Monthly revenue at stake: 120.00 EUR, 2,340.50 USD" in body
    assert "- Plans: Pro (8), Basic (6)" in body
    assert "Trend: rising" in body and "0 1 0 1 2 3 4 3" in body
    assert "In calmdesk: http://127.0.0.1:8000/problems/3/" in body
    assert "customers' words" not in body  # no quotes in this evidence


def test_github_comment_and_state(server: FakeServer) -> None:
    server.reply("POST", "/repos/acme/app/issues/42/comments", 201, json={"id": 9})
    server.reply("GET", "/repos/acme/app/issues/42", 200, json={**GITHUB_CREATED, "state": "open"})
    tracker = github(server)
    tracker.comment("42", EVIDENCE)
    assert server.requests[0].json() == {"body": markdown(EVIDENCE, update=True)}
    assert tracker.fetch("42").closed is False
    server.reply(
        "GET",
        "/repos/acme/app/issues/42",
        200,
        json={**GITHUB_CREATED, "state": "closed", "state_reason": "not_planned"},
    )
    tracker.fetch("42")
    issue = tracker.fetch("42")
    assert (issue.closed, issue.not_planned) == (True, True)


def test_github_rate_limit_and_validation_errors(server: FakeServer) -> None:
    server.reply(
        "POST",
        "/repos/acme/app/issues",
        403,
        json={"message": "API rate limit exceeded for user ID 1."},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"},
    )
    with pytest.raises(TrackerError) as caught:
        github(server).create(EVIDENCE)
    assert (caught.value.code, caught.value.status) == ("rate_limited", 403)
    server.reply(
        "POST",
        "/repos/acme/app/issues/1/comments",
        422,
        json={"message": "Validation Failed", "errors": [{"code": "missing_field"}]},
    )
    with pytest.raises(TrackerError) as caught:
        github(server).comment("1", EVIDENCE)
    assert caught.value.message == "Validation Failed"
    server.reply("GET", "/repos/acme/app/issues/1", 401, json={"message": "Bad credentials"})
    with pytest.raises(TrackerError) as caught:
        github(server).fetch("1")
    assert (caught.value.status, caught.value.message) == (401, "Bad credentials")


def test_a_tracker_on_a_private_address_is_refused_without_the_admins_allowance(
    server: FakeServer,
) -> None:
    with pytest.raises(TrackerError) as caught:
        github(server, Client()).create(EVIDENCE)
    assert caught.value.code == "refused_address"
    assert server.requests == []


# --- Evidence ------------------------------------------------------------------------------


def test_quotes_are_scrubbed() -> None:
    text = (
        "Hi @acme_help, Maya here. Checkout hangs at payment, see "
        "https://shop.example/cart or call +44 20 7946 0958.\n"
        "Write to maya.okafor@shop.example\n> earlier mail\nThanks,\nMaya Okafor"
    )
    assert scrub(text, {"Maya Okafor", "Maya", "Okafor"}) == (
        "Hi [handle], [name] here. Checkout hangs at payment, see [link] or call [number]. "
        "Write to [email]"
    )


def test_weekly_counts_run_oldest_first() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
    counts = {date(2026, 11, 23): 2, date(2026, 11, 2): 1, date(2026, 6, 1): 9}
    weekly = weekly_counts(counts, now, weeks=4)
    assert [monday.isoformat() for monday, _n in weekly] == [
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
    ]
    assert [n for _monday, n in weekly] == [1, 0, 0, 2]


# --- The desk: push, push again, poll ------------------------------------------------------


@pytest.fixture
def key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ENCRYPTION_KEY = Fernet.generate_key().decode()


def _destination(
    server: FakeServer, kind: str = "github", mailbox=None, include_quotes: bool = False
) -> TrackerDestination:  # type: ignore[no-untyped-def]
    project = "acme/app" if kind == "github" else "CD"
    destination = TrackerDestination(
        name=f"{kind} tracker",
        kind=kind,
        mailbox=mailbox,
        base_url=server.url,
        project=project,
        account="pm@acme.example",
        include_quotes=include_quotes,
        allow_private_host=True,
    )
    return do_save_destination(destination, token="s3cret-token")


def _problem(desk: Desk) -> Problem:
    desk.customer.monthly_revenue = Decimal("49.00")
    desk.customer.plan = "Pro"
    desk.customer.save()
    problem = do_create_problem(
        desk.alice, "Checkout times out", conversation=desk.conversation, owner=desk.bob
    )
    later = receive(
        desk.support,
        "lee@cafe.example",
        "Card payments spin forever since Monday.",
        name="Lee Chan",
    )
    do_link_problem(problem, later.conversation, desk.alice)
    do_link_problem(problem, desk.billing_conversation, desk.charlie)
    return problem


@pytest.mark.django_db
def test_push_creates_then_comments_and_the_token_is_stored_encrypted(
    desk: Desk, server: FakeServer, key: None
) -> None:
    destination = _destination(server, mailbox=desk.support)
    assert "s3cret-token" not in destination.token_encrypted
    problem = _problem(desk)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    server.reply("POST", "/repos/acme/app/issues/42/comments", 201, json={"id": 5})
    link = do_push_problem(problem, destination, desk.alice, client=local_client())
    assert (link.external_id, link.url, link.state, link.pushes) == (
        "42",
        "https://github.com/acme/app/issues/42",
        LinkState.OPEN,
        1,
    )
    [created] = server.requests
    assert created.headers["authorization"] == "Bearer s3cret-token"
    body = created.json()["body"]
    # The Support mailbox's destination: Support's two customers, not Billing's Omar.
    assert "2 customers affected, in 2 conversations" in body
    assert "Monthly revenue at stake: 49.00 USD" in body and "Plans: Pro (1)" in body
    for private in ("Maya", "Okafor", "maya@shop.example", "Lee", "lee@cafe.example", "Omar"):
        assert private not in created.body.decode()
    assert "customers' words" not in body and "spin forever" not in body
    again = do_push_problem(problem, destination, desk.bob, client=local_client())
    assert (again.pk, again.pushes, again.pushed_by_id) == (link.pk, 2, desk.bob.pk)
    assert [r.path for r in server.requests] == [
        "/repos/acme/app/issues",
        "/repos/acme/app/issues/42/comments",
    ]
    assert TrackerLink.objects.count() == 1


@pytest.mark.django_db
def test_quotes_go_only_when_the_admin_switched_them_on(
    desk: Desk, server: FakeServer, key: None
) -> None:
    destination = _destination(server, kind="jira", include_quotes=True)
    server.reply("POST", "/rest/api/3/issue", 201, json=JIRA_CREATED)
    do_push_problem(_problem(desk), destination, desk.admin, client=local_client())
    sent = server.requests[0].body.decode()
    assert "Card payments spin forever since Monday." in sent
    assert "I was charged twice for October." in sent  # the team's destination: every mailbox
    for private in ("Maya", "Okafor", "maya@shop.example", "Lee Chan", "omar@books.example"):
        assert private not in sent


@pytest.mark.django_db
def test_a_refused_push_says_why_and_a_later_push_creates(
    desk: Desk, server: FakeServer, key: None
) -> None:
    destination = _destination(server)
    problem = _problem(desk)
    server.reply("POST", "/repos/acme/app/issues", 401, json={"message": "Bad credentials"})
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    with pytest.raises(PushError) as caught:
        do_push_problem(problem, destination, desk.admin, client=local_client())
    assert "Bad credentials" in caught.value.message
    link = TrackerLink.objects.get()
    assert (link.external_id, link.claimed_at, link.last_error) == (
        "",
        None,
        "http_status: Bad credentials",
    )
    assert do_push_problem(problem, destination, desk.admin, client=local_client()).pushes == 1
    assert TrackerLink.objects.get().last_error == ""


@pytest.mark.django_db
def test_only_the_destinations_people_may_push(desk: Desk, server: FakeServer, key: None) -> None:
    support = _destination(server, mailbox=desk.support)
    team = _destination(server, kind="jira")
    problem = _problem(desk)
    for user, destination in ((desk.charlie, support), (desk.alice, team)):
        with pytest.raises(PushError) as caught:
            do_push_problem(problem, destination, user, client=local_client())
        assert caught.value.code == "not_allowed"
    assert server.requests == []


@pytest.mark.django_db
def test_a_closed_issue_marks_the_problem_fixed_and_tells_the_agents(
    desk: Desk, server: FakeServer, key: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the job builds its own client
    destination = _destination(server, kind="jira")
    problem = _problem(desk)
    server.reply("POST", "/rest/api/3/issue", 201, json=JIRA_CREATED)
    do_push_problem(problem, destination, desk.admin, client=local_client())
    status = "/rest/api/3/issue/CD-7?fields=status"
    server.reply(
        "GET", status, 200, json={"fields": {"status": {"statusCategory": {"key": "new"}}}}
    )
    server.reply(
        "GET", status, 200, json={"fields": {"status": {"statusCategory": {"key": "done"}}}}
    )
    now = timezone.now()
    assert poll_trackers(now) == 0
    assert Problem.objects.get().status == ProblemStatus.OPEN
    assert poll_trackers(now + timedelta(minutes=10)) == 1
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FIXED and problem.fixed_at is not None
    link = TrackerLink.objects.get()
    assert (link.state, link.closed_at) == (LinkState.CLOSED, now + timedelta(minutes=10))
    told = Notification.objects.filter(title__contains="CD-7")
    # bob owns it, alice and charlie linked conversations; the admin only pushed.
    assert sorted(n.recipient.username for n in told) == ["alice", "bob", "charlie"]
    assert "the problem is fixed" in told[0].title
    # Closed links are not asked again.
    assert poll_trackers(now + timedelta(minutes=20)) == 0
    assert len(server.seen("GET")) == 2


@pytest.mark.django_db
def test_a_failing_poll_is_recorded_and_tried_next_time(
    desk: Desk, server: FakeServer, key: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    destination = _destination(server)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    do_push_problem(_problem(desk), destination, desk.admin, client=local_client())
    server.reply("GET", "/repos/acme/app/issues/42", 404, json={"message": "Not Found"})
    assert poll_trackers(timezone.now()) == 0
    link = TrackerLink.objects.get()
    assert (link.state, link.last_error) == (LinkState.OPEN, "http_status: Not Found")
    assert Customer.objects.filter(erased_at=None).count() == 3


# --- The pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_adds_a_tracker_and_its_token_is_never_shown(desk: Desk, key: None) -> None:
    admin = desk.client_for(desk.admin)
    page = admin.get("/trackers/").content.decode()
    assert "Erasing a customer later cannot recall what was already pushed." in page
    form = {
        "name": "Product",
        "kind": "github",
        "mailbox": desk.support.pk,
        "base_url": "https://api.github.com",
        "project": "acme",
        "issue_type": "",
        "account": "",
        "token": "github_pat_abc123",
        "enabled": "on",
    }
    refused = admin.post("/trackers/add/", form)
    assert refused.status_code == 400
    assert "Write it as owner/repository." in refused.content.decode()
    assert admin.post("/trackers/add/", {**form, "project": "acme/app"}).status_code == 302
    destination = TrackerDestination.objects.get()
    assert not destination.include_quotes  # off unless the admin says so
    assert destination.token_encrypted and "github_pat_abc123" not in destination.token_encrypted
    edit = admin.get(f"/trackers/{destination.pk}/").content.decode()
    assert "github_pat_abc123" not in edit and destination.token_encrypted not in edit
    # Saved again without a token: the stored one stays.
    kept = {**form, "project": "acme/web", "token": ""}
    assert admin.post(f"/trackers/{destination.pk}/", kept).status_code == 302
    destination.refresh_from_db()
    assert destination.project == "acme/web"
    from calmdesk.problems.tracker_actions import target_of

    assert target_of(destination).token == "github_pat_abc123"


@pytest.mark.django_db
def test_an_agent_pushes_from_the_problem_and_sees_the_issue(
    desk: Desk, server: FakeServer, key: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    destination = _destination(server, mailbox=desk.support)
    problem = _problem(desk)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    alice = desk.client_for(desk.alice)
    page = alice.get(f"/problems/{problem.pk}/").content.decode()
    assert f'hx-get="/problems/{problem.pk}/trackers/"' in page  # the box loads itself
    box = alice.get(f"/problems/{problem.pk}/trackers/", headers={"HX-Request": "true"})
    assert "Push with evidence" in box.content.decode()
    assert "<html" not in box.content.decode()
    pushed = alice.post(f"/problems/{problem.pk}/push/", {"destination": destination.pk})
    assert pushed["Location"] == f"/problems/{problem.pk}/"
    page = alice.get(f"/problems/{problem.pk}/trackers/").content.decode()
    assert 'href="https://github.com/acme/app/issues/42"' in page
    # charlie works in Billing: the Support destination is not his to push to.
    charlie = desk.client_for(desk.charlie)
    refused = charlie.post(f"/problems/{problem.pk}/push/", {"destination": destination.pk})
    assert refused.status_code == 404
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_a_github_issue_closed_as_a_duplicate_fixes_nothing(
    desk: Desk, server: FakeServer, key: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    destination = _destination(server)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    problem = _problem(desk)
    do_push_problem(problem, destination, desk.admin, client=local_client())
    closed = {**GITHUB_CREATED, "state": "closed", "state_reason": "duplicate"}
    server.reply("GET", "/repos/acme/app/issues/42", 200, json=closed)
    assert poll_trackers(timezone.now()) == 1
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN
    assert TrackerLink.objects.get().state == LinkState.CLOSED
    [told] = Notification.objects.filter(recipient=desk.bob)
    assert "as a duplicate: the problem stays open" in told.title


@pytest.mark.django_db
def test_a_push_already_creating_the_issue_is_not_doubled(
    desk: Desk, server: FakeServer, key: None
) -> None:
    destination = _destination(server)
    problem = _problem(desk)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    now = timezone.now()
    TrackerLink.objects.create(problem=problem, destination=destination, claimed_at=now)
    with pytest.raises(PushError) as caught:
        do_push_problem(problem, destination, desk.admin, now=now, client=local_client())
    assert caught.value.code == "in_progress"
    assert server.requests == []
    # A claim whose push died is free again after its lease.
    later = now + timedelta(minutes=6)
    link = do_push_problem(problem, destination, desk.admin, now=later, client=local_client())
    assert (link.external_id, link.claimed_at) == ("42", None)
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_a_tracker_that_is_away_is_asked_once_per_run(
    desk: Desk, server: FakeServer, key: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    destination = _destination(server)
    for n in (42, 43):
        server.reply("POST", "/repos/acme/app/issues", 201, json={**GITHUB_CREATED, "number": n})
    for n in (42, 43):
        problem = do_create_problem(desk.alice, f"Problem {n}", conversation=desk.conversation)
        do_push_problem(problem, destination, desk.admin, client=local_client())
    server.reply("GET", "/repos/acme/app/issues/42", 502, body=b"Bad gateway")
    server.reply("GET", "/repos/acme/app/issues/43", 502, body=b"Bad gateway")
    assert poll_trackers(timezone.now()) == 0
    # The first issue's GET and its one retry; the second issue waits for the next run.
    assert [r.path for r in server.seen("GET")] == ["/repos/acme/app/issues/42"] * 2
    errors = dict(TrackerLink.objects.values_list("external_id", "last_error"))
    assert errors == {"42": "http_status: HTTP 502", "43": ""}


# --- GitHub's webhook ----------------------------------------------------------------------


def _signed(secret: str, body: bytes) -> str:
    import hashlib
    import hmac

    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_a_signed_github_delivery_closes_the_issue_at_once(
    desk: Desk, server: FakeServer, key: None
) -> None:
    from django.test import Client as DjangoClient

    from calmdesk.problems.tracker_actions import webhook_secret

    destination = _destination(server)
    server.reply("POST", "/repos/acme/app/issues", 201, json=GITHUB_CREATED)
    problem = _problem(desk)
    do_push_problem(problem, destination, desk.admin, client=local_client())
    secret = webhook_secret(destination)
    edit = desk.client_for(desk.admin).get(f"/trackers/{destination.pk}/").content.decode()
    assert secret in edit and f"/trackers/{destination.pk}/github-webhook/" in edit
    url = f"/trackers/{destination.pk}/github-webhook/"
    github = DjangoClient(enforce_csrf_checks=True)  # GitHub has no session and no token
    event = {
        "action": "closed",
        "issue": {"number": 42, "state": "closed", "state_reason": "completed"},
        "repository": {"full_name": "acme/app"},
    }
    body = json.dumps(event).encode()

    def deliver(kind: str, payload: bytes, signature: str):  # type: ignore[no-untyped-def]
        return github.post(
            url,
            payload,
            content_type="application/json",
            headers={"X-GitHub-Event": kind, "X-Hub-Signature-256": signature},
        )

    assert deliver("ping", b'{"zen": "x"}', _signed(secret, b'{"zen": "x"}')).status_code == 204
    assert deliver("issues", body, _signed("guessed", body)).status_code == 403
    assert deliver("issues", body, "").status_code == 403
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN
    assert deliver("issues", body, _signed(secret, body)).status_code == 204
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FIXED
    assert TrackerLink.objects.get().state == LinkState.CLOSED
    assert Notification.objects.filter(recipient=desk.bob, title__contains="(42)").count() == 1
    # Delivered again (GitHub redelivers): nothing more happens.
    assert deliver("issues", body, _signed(secret, body)).status_code == 204
    assert Notification.objects.filter(recipient=desk.bob, title__contains="(42)").count() == 1
    assert server.seen("GET") == []  # no poll was needed
