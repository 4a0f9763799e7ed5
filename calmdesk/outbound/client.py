"""The one HTTP client every integration uses (issue trackers, webhooks, API importers).

    client = Client(allowance=Allowance.of(admin_allowed_hosts))
    issue = client.json("POST", "https://example.atlassian.net/rest/api/3/issue", payload)

What it promises:

- It never reaches this machine, its network or the cloud's metadata service (see
  ``addresses``) unless the host is allowed: by the caller (what an admin allowed) or by
  ``CALMDESK_OUTBOUND_ALLOWED_HOSTS``. A host name is resolved once per hop and the
  connection goes to that very address (TLS still checks the certificate against the name,
  sent as SNI), so a second DNS answer cannot move it; each redirect hop is checked again.
- Timeouts on connecting and on each read; a bounded body.
- Retries with backoff. 429 (and 503 with Retry-After) is retried for every method, after
  the wait the server asks for when the policy allows that long; other 5xx and failures
  after the request went out are retried only for idempotent methods, unless the caller
  says the request is safe to repeat (``retry_unsafe``): a POST that created an issue and
  then timed out must not create a second one.
- Errors are ``OutboundError`` subclasses with a stable ``code``.
- Through a forward proxy when one is set (``CALMDESK_OUTBOUND_PROXY`` or ``HTTPS_PROXY``,
  with ``NO_PROXY``): a CONNECT tunnel to the checked address (see ``proxy``).

Standard library only (http.client), so the pinning of the address is in plain sight."""

from __future__ import annotations

import email.utils
import http.client
import json as jsonlib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from calmdesk.outbound.addresses import (
    Allowance,
    Resolver,
    parse_address,
    refusal,
    system_resolver,
)
from calmdesk.outbound.errors import (
    BadURL,
    ConnectionFailed,
    DNSFailed,
    HTTPStatusError,
    OutboundError,
    RateLimited,
    RefusedAddress,
    Timeout,
    TLSFailed,
    TooLarge,
    TooManyRedirects,
)
from calmdesk.outbound.proxy import Proxy, Tunnel, default_proxy

T = TypeVar("T")

USER_AGENT = "calmdesk"
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Retried for idempotent methods (or when the caller says a repeat is safe).
SERVER_ERRORS = frozenset({500, 502, 503, 504})
# Headers that must not follow a redirect to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class Policy:
    timeout: float = 10.0  # seconds, for connecting and for each read
    attempts: int = 4  # the first try included
    backoff: float = 1.0  # seconds before the second try; doubled after each
    max_wait: float = 60.0  # the longest Retry-After honoured; a longer one gives up
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    url: str  # after redirects

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body.strip() else None


def default_allowance() -> Allowance:
    """CALMDESK_OUTBOUND_ALLOWED_HOSTS, read by the settings at start-up."""
    from django.conf import settings

    return Allowance.of(settings.OUTBOUND_ALLOWED_HOSTS if settings.configured else [])


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds to wait: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class _Pinned:
    """socket.create_connection for http.client that connects to the checked address,
    whatever name the connection carries (the name stays for Host and for TLS)."""

    def __init__(self, address: str) -> None:
        self.address = address

    def __call__(
        self, target: tuple[str, int], timeout: float, source: tuple[str, int] | None = None
    ) -> socket.socket:
        return socket.create_connection((self.address, target[1]), timeout, source)


