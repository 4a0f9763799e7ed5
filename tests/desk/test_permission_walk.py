"""Every URL of the project, requested as six people: anonymous, charlie (an agent of
another mailbox), alice (an agent of the mailbox), bob (her teammate), dave (a lead) and
an admin. A URL that nobody listed
here fails the suite, so a new view cannot ship without saying who may see it.

To add your URL: add a row to ROUTES with the statuses you expect. ``kwargs`` and
``data`` receive the ``desk`` fixture (tests/desk/conftest.py) and may create what the
URL needs. A row whose name ends in ``:*`` covers a whole namespace (Django admin)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calmdesk.accounts.invites import do_invite
from calmdesk.accounts.models import NotificationKind, Role
from calmdesk.accounts.notify import do_notify
from calmdesk.desk.actions import do_add_tag
from calmdesk.desk.merge import do_merge_conversations
from calmdesk.desk.models import Conversation
from calmdesk.mail.actions import do_send_reply

from .conftest import Desk, receive


def _none(desk: Desk) -> dict:
    return {}


def _conversation(desk: Desk) -> dict:
    return {"pk": desk.conversation.pk}


def _customer(desk: Desk) -> dict:
    return {"pk": desk.customer.pk}


def _scheduled_reply(desk: Desk) -> dict:
    reply = do_send_reply(desk.conversation, desk.alice, "On it.")
    return {"pk": desk.conversation.pk, "message_pk": reply.pk}


def _saved_reply(desk: Desk) -> dict:
    from calmdesk.desk.models import SavedReply

    saved = SavedReply.objects.create(title="Hello", body="Hi {customer.first_name},")
    return {"reply": saved.pk}


def _second_thread(desk: Desk) -> dict:
    """Maya's second conversation, to merge into her first."""
    second = receive(desk.support, "maya@shop.example", "Still broken.", "Cart").conversation
    return {"pk": second.pk}


def _merged_thread(desk: Desk) -> dict:
    """Maya's second conversation, merged into her first a moment ago (undoable)."""
    kwargs = _second_thread(desk)
    second = Conversation.objects.get(pk=kwargs["pk"])
    do_merge_conversations(second, desk.conversation, desk.admin)
    return kwargs


def _tag(desk: Desk) -> dict:
    tag = do_add_tag(desk.conversation, desk.bob, "checkout")
    return {"pk": desk.conversation.pk, "tag_pk": tag.pk}


def _send_state(desk: Desk) -> dict:
    return {"message_pk": do_send_reply(desk.conversation, desk.alice, "On it.").pk}


def _inline_image(desk: Desk) -> dict:
    from calmdesk.mail.ingest import ingest_raw, inline_path

    raw = (
        b"From: Maya <maya@customer.example>\r\nSubject: Screenshot\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="r"\r\n\r\n--r\r\n'
        b'Content-Type: text/html\r\n\r\n<img src="cid:s1">\r\n--r\r\n'
        b"Content-Type: image/png\r\nContent-ID: <s1>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n"
    )
    key = ingest_raw(raw, desk.support).message.inbound.key
    return {"key": key, "digest": inline_path(key, "s1").rstrip("/").rpartition("/")[2]}


def _alices_notification(desk: Desk) -> dict:
    (note,) = do_notify([desk.alice], NotificationKind.SYSTEM, "For alice only")
    return {"pk": note.pk}


def _invite(desk: Desk) -> dict:
    _made, link = do_invite(desk.admin, email="new@desk.example", role=Role.AGENT)
    return {"token": link.rstrip("/").rpartition("/")[2]}


def _tracker_problem(desk: Desk) -> dict:
    from calmdesk.problems.actions import do_create_problem

    problem = do_create_problem(desk.alice, "Checkout times out", conversation=desk.conversation)
    return {"pk": problem.pk}


def _github_tracker(desk: Desk) -> dict:
    from calmdesk.problems.tracker_actions import do_save_destination
    from calmdesk.problems.tracker_models import TrackerDestination

    destination = TrackerDestination(
        name="GitHub", kind="github", base_url="https://api.github.com", project="acme/app"
    )
    return {"pk": do_save_destination(destination).pk}


