"""Going back keeps your place: the inbox and search pages remember the page the agent
is on (filters, sort, page) in the session, and a conversation's "← Inbox" (and ``u``)
return there. Only a URL these pages built from their own validated values is kept, and
it is checked again on the way out, so the link can never lead off the desk."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _

from calmdesk.desk.access import SignedInRequest
from calmdesk.desk.models import Conversation

SESSION_KEY = "calmdesk.place"


def remember_place(request: SignedInRequest, name: str, params: dict[str, str]) -> None:
    """``name``: "inbox" or "search"; ``params``: the page's own cleaned values. Saved
    only on a change, so paging back and forth does not write the session each time."""
    place = reverse(name) + ("?" + urlencode(params) if params else "")
    if request.session.get(SESSION_KEY) != place:
        request.session[SESSION_KEY] = place


def back_link(
    request: SignedInRequest, conversation: Conversation | None = None
) -> tuple[str, str]:
    """(url, label) of the way back from a conversation or a customer's page: the place
    remembered, else the conversation's mailbox, else the inbox."""
    place = request.session.get(SESSION_KEY, "")
    if isinstance(place, str) and place:
        parts = urlsplit(place)
        # A local path of the inbox or search, nothing else: no scheme, no host, no "//".
        if not (parts.scheme or parts.netloc or place.startswith("//")):
            if parts.path == reverse("inbox"):
                return place, _("← Inbox")
            if parts.path == reverse("search"):
                return place, _("← Results")
    if conversation is None:
        return reverse("inbox"), _("← Inbox")
    return reverse("inbox") + "?" + urlencode({"mailbox": conversation.mailbox.slug}), _("← Inbox")
