from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from calmdesk.desk.money import format_money
from calmdesk.desk.validation import visible_filename

register = template.Library()
# Names stored before they were made visible at arrival are shown visible all the same.
register.filter("visible_filename", visible_filename)


@register.filter
def initials(user) -> str:
    if user is None:
        return ""
    name = user.get_full_name() or user.get_username()
    parts = name.split()
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def customer_label(conversation) -> str:
    """The customer's name, else the address annotated on inbox rows."""
    customer = conversation.customer
    return customer.name or getattr(conversation, "customer_email", "") or str(customer)


@register.filter
def is_message(item) -> bool:
    return hasattr(item, "body_text")


@register.filter
def waited(since) -> str:
    """How long a customer has waited, short enough for an inbox row: 40 min, 5 h, 2 d 3 h."""
    if since is None:
        return ""
    minutes = max(0, int((timezone.now() - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours = minutes // 60
    if hours < 24:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(days)d d %(hours)d h") % {"days": hours // 24, "hours": hours % 24}


@register.filter
def monthly_revenue(customer) -> str:
    """ "$49.00/mo": the customer's monthly revenue in its own currency, or nothing."""
    if customer.monthly_revenue is None:
        return ""
    amount = format_money(customer.monthly_revenue, customer.revenue_currency)
    return _("%(amount)s/mo") % {"amount": amount}


# A body longer than this shows its start and a link to the whole text, so one huge
# message (a 30 MB newsletter, a pasted log) never makes a page of tens of megabytes.
BODY_SHOWN_CHARS = 20_000


@register.filter
def body_shown(text: str) -> str:
    return text[:BODY_SHOWN_CHARS]


@register.filter
def body_is_cut(text: str) -> bool:
    return len(text) > BODY_SHOWN_CHARS


@register.filter
def iso_time(value: str) -> datetime | None:
    """A time an event keeps as ISO text (a snooze's end), for the date filter."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