def _tracker(desk: Desk) -> dict:
    """A Support destination on a loopback address nobody allowed: a push is refused at
    once, with no connection made."""
    from calmdesk.problems.tracker_actions import do_save_destination
    from calmdesk.problems.tracker_models import TrackerDestination

    destination = TrackerDestination(
        name="Jira", kind="jira", mailbox=desk.support, base_url="https://127.0.0.1:9"
    )
    destination.project, destination.account = "CD", "pm@desk.example"
    return {"pk": do_save_destination(destination).pk}


def _rating_link(desk: Desk) -> dict:
    from calmdesk.team.ratings import do_rate, token_for

    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    do_rate(reply, "great")
    return {"token": token_for(reply)}


def _support_problem(desk: Desk) -> dict:
    """A problem linked to Maya's Support conversation: charlie (Billing) sees none."""
    from calmdesk.problems.actions import do_create_problem, do_set_problem_status

    problem = do_create_problem(desk.alice, "Checkout times out", conversation=desk.conversation)
    do_set_problem_status(problem, desk.alice, "fixed")
    return {"pk": problem.pk}


def _problem_link(desk: Desk) -> dict:
    return {"pk": desk.conversation.pk, "problem_pk": _support_problem(desk)["pk"]}


def _answer_batch(desk: Desk) -> dict:
    """Alice's answer-all batch, drafted: only she sees, sends or undoes it."""
    from calmdesk.problems.answer import do_draft_answers
    from calmdesk.problems.models import Problem

    pk = _support_problem(desk)["pk"]
    batch = do_draft_answers(Problem.objects.get(pk=pk), desk.alice, "Fixed.", mailbox_ids=None)
    return {"pk": pk, "batch_pk": batch.pk}


def _answer_item(desk: Desk) -> dict:
    found = _answer_batch(desk)
    from calmdesk.problems.models import AnswerBatch

    item = AnswerBatch.objects.get(pk=found["batch_pk"]).items.get()
    return {**found, "item_pk": item.pk}


def _alices_view(desk: Desk) -> dict:
    from calmdesk.desk.saved_views import do_save_view

    return {"pk": do_save_view(desk.alice, "Waiting", "status:pending").pk}


def _alices_token(desk: Desk) -> dict:
    from calmdesk.api.tokens import do_create_token

    return {"pk": do_create_token(desk.alice, "ci", "read").token.pk}


def _alices_thanks(desk: Desk) -> dict:
    from calmdesk.team.models import Thanks

    thanks = Thanks.objects.create(
        message=desk.message,
        conversation=desk.conversation,
        agent=desk.alice,
        quote="Thank you!",
        received_at=desk.message.created_at,
    )
    return {"pk": thanks.pk}


@dataclass(frozen=True)
class Route:
    method: str = "get"
    kwargs: Callable[[Desk], dict] = _none
    data: Callable[[Desk], dict] = _none
    anonymous: int = 302  # to the sign-in page
    stranger: int = 404  # charlie: another mailbox's data does not exist for him
    agent: int = 200  # alice
    admin: int = 200
    teammate: int | None = None  # bob; None: as alice
    lead: int | None = None  # dave, who works in every mailbox; None: as the admin
    name: str = ""  # the URL name to request, for a namespace row
    notes: list[str] = field(default_factory=list)


CHANGE = {"method": "post", "kwargs": _conversation, "agent": 302, "admin": 302}

