from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info

from calmdesk.empathy.render import render_reading_text, stake_label

register = template.Library()


@register.filter
def reading_html(reading) -> SafeString:
    return render_reading_text(reading.text, reading.data)


@register.filter
def stake_name(kind: str) -> str:
    return stake_label(kind)


@register.filter
def percent(value: float) -> int:
    return round(float(value or 0) * 100)


@register.filter
def fact_groups(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Facts grouped by kind, questions last: what the agent must answer."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for fact in data.get("facts", []):
        groups.setdefault(fact["kind"], []).append(fact)
    order = sorted(groups, key=lambda kind: (kind == "question", kind))
    return [(kind.replace("_", " "), groups[kind]) for kind in order]


@register.filter
def language_name(code: str) -> str:
    """ "French" for "fr", in the page's language; "" for a code Django does not name
    ("und", when the engine could not tell)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return ""
