from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def initials(user) -> str:  # type: ignore[no-untyped-def]
    if user is None:
        return ""
    name = user.get_full_name() or user.get_username()
    parts = name.split()
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def person(user) -> str:  # type: ignore[no-untyped-def]
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def customer_label(conversation) -> str:  # type: ignore[no-untyped-def]
    """The customer's name, else the address annotated on inbox rows."""
    customer = conversation.customer
    return customer.name or getattr(conversation, "customer_email", "") or str(customer)


@register.filter
def is_message(item) -> bool:  # type: ignore[no-untyped-def]
    return hasattr(item, "body_text")
