"""What the desk reads about a customer beyond their row."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min

from calmdesk.desk.models import Customer, Message


def first_contact(customer: Customer) -> datetime | None:
    """When they first wrote or were written to: a customer is a customer "since" their first
    message, not since the row was made (an import, a merge or the demo makes rows late)."""
    return Message.objects.filter(conversation__customer=customer).aggregate(
        first=Min("created_at")
    )["first"]
