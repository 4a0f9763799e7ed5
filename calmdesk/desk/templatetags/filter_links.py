"""The filter grammar in templates: inbox links built from the filter's one dict (so a
link never repeats a parameter), and the operators' help."""

from __future__ import annotations

from django import template
from django.urls import reverse

from calmdesk.desk.filters import OPERATOR_HELP
from calmdesk.desk.inbox import InboxFilter

register = template.Library()


@register.simple_tag
def inbox_url(f: InboxFilter, **changes: object) -> str:
    """The inbox with ``changes`` applied to ``f`` ("" drops a key); the page cursor is
    kept only when given as ``after``."""
    return reverse("inbox") + f.query(**changes)


@register.simple_tag
def search_operators() -> tuple[tuple[str, object], ...]:
    """The grammar's operators with an example of each, for the search page's help."""
    return OPERATOR_HELP
