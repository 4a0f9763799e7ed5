"""The 404, 403 and 500 pages say what happened and where to go next."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from .conftest import Desk


def test_a_404_keeps_the_top_bar_and_leads_back_to_the_inbox(desk: Desk) -> None:
    response = desk.client_for(desk.alice).get(reverse("customer", args=[999_999]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert 'class="topbar"' in page
    assert f'href="{reverse("inbox")}">Go to your inbox</a>' in page
    assert f'href="{reverse("search")}">Search conversations</a>' in page


def test_a_404_signed_out_offers_to_sign_in(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert f'href="{reverse("login")}">Sign in</a>' in page
    assert "Go to your inbox" not in page


def test_a_403_says_the_role_does_not_allow_it(desk: Desk) -> None:
    response = desk.client_for(desk.alice).post(reverse("customer_erase", args=[desk.customer.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in page
    assert 'class="topbar"' in page
    assert "Go to your inbox" in page


def test_the_500_page_renders_with_no_request_context_and_no_database() -> None:
    # No db fixture: pytest-django fails any query, as a database that is down would.
    response = server_error(RequestFactory().get("/inbox/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert '<a href="/">Go to your inbox</a>' in page
    assert "<script" not in page
