"""What can go wrong with an outbound request, each with a stable code a caller may store
or show (a delivery log, a tracker's last error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from calmdesk.outbound.client import Response


class OutboundError(Exception):
    code: ClassVar[str] = "outbound_error"

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class BadURL(OutboundError):
    code = "bad_url"


class DNSFailed(OutboundError):
    code = "dns_failed"


class RefusedAddress(OutboundError):
    """The host is, or resolves to, an address of this machine or its network, and no
    allowance covers it."""

    code = "refused_address"

    def __init__(self, message: str, *, url: str = "", address: str = "", reason: str = "") -> None:
        super().__init__(message, url=url)
        self.address = address
        self.reason = reason


class _NetworkError(OutboundError):
    """``sent`` says whether the request may have reached the server before it failed."""

    def __init__(self, message: str, *, url: str = "", sent: bool = True) -> None:
        super().__init__(message, url=url)
        self.sent = sent


class ConnectionFailed(_NetworkError):
    code = "connection_failed"


class ProxyFailed(OutboundError):
    """The forward proxy refused the tunnel (``status``: its answer to CONNECT, such as
    407 when it wants credentials or 403 when its rules forbid the target)."""

    code = "proxy_failed"

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status


class TLSFailed(OutboundError):
    code = "tls_failed"


class Timeout(_NetworkError):
    code = "timeout"


class TooManyRedirects(OutboundError):
    code = "too_many_redirects"


class TooLarge(OutboundError):
    code = "too_large"


class HTTPStatusError(OutboundError):
    """The server answered 4xx or 5xx (after the retries the policy allows)."""

    code = "http_status"

    def __init__(self, message: str, *, url: str = "", response: Response) -> None:
        super().__init__(message, url=url)
        self.response = response
        self.status = response.status


class RateLimited(HTTPStatusError):
    """429, or 503 with Retry-After, still there after the retries, or asking for a longer
    wait than the policy allows; ``retry_after`` is the seconds the server asked for."""

    code = "rate_limited"

    def __init__(
        self, message: str, *, url: str = "", response: Response, retry_after: float | None
    ) -> None:
        super().__init__(message, url=url, response=response)
        self.retry_after = retry_after
