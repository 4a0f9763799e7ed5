"""Satisfaction ratings: the link below a sent reply, the page behind it (GET records
nothing, POST records one rating per reply, changeable, without sign-in or CSRF cookie),
and where ratings show."""

from __future__ import annotations

import email
import re
import time

from django.core import signing
from django.test import Client
from django.utils import timezone

from calmdesk.desk.models import Message
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.smtp import build_reply
from calmdesk.team.models import Rating, Rollup
from calmdesk.team.ratings import LINK_LIFETIME, SALT, do_set_ratings, token_for
from calmdesk.team.rollups import do_update_rollups, rebuild_all


def _body(message: Message) -> str:
    parsed = email.message_from_bytes(build_reply(message).data)
    return parsed.get_payload(decode=True).decode().replace("\r\n", "\n")


def _links(body: str) -> dict[str, str]:
    return dict(re.findall(r"^(Great|Okay|Not good): (\S+)$", body, re.M))


def test_replies_carry_the_link_only_where_ratings_are_on(desk):
    reply = do_send_reply(desk.conversation, desk.alice, "It works again.")
    assert "How did we do?" not in _body(reply)
    do_set_ratings(desk.support.pk, True)
    links = _links(_body(reply))
    assert set(links) == {"Great", "Okay", "Not good"}
    assert links["Great"].startswith("http") and links["Great"].endswith("?score=great")
    # History brought by an import never asks for a rating.
    Message.objects.filter(pk=reply.pk).update(imported_at=timezone.now())
    reply.refresh_from_db()
    assert "How did we do?" not in _body(reply)


def test_opening_the_link_records_nothing_and_pressing_records_once(desk):
    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    customer = Client(enforce_csrf_checks=True)
    url = f"/rate/{token_for(reply)}/"
    page = customer.get(url + "?score=okay")
    assert page.status_code == 200
    assert 'value="okay" checked' in page.text
    assert not Rating.objects.exists()
    response = customer.post(url, {"score": "great", "comment": "You saved the day"})
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert customer.get(response["Location"]).status_code == 200
    # They change their mind: still one rating, the new one.
    customer.post(url, {"score": "bad", "comment": ""})
    rating = Rating.objects.get()
    assert (rating.reply_id, rating.score, rating.comment) == (reply.pk, "bad", "")
    assert 'value="bad" checked' in customer.get(url).text
    assert customer.post(url, {"score": "excellent"}).status_code == 400


def test_a_forged_or_expired_link_is_refused(desk):
    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    token = token_for(reply)
    customer = Client()
    assert customer.get(f"/rate/{token[:-2]}xx/").status_code == 404
    note_token = signing.dumps({"r": desk.message.pk}, salt=SALT, compress=True)
    assert customer.post(f"/rate/{note_token}/", {"score": "great"}).status_code == 404

    class Then(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - LINK_LIFETIME.total_seconds() - 60))

    old = Then(salt=SALT).sign_object({"r": reply.pk}, compress=True)
    assert customer.post(f"/rate/{old}/", {"score": "great"}).status_code == 404
    assert not Rating.objects.exists()


def test_ratings_feed_the_rollups_and_a_change_moves_the_count(desk):
    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    client = Client()
    client.post(f"/rate/{token_for(reply)}/", {"score": "great"})
    rebuild_all()
    row = Rollup.objects.get(tag_key=0, agent_key=desk.alice.pk, replied=1)
    assert (row.rating_great, row.rating_bad) == (1, 0)
    client.post(f"/rate/{token_for(reply)}/", {"score": "bad"})
    do_update_rollups(timezone.now())  # rebuilt rows: read them again
    row = Rollup.objects.get(tag_key=0, agent_key=desk.alice.pk, replied=1)
    assert (row.rating_great, row.rating_bad) == (0, 1)


def test_the_conversation_shows_its_ratings_to_whoever_works_it(desk):
    url = f"/c/{desk.conversation.pk}/ratings/"
    alice = desk.client_for(desk.alice)
    assert alice.get(url).content == b""  # nothing rated: the box goes away
    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    Client().post(f"/rate/{token_for(reply)}/", {"score": "okay", "comment": "Took a while"})
    box = desk.client_for(desk.bob).get(url)
    assert "Okay" in box.text and "Alice" in box.text and "Took a while" in box.text
    assert desk.client_for(desk.charlie).get(url).status_code == 404


def test_the_replys_agent_sees_how_their_replies_were_rated(desk):
    reply = do_send_reply(desk.conversation, desk.alice, "Refund sent.")
    Client().post(f"/rate/{token_for(reply)}/", {"score": "great", "comment": "So quick!"})
    mine = desk.client_for(desk.alice).get("/team/me/")
    assert ("Great", 1) in mine.context["scores"] and "So quick!" in mine.text
    assert ("Great", 0) in desk.client_for(desk.bob).get("/team/me/").context["scores"]
