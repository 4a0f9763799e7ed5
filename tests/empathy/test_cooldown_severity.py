"""The cool-down holds Send only for what the coach is sure of: alice owning a mistake or
writing one unsure heated finding (an "info") sends at once; a sure one waits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import Desk


@pytest.mark.parametrize(
    "draft,heated",
    [
        # Ownership and apology: never blame, so never a pause.
        ("Hi Maya, I'm sorry: you should have heard from us sooner.", False),
        ("Hi Maya, you shouldn't have to chase us. The export works again.", False),
        # Two exclamation marks: shown as info, no pause.
        ("Hi Maya, the export works again!! Thanks for waiting.", False),
        # Sure findings of the heated rules still start it.
        ("Hi Maya, please restart it!!!", True),
        ("Hi Maya, you must have deleted the file.", True),
    ],
)
def test_only_sure_heated_findings_start_the_cooldown(desk: Desk, draft: str, heated: bool) -> None:
    url = reverse("conversation_coach", args=[desk.conversation.pk])
    html = desk.client_for(desk.alice).post(url, {"body": draft}).content.decode()
    assert (f'data-heated="{int(heated)}"' in html) is True, html[:400]
    if not heated:
        assert 'data-cooldown="0"' in html


def test_an_unsure_heated_finding_is_still_shown(desk: Desk) -> None:
    url = reverse("conversation_coach", args=[desk.conversation.pk])
    draft = "Hi Maya, the export works again!! Thanks for waiting."
    html = desk.client_for(desk.alice).post(url, {"body": draft}).content.decode()
    assert 'data-code="CD107"' in html and 'data-heated="0"' in html
