from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from calmdesk.desk.actions import recount_folders
from calmdesk.desk.demo.generate import DEMO_PASSWORD, generate
from calmdesk.desk.models import Conversation, Customer, FolderCount, Mailbox, MessageKind, Status


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
