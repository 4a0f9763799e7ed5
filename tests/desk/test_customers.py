from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from calmdesk.desk.actions import ActionError, do_merge_customers, find_or_create_customer
from calmdesk.desk.models import (
    Attachment,
    Conversation,
    Customer,
    Event,
    EventKind,
    FolderCount,
    Message,
    Status,
)
from calmdesk.mail.actions import do_send_reply
from calmdesk.mail.models import Outbox

from .conftest import Desk, receive


def test_the_profile_lists_only_conversations_alice_may_see(desk: Desk) -> None:
    receive(desk.billing, "maya@shop.example", "Invoice please", "Invoice for Maya")
    page = desk.client_for(desk.alice).get(reverse("customer", args=[desk.customer.pk]))
    assert "Checkout broken" in page.content.decode()
    assert "Invoice for Maya" not in page.content.decode()


def test_a_customer_only_in_billing_is_a_404_for_alice(desk: Desk) -> None:
    omar = desk.billing_conversation.customer
    response = desk.client_for(desk.alice).get(reverse("customer", args=[omar.pk]))
    assert response.status_code == 404


def test_merging_moves_addresses_and_conversations(desk: Desk) -> None:
    second = receive(desk.support, "maya.o@gmail.example", "It's me again", "Other address")
    duplicate = second.conversation.customer
    desk.client_for(desk.alice).post(
        reverse("customer_merge", args=[desk.customer.pk]), {"email": "MAYA.O@gmail.example"}
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into == desk.customer
    assert set(desk.customer.emails.values_list("email", flat=True)) == {
        "maya@shop.example",
        "maya.o@gmail.example",
    }
    assert Conversation.objects.get(pk=second.conversation_id).customer == desk.customer
    assert find_or_create_customer("maya.o@gmail.example") == desk.customer
    assert Event.objects.filter(kind=EventKind.MERGE).count() == 1


def test_alice_cannot_merge_in_a_customer_she_cannot_see(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("customer_merge", args=[desk.customer.pk]),
        {"email": "omar@books.example"},
        follow=True,
    )
    assert "No customer of yours has that address." in response.content.decode()
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


def test_merging_a_customer_with_themselves_is_refused(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(
        reverse("customer_merge", args=[desk.customer.pk]),
        {"email": "maya@shop.example"},
        follow=True,
    )
    assert "cannot be merged with themselves" in response.content.decode()


def test_erasing_removes_messages_files_and_leaves_an_audit_event(desk: Desk) -> None:
    reply = do_send_reply(desk.conversation, desk.alice, "Hi Maya")
    response = desk.client_for(desk.admin).post(
        reverse("customer_erase", args=[desk.customer.pk]), follow=True
    )
    assert response.status_code == 200
    assert not Message.objects.filter(conversation=desk.conversation).exists()
    assert not Attachment.objects.exists()
    assert not Outbox.objects.filter(message_id=reply.pk).exists()  # never sent
    desk.customer.refresh_from_db()
    assert desk.customer.erased_at is not None
    assert desk.customer.name == "" and not desk.customer.emails.exists()
    desk.conversation.refresh_from_db()
    assert desk.conversation.subject == "" and desk.conversation.status == Status.CLOSED
    event = Event.objects.get(kind=EventKind.ERASE)
    assert event.actor == desk.admin and event.data == {"messages": 2}
    counts = {r.status: r.count for r in FolderCount.objects.filter(mailbox=desk.support)}
    assert counts[Status.CLOSED] == 1 and counts[Status.ACTIVE] == 0


def test_erased_files_are_gone_from_storage(desk: Desk, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    stored = desk.attachment.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        desk.client_for(desk.admin).post(reverse("customer_erase", args=[desk.customer.pk]))
    assert not default_storage.exists(stored)


def test_an_erased_customer_is_not_found_by_search_or_mail(desk: Desk) -> None:
    desk.client_for(desk.admin).post(reverse("customer_erase", args=[desk.customer.pk]))
    client = desk.client_for(desk.alice)
    assert not client.get(reverse("search"), {"q": "checkout"}).context["conversations"]
    assert find_or_create_customer("maya@shop.example") != desk.customer
    page = client.get(reverse("customer", args=[desk.customer.pk]))
    assert page.status_code == 200 and "Erased customer" in page.content.decode()
    again = desk.client_for(desk.admin).post(
        reverse("customer_erase", args=[desk.customer.pk]), follow=True
    )
    assert "already erased" in again.content.decode()


def test_alice_may_not_erase(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(reverse("customer_erase", args=[desk.customer.pk]))
    assert response.status_code == 403
    assert Message.objects.filter(conversation=desk.conversation).exists()


def test_merge_refuses_an_erased_customer(desk: Desk) -> None:
    other = receive(desk.support, "x@y.example", "hi", "x").conversation.customer
    desk.client_for(desk.admin).post(reverse("customer_erase", args=[other.pk]))
    other.refresh_from_db()
    with pytest.raises(ActionError, match="erased"):
        do_merge_customers(other, desk.customer, desk.admin)


def test_erasing_removes_the_raw_mail_the_messages_came_in(
    desk: Desk, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from calmdesk.mail.ingest import ingest_raw

    raw = (
        b"From: Maya Okafor <maya@shop.example>\\r\\nTo: support@desk.example\\r\\n"
        b"Subject: Still broken\\r\\nMessage-ID: <still-broken@shop.example>\\r\\n\\r\\n"
        b"The checkout is still down.\\r\\n"
    )
    message = ingest_raw(raw, desk.support).message
    path = Path(settings.RAW_MAIL_DIR) / message.inbound.raw_path
    assert path.exists() and message.conversation.customer == desk.customer
    with django_capture_on_commit_callbacks(execute=True):
        desk.client_for(desk.admin).post(reverse("customer_erase", args=[desk.customer.pk]))
    assert not path.exists()


@pytest.mark.parametrize(
    "revenue,currency,shown",
    [
        ("49.00", "USD", "$49.00/mo"),
        ("49.00", "EUR", "€49.00/mo"),
        ("1188", "CHF", "1,188.00 CHF/mo"),
    ],
)
def test_money_shows_with_its_currency_on_the_card_and_the_page(
    desk: Desk, revenue: str, currency: str, shown: str
) -> None:
    Customer.objects.filter(pk=desk.customer.pk).update(
        plan="Growth", monthly_revenue=Decimal(revenue), revenue_currency=currency
    )
    client = desk.client_for(desk.alice)
    card = client.get(reverse("conversation", args=[desk.conversation.pk])).content.decode()
    page = client.get(reverse("customer", args=[desk.customer.pk])).content.decode()
    assert f"Growth · {shown}" in card
    assert f"Growth · {shown}" in page


def test_customer_since_is_the_first_message_not_the_row(desk: Desk) -> None:
    long_ago = timezone.now() - timedelta(days=800)
    receive(desk.support, "maya@shop.example", "Hello, first order", "Hello", received_at=long_ago)
    page = desk.client_for(desk.alice).get(reverse("customer", args=[desk.customer.pk]))
    since = date_filter(timezone.localtime(long_ago), "DATE_FORMAT")
    row_made = date_filter(timezone.localtime(desk.customer.created_at), "DATE_FORMAT")
    assert 'Customer since</dt><dd><time datetime="' in page.content.decode()
    assert f">{since}</time>" in page.content.decode()
    assert f">{row_made}</time>" not in page.content.decode()


@pytest.mark.parametrize("code,valid", [("EUR", True), ("", True), ("eur", False), ("€", False)])
def test_the_revenue_currency_is_an_iso_4217_code(desk: Desk, code: str, valid: bool) -> None:
    desk.customer.revenue_currency = code
    if valid:
        desk.customer.full_clean()
    else:
        with pytest.raises(ValidationError, match="ISO 4217"):
            desk.customer.full_clean()