@dataclass
class Client:
    allowance: Allowance = field(default_factory=Allowance)
    policy: Policy = field(default_factory=Policy)
    resolver: Resolver = system_resolver
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    ssl_context: ssl.SSLContext | None = None  # tests pass one that trusts their own CA
    use_default_allowance: bool = True
    # A forward proxy; None takes the settings' (``use_default_proxy``), if any.
    proxy: Proxy | None = None
    use_default_proxy: bool = True

    def json(
        self,
        method: str,
        url: str,
        payload: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        retry_unsafe: bool = False,
    ) -> Any:
        """Send ``payload`` as JSON (none for None) and return the decoded answer."""
        sent = {"Accept": "application/json", **(headers or {})}
        body = None
        if payload is not None:
            sent["Content-Type"] = "application/json"
            body = jsonlib.dumps(payload).encode()
        response = self.request(method, url, headers=sent, body=body, retry_unsafe=retry_unsafe)
        try:
            return response.json()
        except ValueError:
            raise OutboundError("the answer is not JSON", url=response.url) from None

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        retry_unsafe: bool = False,
    ) -> Response:
        """The final answer, 2xx or 3xx; 4xx and 5xx raise HTTPStatusError once the
        policy's retries are spent."""
        method = method.upper()
        repeatable = retry_unsafe or method in IDEMPOTENT
        for attempt in range(1, self.policy.attempts + 1):
            last = attempt == self.policy.attempts
            try:
                response = self._follow(method, url, dict(headers or {}), body)
            except (ConnectionFailed, Timeout) as error:
                if last or (error.sent and not repeatable):
                    raise
                self.sleep(self._backoff(attempt))
                continue
            if response.status < 400:
                return response
            wait = None if last else self._wait_before_retry(response, repeatable, attempt)
            if wait is None:
                raise self._status_error(response)
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff * 2 ** (attempt - 1), self.policy.max_wait)

    def _wait_before_retry(
        self, response: Response, repeatable: bool, attempt: int
    ) -> float | None:
        """Seconds to wait before trying again, or None to give up now."""
        asked = retry_after_seconds(response.headers.get("retry-after"), self.clock())
        limited = response.status == 429 or (response.status == 503 and asked is not None)
        if not (limited or (repeatable and response.status in SERVER_ERRORS)):
            return None
        if asked is None:
            return self._backoff(attempt)
        return asked if asked <= self.policy.max_wait else None

    def _status_error(self, response: Response) -> HTTPStatusError:
        message = f"{response.status} from {urlsplit(response.url).hostname}"
        if response.status == 429 or (response.status == 503 and "retry-after" in response.headers):
            asked = retry_after_seconds(response.headers.get("retry-after"), self.clock())
            return RateLimited(message, url=response.url, response=response, retry_after=asked)
        return HTTPStatusError(message, url=response.url, response=response)

    def _follow(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> Response:
        for _hop in range(self.policy.max_redirects + 1):
            response = self._once(method, url, headers, body)
            location = response.headers.get("location")
            if response.status not in REDIRECTS or not location:
                return response
            target = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            if _origin(target) != _origin(url):
                headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
            url = target
        raise TooManyRedirects(f"more than {self.policy.max_redirects} redirects", url=url)

    def _once(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        scheme, host, port, path = _parse(url)
        address = self._address_for(host, port, url)
        connection: http.client.HTTPConnection
        if scheme == "https":
            context = self.ssl_context or ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                host, port, timeout=self.policy.timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.policy.timeout)
        proxy = self._proxy()
        checked = parse_address(address)
        opener: Callable[..., socket.socket] = _Pinned(address)
        if proxy is not None and checked is not None and not proxy.bypassed(host, checked):
            opener = Tunnel(proxy, address, url)
        connection._create_connection = opener  # type: ignore[attr-defined]
        try:
            _guard(connection.connect, url, sent=False)
            sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers}
            _guard(lambda: connection.request(method, path, body=body, headers=sent), url)
            answer = _guard(connection.getresponse, url)
            data = _guard(lambda: answer.read(self.policy.max_bytes + 1), url)
            if len(data) > self.policy.max_bytes:
                raise TooLarge(f"the answer is over {self.policy.max_bytes} bytes", url=url)
            names: dict[str, str] = {}
            for name, value in answer.getheaders():
                key = name.lower()
                names[key] = f"{names[key]}, {value}" if key in names else value
            return Response(answer.status, names, data, url)
        finally:
            connection.close()

    def _proxy(self) -> Proxy | None:
        if self.proxy is not None or not self.use_default_proxy:
            return self.proxy
        return default_proxy()

    def _address_for(self, host: str, port: int, url: str) -> str:
        literal = parse_address(host)
        if literal is not None:
            candidates = [literal]
        else:
            try:
                found = self.resolver(host, port)
            except (OSError, UnicodeError) as error:
                raise DNSFailed(f"{host} does not resolve ({error})", url=url) from None
            candidates = [a for a in map(parse_address, found) if a is not None]
            if not candidates:
                raise DNSFailed(f"{host} has no address", url=url)
        allowance = self.allowance
        if self.use_default_allowance:
            allowance = allowance + default_allowance()
        for address in candidates:  # every answer, so a mixed answer cannot slip through
            reason = refusal(address)
            if reason is not None and not allowance.allows(host, address):
                raise RefusedAddress(
                    f"{host} is a {reason} address ({address}); an admin may allow the host",
                    url=url,
                    address=str(address),
                    reason=reason,
                )
        return str(candidates[0])


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadURL("not a URL", url=url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadURL("only http and https URLs with a host", url=url)
    if parts.username is not None or parts.password is not None:
        raise BadURL("credentials in a URL are not sent; use the token fields", url=url)
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        host = parts.hostname  # an IPv6 literal, or a name that is checked on resolving
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _guard(step: Callable[[], T], url: str, *, sent: bool = True) -> T:
    """Run a network step, turning the socket's errors into ours. ``sent`` says whether
    the request may have reached the server when it failed (then only a repeatable
    request is tried again)."""
    try:
        return step()
    except ssl.SSLError as error:
        raise TLSFailed(f"TLS failed: {error.reason or error}", url=url) from None
    except TimeoutError:
        raise Timeout("no answer in time", url=url, sent=sent) from None
    except (OSError, http.client.HTTPException) as error:
        raise ConnectionFailed(f"connection failed: {error}", url=url, sent=sent) from None