ROUTES: dict[str, Route] = {
    "login": Route(anonymous=200, stranger=200),
    "logout": Route(method="post", stranger=302, agent=302, admin=302),
    "inbox": Route(stranger=200),
    "preferences": Route(stranger=200),
    "notifications": Route(stranger=200),
    "notifications_read": Route(method="post", stranger=302, agent=302, admin=302),
    # One person's notification is nobody else's.
    "notification_open": Route(
        method="post", kwargs=_alices_notification, agent=302, teammate=404, admin=404
    ),
    # Inviting people is for admins.
    "people": Route(stranger=403, agent=403, lead=403),
    "people_invite": Route(
        method="post",
        data=lambda d: {"email": "new@desk.example", "role": "agent"},
        stranger=403,
        agent=403,
        lead=403,
        admin=302,
    ),
    "people_role": Route(
        method="post",
        kwargs=lambda d: {"pk": d.bob.agent.pk},
        data=lambda d: {"role": "lead"},
        stranger=403,
        agent=403,
        lead=403,
        admin=302,
    ),
    # An admin resets someone's two-factor sign-in (a lost phone).
    "people_two_factor_reset": Route(
        method="post",
        kwargs=lambda d: {"pk": d.bob.agent.pk},
        stranger=403,
        agent=403,
        lead=403,
        admin=302,
    ),
    # The code step after the password: without a password step just passed, back to it.
    "two_factor_verify": Route(stranger=302, agent=302, admin=302),
    # Each person's own two-factor sign-in (without one being set up, confirm and off
    # send back to the setup page).
    "two_factor_setup": Route(stranger=200),
    "two_factor_confirm": Route(
        method="post", data=lambda d: {"code": "123456"}, stranger=302, agent=302, admin=302
    ),
    "two_factor_codes": Route(
        method="post", data=lambda d: {"code": "123456"}, stranger=302, agent=302, admin=302
    ),
    "two_factor_off": Route(
        method="post", data=lambda d: {"code": "123456"}, stranger=302, agent=302, admin=302
    ),
    # Open to whoever holds the link (signed in or not).
    "invite_accept": Route(kwargs=_invite, anonymous=200, stranger=200),
    "password_reset": Route(anonymous=200, stranger=200),
    "password_reset_done": Route(anonymous=200, stranger=200),
    "password_reset_confirm": Route(
        kwargs=lambda d: {"uidb64": "MQ", "token": "made-up"}, anonymous=200, stranger=200
    ),
    "password_reset_complete": Route(anonymous=200, stranger=200),
    "search": Route(data=lambda d: {"q": "checkout"}, stranger=200),
    "conversation": Route(kwargs=_conversation),
    "conversation_reply": Route(
        **CHANGE, data=lambda d: {"body": "Thanks, Maya.", "seen_up_to": d.message.pk}
    ),
    "conversation_undo": Route(method="post", kwargs=_scheduled_reply, agent=302, admin=302),
    "conversation_note": Route(**CHANGE, data=lambda d: {"body": "Looks like ENG-12."}),
    "conversation_forward": Route(**CHANGE, data=lambda d: {"to": "dev@vendor.example"}),
    # Everyone writes first from their own mailboxes (charlie from Billing).
    "conversation_new": Route(stranger=200),
    "conversation_new_coach": Route(
        method="post", data=lambda d: {"body": "Hello there."}, stranger=200
    ),
    # Saved views are their owner's alone: anyone else's is a 404.
    "saved_views": Route(stranger=200),
    "saved_view_save": Route(
        method="post",
        data=lambda d: {"name": "Pending", "query": "status:pending"},
        stranger=302,
        agent=302,
        admin=302,
    ),
    "saved_view_rename": Route(
        method="post",
        kwargs=_alices_view,
        data=lambda d: {"name": "Theirs"},
        agent=302,
        teammate=404,
        admin=404,
    ),
    "saved_view_delete": Route(
        method="post", kwargs=_alices_view, agent=302, teammate=404, admin=404
    ),
    # A saved reply filled in for the conversation: for whoever works it.
    "conversation_saved_reply": Route(kwargs=_conversation, data=_saved_reply),
    # The conversation page's poll (its pulse): as the page.
    "conversation_pulse": Route(kwargs=_conversation),
    "conversation_status": Route(**CHANGE, data=lambda d: {"status": "pending"}),
    "conversation_assign": Route(**CHANGE, data=lambda d: {"assignee": d.bob.pk}),
    "conversation_snooze": Route(**CHANGE, data=lambda d: {"choice": "tomorrow"}),
    "conversation_unsnooze": Route(**CHANGE),
    # Merging and its undo: whoever works both conversations.
    "conversation_merge": Route(
        **{**CHANGE, "kwargs": _second_thread}, data=lambda d: {"into": d.conversation.pk}
    ),
    "conversation_unmerge": Route(**{**CHANGE, "kwargs": _merged_thread}),
    # Bulk actions on inbox rows: a row the agent may not see refuses the request (404).
    "bulk": Route(
        method="post",
        data=lambda d: {"c": [d.conversation.pk], "status": "pending"},
        agent=302,
        admin=302,
    ),
    "conversation_tag_add": Route(**CHANGE, data=lambda d: {"name": "outage"}),
    "conversation_tag_remove": Route(method="post", kwargs=_tag, agent=302, admin=302),
    "customer": Route(kwargs=_customer),
    "customer_notes": Route(
        method="post", kwargs=_customer, data=lambda d: {"notes": "VIP"}, agent=302, admin=302
    ),
    "customer_merge": Route(
        method="post",
        kwargs=_customer,
        data=lambda d: {"email": "nobody@else.example"},
        agent=302,
        admin=302,
    ),
    # Erasing is for admins: alice may see the customer but not erase them.
    "customer_erase": Route(method="post", kwargs=_customer, agent=403, lead=403, admin=302),
    "attachment": Route(kwargs=lambda d: {"pk": d.attachment.pk}),
    "message_text": Route(kwargs=lambda d: {"pk": d.message.pk}),
    "mail_send_state": Route(kwargs=_send_state),
    "mail_inline": Route(kwargs=_inline_image),
    # Anyone who works the conversation may send a stuck reply again.
    "mail_retry": Route(method="post", kwargs=_send_state, agent=302, admin=302),
    # Only while the demo's catcher runs (off here: tests/mail/test_catcher.py turns it on
    # and walks admin, lead and agent); then admins and leads only.
    "mail_caught": Route(stranger=403, agent=403, lead=403, admin=403),
    "conversation_coach": Route(
        method="post", kwargs=_conversation, data=lambda d: {"body": "This is not our fault."}
    ),
    "conversation_coach_dismiss": Route(
        method="post", kwargs=_conversation, data=lambda d: {"code": "CD101"}
    ),
    "conversation_reproduction": Route(**CHANGE, data=lambda d: {"state": "reproduced"}),
    "conversation_call": Route(**CHANGE, data=lambda d: {"summary": "Walked through checkout"}),
    # Reports: everyone signed in; an agent sees their own figures (tests/team).
    "reports": Route(stranger=200),
    "reports_csv": Route(stranger=200),
    # Team health: leads and admins see the team; everyone their own day and the wall.
    "team": Route(stranger=403, agent=403),
    "team_me": Route(stranger=200),
    # One's own choice of the weekly thanks mail: everyone signed in, for themselves.
    "team_settings": Route(
        method="post", data=lambda d: {"thanks_digest": "0"}, stranger=302, agent=302, admin=302
    ),
    "team_wall": Route(stranger=200),
    # Only the person thanked shares their thanks; to anyone else it does not exist.
    "team_pin": Route(
        method="post",
        kwargs=_alices_thanks,
        data=lambda d: {"pinned": "1"},
        agent=302,
        teammate=404,
        admin=404,
    ),
    # Loads beside the assignee picker: for whoever works the conversation.
    "team_loads": Route(kwargs=_conversation),
    # How the customer rated the conversation's replies: for whoever works it.
    "conversation_ratings": Route(kwargs=_conversation),
    # The customer's rating page: the signed link is the credential, no sign-in.
    "rate": Route(kwargs=_rating_link, anonymous=200, stranger=200),
    "rate_thanks": Route(kwargs=_rating_link, anonymous=200, stranger=200),
    # Django admin: staff only; everyone else is sent to its sign-in page.
    # Issue trackers: admins set them up; whoever sees a problem may push it to a
    # destination of their mailbox (this one refuses the loopback address: back with why).
    "trackers": Route(stranger=403, agent=403, lead=403),
    "tracker_add": Route(method="post", stranger=403, agent=403, lead=403, admin=400),
    "tracker_edit": Route(kwargs=_tracker, stranger=403, agent=403, lead=403),
    "tracker_delete": Route(
        method="post", kwargs=_tracker, stranger=403, agent=403, lead=403, admin=302
    ),
    "problem_trackers": Route(kwargs=_tracker_problem),
    # GitHub's webhook: no session opens it, only the signature (none here: 403 for all).
    "tracker_github_webhook": Route(
        method="post",
        kwargs=_github_tracker,
        anonymous=403,
        stranger=403,
        agent=403,
        admin=403,
    ),
    "problem_push": Route(
        method="post",
        kwargs=_tracker_problem,
        data=lambda d: {"destination": _tracker(d)["pk"]},
        agent=302,
        admin=302,
    ),
    # Problems: the team's, so everyone signed in has the list and the report (counted
    # over their own mailboxes); a problem linked only elsewhere is a 404, as its
    # conversations are. Answer-all batches are their author's alone.
    "problems": Route(stranger=200),
    "problem_report": Route(stranger=200),
    "problem_create": Route(
        method="post", data=lambda d: {"title": "Export"}, stranger=302, agent=302, admin=302
    ),
    "problem": Route(kwargs=_support_problem),
    "problem_own_words": Route(kwargs=_support_problem),
    "problem_status": Route(
        method="post",
        kwargs=_support_problem,
        data=lambda d: {"status": "planned"},
        agent=302,
        admin=302,
    ),
    "problem_edit": Route(
        method="post",
        kwargs=_support_problem,
        data=lambda d: {"title": "Checkout times out at night", "kind": "bug"},
        agent=302,
        admin=302,
    ),
    "problem_answer": Route(kwargs=_support_problem),
    "problem_answer_batch": Route(kwargs=_answer_batch, teammate=404, lead=404, admin=404),
    "problem_answer_send": Route(
        method="post", kwargs=_answer_batch, agent=302, teammate=404, lead=404, admin=404
    ),
    "problem_answer_undo": Route(
        method="post", kwargs=_answer_batch, agent=302, teammate=404, lead=404, admin=404
    ),
    "problem_answer_undo_one": Route(
        method="post", kwargs=_answer_item, agent=302, teammate=404, lead=404, admin=404
    ),
    "conversation_problems": Route(kwargs=_conversation),
    "conversation_problem_link": Route(
        **CHANGE, data=lambda d: {"problem": _support_problem(d)["pk"]}
    ),
    "conversation_problem_create": Route(**CHANGE, data=lambda d: {"title": "Export fails"}),
    "conversation_problem_unlink": Route(method="post", kwargs=_problem_link, agent=302, admin=302),
    # API tokens: one's own page; only the owner or an admin revokes one.
    "api_tokens": Route(stranger=200),
    "api_token_revoke": Route(
        method="post", kwargs=_alices_token, agent=302, teammate=404, lead=404, admin=302
    ),
    # The API authenticates by token (tests/api/test_routes.py walks every route with
    # each persona's token); its schema and docs are public, as a session is no token.
    "api:*": Route(name="api:openapi-json", anonymous=200, stranger=200),
    "admin:*": Route(name="admin:index", stranger=302, agent=302),
}


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name or f'<{pattern.pattern}>'}")

    walk(get_resolver().url_patterns, "")
    return names


