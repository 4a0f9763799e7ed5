"""The demo desk shows a lead a week of reports, a wall with stories, and one agent
(bob) past the load threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from calmdesk.accounts.models import Notification
from calmdesk.desk.demo.generate import generate
from calmdesk.desk.demo.team import add_team_demo
from calmdesk.empathy.reanalyze import reanalyze
from calmdesk.team.models import LoadNotice, Rating, Thanks


@pytest.mark.slow
def test_the_demo_has_reports_a_wall_and_a_heavy_day(db):
    generate(400, seed=2026, progress=False)
    reanalyze(progress=False)
    add_team_demo()
    assert Rating.objects.count() > 10
    assert Thanks.objects.filter(pinned_at__isnull=False).count() >= 3
    assert list(LoadNotice.objects.values_list("agent__username", flat=True)) == ["bob"]
    assert Notification.objects.filter(recipient__username="erin", title__contains="Bob").exists()
    erin = Client()
    erin.force_login(Notification.objects.get(recipient__username="erin").recipient)
    page = erin.get("/reports/")
    assert page.status_code == 200
    figures = {f.name: f.value for f in page.context["summary"]}
    assert figures["New conversations"] > 10 and figures["Replies sent"] > 10
    days_with_mail = [p for p in page.context["rows"] if p["new"]]
    assert len(days_with_mail) == 7
    assert figures["Rated Great"] is not None
    # Support keeps business hours: its times are counted in working hours.
    assert figures["First response, median, business hours"] is not None
    wall = erin.get("/team/wall/")
    assert wall.text.count('class="story"') >= 3
    team = erin.get("/team/")
    bob = next(load for person, load in team.context["rows"] if person.username == "bob")
    assert bob.load >= team.context["limit"]
    assert timezone.now() - timedelta(days=1) < LoadNotice.objects.get().created_at
