"""The two tracker clients, over the outbound client, in the documented shapes:

- Jira Cloud REST v3: ``POST /rest/api/3/issue`` (fields project key, issue type name,
  summary, description as ADF) answers ``{"id", "key", "self"}``; ``POST
  /rest/api/3/issue/{key}/comment`` with ``{"body": ADF}``; ``GET
  /rest/api/3/issue/{key}?fields=status``, done when ``status.statusCategory.key`` is
  ``done``. Basic auth with the account's email and an API token. Errors are
  ``{"errorMessages": [...], "errors": {field: message}}``.
- GitHub REST: ``POST /repos/{owner}/{repo}/issues`` (title, body) answers ``number`` and
  ``html_url``; ``POST …/issues/{number}/comments`` with ``{"body"}``; ``GET
  …/issues/{number}``, closed when ``state`` is ``closed`` (``state_reason``
  ``not_planned`` for "won't do", ``duplicate`` for tracked elsewhere). A fine-grained
  token as Bearer, ``Accept: application/vnd.github+json``, ``X-GitHub-Api-Version``.
  Errors are ``{"message", …}``; a rate limit is 429, or 403 with
  ``x-ratelimit-remaining: 0``.

Creating is a POST that is never repeated on a 5xx or a timeout (the issue may exist):
the push fails, says so, and pushing again is the person's choice."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from calmdesk.outbound import errors as outbound
from calmdesk.problems.trackers import (
    Evidence,
    Issue,
    Tracker,
    TrackerBase,
    TrackerError,
    adf,
    markdown,
)

T = TypeVar("T")

GITHUB_API_VERSION = "2022-11-28"
JIRA_SUMMARY_MAX = 255  # Jira refuses a longer summary
GITHUB_TITLE_MAX = 256


def _tracker_message(response_json: Any, fallback: str) -> str:
    """The tracker's own words from an error body (Jira's or GitHub's shape)."""
    if isinstance(response_json, dict):
        parts = [str(m) for m in response_json.get("errorMessages") or []]
        fields = response_json.get("errors")
        if isinstance(fields, dict):
            parts += [f"{name}: {text}" for name, text in fields.items()]
        if response_json.get("message"):
            parts.insert(0, str(response_json["message"]))
        if parts:
            return "; ".join(parts)[:300]
    return fallback


def calling(step: Callable[[], T]) -> T:
    """Run a tracker call, turning the outbound client's errors into TrackerError."""
    try:
        return step()
    except outbound.HTTPStatusError as error:
        try:
            body = error.response.json()
        except ValueError:
            body = None
        message = _tracker_message(body, f"HTTP {error.status}")
        headers = error.response.headers
        if error.status == 403 and headers.get("x-ratelimit-remaining") == "0":
            raise TrackerError("rate_limited", message, status=403) from None
        raise TrackerError(error.code, message, status=error.status) from None
    except outbound.OutboundError as error:
        raise TrackerError(error.code, error.message) from None


def _required(answer: Any, *keys: str) -> Any:
    value = answer
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise TrackerError("bad_answer", f"the tracker's answer has no {'.'.join(keys)}")
        value = value[key]
    return value


class JiraTracker(TrackerBase):
    kind: ClassVar[str] = "jira"

    def _headers(self) -> dict[str, str]:
        pair = f"{self.target.account}:{self.target.token}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def _url(self, path: str) -> str:
        return self.target.base_url.rstrip("/") + path

    def browse_url(self, key: str) -> str:
        return self._url(f"/browse/{quote(key)}")

    def create(self, evidence: Evidence) -> Issue:
        fields = {
            "project": {"key": self.target.project},
            "issuetype": {"name": self.target.issue_type or "Bug"},
            "summary": evidence.title[:JIRA_SUMMARY_MAX],
            "description": adf(evidence),
        }
        answer = calling(
            lambda: self.client.json(
                "POST", self._url("/rest/api/3/issue"), {"fields": fields}, headers=self._headers()
            )
        )
        key = str(_required(answer, "key"))
        return Issue(key, self.browse_url(key))

    def comment(self, external_id: str, evidence: Evidence) -> None:
        path = f"/rest/api/3/issue/{quote(external_id)}/comment"
        body = {"body": adf(evidence, update=True)}
        calling(lambda: self.client.json("POST", self._url(path), body, headers=self._headers()))

    def fetch(self, external_id: str) -> Issue:
        path = f"/rest/api/3/issue/{quote(external_id)}?fields=status"
        answer = calling(lambda: self.client.json("GET", self._url(path), headers=self._headers()))
        category = _required(answer, "fields", "status", "statusCategory", "key")
        return Issue(external_id, self.browse_url(external_id), closed=category == "done")


class GitHubTracker(TrackerBase):
    kind: ClassVar[str] = "github"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.target.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": GITHUB_API_VERSION,
        }

    def _url(self, path: str) -> str:
        owner, _slash, repo = self.target.project.partition("/")
        base = self.target.base_url.rstrip("/") or "https://api.github.com"
        return f"{base}/repos/{quote(owner)}/{quote(repo)}{path}"

    def create(self, evidence: Evidence) -> Issue:
        payload = {"title": evidence.title[:GITHUB_TITLE_MAX], "body": markdown(evidence)}
        answer = calling(
            lambda: self.client.json("POST", self._url("/issues"), payload, headers=self._headers())
        )
        return Issue(str(_required(answer, "number")), str(_required(answer, "html_url")))

    def comment(self, external_id: str, evidence: Evidence) -> None:
        path = f"/issues/{quote(external_id)}/comments"
        payload = {"body": markdown(evidence, update=True)}
        calling(lambda: self.client.json("POST", self._url(path), payload, headers=self._headers()))

    def fetch(self, external_id: str) -> Issue:
        path = f"/issues/{quote(external_id)}"
        answer = calling(lambda: self.client.json("GET", self._url(path), headers=self._headers()))
        state = _required(answer, "state")
        return Issue(
            external_id,
            str(answer.get("html_url") or ""),
            closed=state == "closed",
            not_planned=answer.get("state_reason") == "not_planned",
            duplicate=answer.get("state_reason") == "duplicate",
        )


TRACKERS: dict[str, type[JiraTracker] | type[GitHubTracker]] = {
    JiraTracker.kind: JiraTracker,
    GitHubTracker.kind: GitHubTracker,
}


def tracker_for(target: Any, client: Any) -> Tracker:
    return TRACKERS[target.kind](target, client)
