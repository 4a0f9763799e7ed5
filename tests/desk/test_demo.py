from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from calmdesk.desk.actions import recount_folders
from calmdesk.desk.demo import texts
from calmdesk.desk.demo.generate import DEMO_PASSWORD, generate
from calmdesk.desk.models import Conversation, Customer, FolderCount, Mailbox, MessageKind, Status
from calmdesk.engine.reading import read_message
from calmdesk.problems.models import AnswerItem, Problem


def _folder_counts() -> dict:
    return {
        (r.mailbox_id, r.status, r.assignee_key): r.count
        for r in FolderCount.objects.all()
        if r.count
    }


def test_the_demo_desk_has_every_status_long_threads_and_consistent_counts(db) -> None:  # type: ignore[no-untyped-def]
    generate(400, seed=3, progress=False)
    assert Mailbox.objects.count() == 3
    assert get_user_model().objects.count() == 5
    by_status = dict(Conversation.objects.values_list("status").annotate(n=Count("id")))
    assert set(by_status) == set(Status.values)
    assert Conversation.objects.filter(message_count__gte=8).exists()
    # Waiting customers are the ones whose last word is theirs.
    for conversation in Conversation.objects.filter(status=Status.ACTIVE)[:50]:
        last = conversation.messages.exclude(kind=MessageKind.NOTE).last()
        assert last.kind == MessageKind.CUSTOMER
        assert conversation.waiting_since is not None
        assert conversation.message_count == conversation.messages.count()
    kept = _folder_counts()
    recount_folders()
    assert kept == _folder_counts()


def test_the_same_seed_writes_the_same_words(db) -> None:  # type: ignore[no-untyped-def]
    generate(30, seed=11, progress=False)
    first = list(Conversation.objects.order_by("id").values_list("subject", flat=True))
    Conversation.objects.all().delete()
    Customer.objects.all().delete()
    generate(30, seed=11, progress=False)
    second = list(Conversation.objects.order_by("id").values_list("subject", flat=True))
    assert first == second


def test_the_demo_login_opens_the_inbox(db, client) -> None:  # type: ignore[no-untyped-def]
    generate(20, seed=5, progress=False)
    response = client.post(
        reverse("login"), {"username": "demo", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["conversations"]


# The illusion rules (issue 12): a demo thread must read as one real conversation.
STORIES = [(scenario, story) for scenario in texts.SCENARIOS for story in scenario.stories]
SAMPLE_VALUES = {
    "name": "Maya",
    "full_name": "Maya Silva",
    "agent": "Bob",
    "colleague": "Alice",
    "version": "4.2.1",
    "browser": "Edge 131",
    "order": "1234",
    "order2": "5678",
    "amount": "$49.00",
    "course": "Spanish B1",
    "domain": "shop.example",
    "company": "Fable Books",
    "shop": "maya",
}


def _pattern(template: str) -> re.Pattern[str]:
    """A story's line as it may be filled in: each placeholder matches any text."""
    parts = re.split(r"\{(\w+)\}", template.replace("{{", "{").replace("}}", "}"))
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else ".+?" for i, part in enumerate(parts))
    )


def test_each_body_and_subject_belongs_to_one_story() -> None:
    bodies = Counter(text for _s, story in STORIES for text in (*story.turns, *story.closing))
    subjects = Counter(story.subject for _s, story in STORIES)
    assert [body for body, n in bodies.items() if n > 1] == []
    assert [subject for subject, n in subjects.items() if n > 1] == []
    # Every story ends with the agent's answer, so a closed thread never ends unanswered.
    assert all(len(story.turns) % 2 == 0 for _s, story in STORIES)


@pytest.mark.parametrize(
    "story", [story for _s, story in STORIES], ids=[story.subject for _s, story in STORIES]
)
def test_a_story_is_written_in_its_language(story: texts.Story) -> None:
    for text in (*story.turns, *story.closing, *texts.CHASERS[story.language]):
        assert read_message(text.format_map(SAMPLE_VALUES)).language == story.language, text
    for greeting in filter(None, texts.GREETINGS[story.language]):
        assert read_message(greeting).language == story.language


def test_demo_threads_read_as_one_conversation_each(db) -> None:  # type: ignore[no-untyped-def]
    generate(300, seed=9, progress=False)
    by_subject = [(_pattern(story.subject), story) for _s, story in STORIES]
    greetings = {g: lang for lang, gs in texts.GREETINGS.items() for g in gs if g}
    conversations = Conversation.objects.exclude(status=Status.SPAM).prefetch_related("messages")
    # The fixed problem's answer to everyone (calmdesk/desk/demo/problems.py) is no story line.
    answered_all = set(AnswerItem.objects.values_list("reply_id", flat=True))
    assert answered_all and 8 <= Problem.objects.count() <= 12
    assert Problem.objects.filter(status="fixed").count() == 1
    for conversation in conversations:
        story = next(s for p, s in by_subject if p.fullmatch(conversation.subject))
        said = [
            m
            for m in conversation.messages.all()
            if m.kind != MessageKind.NOTE and m.pk not in answered_all
        ]
        last_words = [*story.closing, *texts.CHASERS[story.language]]
        told = len(said)
        if told > len(story.turns) or not _pattern(story.turns[told - 1]).search(
            said[-1].body_text
        ):
            # The customer's last word: a thank-you on a closed thread, a nudge on a waiting one.
            assert any(_pattern(w).search(said[-1].body_text) for w in last_words)
            told -= 1
        assert told <= len(story.turns)
        for message, turn in zip(said[:told], story.turns, strict=False):
            # Each message is the story's next line: a reply answers the message before it.
            assert _pattern(turn).search(message.body_text), (conversation.subject, turn)
        lines = said[0].body_text.splitlines()
        assert greetings.get(lines[0], story.language) == story.language
        for message in said:
            last = message.body_text.splitlines()[-1]
            assert not re.search(r"(^|[\s,—])there$", last), message.body_text  # "Best, there"
            if message.kind == MessageKind.REPLY:
                assert read_message(message.body_text).language == story.language
