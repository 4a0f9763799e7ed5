"""Every page names the desk's icon, and the icon is served."""

from __future__ import annotations

from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from .conftest import Desk


def test_every_page_links_the_icon_and_it_is_served(desk: Desk) -> None:
    icon = static("desk/favicon.svg")
    link = f'<link rel="icon" href="{icon}" type="image/svg+xml">'
    assert link in Client().get(reverse("login")).content.decode()
    assert link in desk.client_for(desk.alice).get(reverse("inbox")).content.decode()
    served = Client().get(icon)
    assert served.status_code == 200
    body = b"".join(served.streaming_content) if served.streaming else served.content
    assert body.startswith(b"<svg") and b"<title>calmdesk</title>" in body