def _listed(name: str) -> bool:
    return name in ROUTES or any(key.endswith(":*") and name.startswith(key[:-1]) for key in ROUTES)


def test_every_url_is_in_the_walk() -> None:
    missing = sorted(name for name in _all_url_names() if not _listed(name))
    assert not missing, f"URLs with no row in ROUTES (say who may see them): {missing}"


PERSONAS = ("anonymous", "stranger", "agent", "teammate", "lead", "admin")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route_name", sorted(ROUTES))
def test_walk(desk: Desk, route_name: str, persona: str) -> None:
    route = ROUTES[route_name]
    client = Client()
    user = {
        "anonymous": None,
        "stranger": desk.charlie,
        "agent": desk.alice,
        "teammate": desk.bob,
        "lead": desk.dave,
        "admin": desk.admin,
    }
    if user[persona] is not None:
        client.force_login(user[persona])
    url = reverse(route.name or route_name, kwargs=route.kwargs(desk) or None)
    response = getattr(client, route.method)(url, route.data(desk))
    expected = getattr(route, persona)
    if expected is None:
        expected = route.agent if persona == "teammate" else route.admin
    assert response.status_code == expected, (
        f"{route.method.upper()} {url} as {persona}: {response.status_code}, expected {expected}"
    )
    if persona == "stranger" and expected == 404:
        # Not a hint: nothing of the conversation or the customer in the page.
        body = response.content.decode(errors="replace")
        assert "Maya" not in body and "Checkout broken" not in body
    if persona == "anonymous" and expected == 302:
        assert "/login/" in response["Location"]
