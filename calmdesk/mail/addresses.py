"""Addresses an agent types (a new conversation's To, a reply's Cc and Bcc, a forward's
To): each checked as one plain address, lowercased, never a display name, so nothing
typed can become a header of its own."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from calmdesk.desk.actions import ActionError

# More copies than this on one reply is a mailing, not a conversation.
MAX_COPIES = 20
_SEPARATORS = re.compile(r"[,;\s]+")


def one_address(text: str) -> str:
    """``text`` as one address, or ActionError naming it."""
    address = text.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ActionError(
            _("“%(address)s” is not an email address.") % {"address": text.strip()[:100]}
        ) from None
    if len(address) > 254:
        raise ActionError(_("An email address has at most 254 characters."))
    return address


def address_list(text: str | Sequence[str]) -> list[str]:
    """Addresses separated by commas, semicolons or spaces (or already a list), each
    checked, once each, in the order given."""
    pieces = _SEPARATORS.split(text) if isinstance(text, str) else list(text)
    found = list(dict.fromkeys(one_address(p) for p in pieces if p.strip()))
    if len(found) > MAX_COPIES:
        raise ActionError(_("At most %(n)d addresses here.") % {"n": MAX_COPIES})
    return found
