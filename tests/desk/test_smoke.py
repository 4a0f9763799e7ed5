import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_inbox_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
