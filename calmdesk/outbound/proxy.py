"""Outbound requests through a forward proxy, for installs whose servers reach the
internet only through one.

Configured by ``CALMDESK_OUTBOUND_PROXY`` (else the usual ``HTTPS_PROXY``), an
``http://[user:password@]host:port`` URL; hosts listed in ``CALMDESK_OUTBOUND_NO_PROXY``
(else ``NO_PROXY``) go direct; the lower-case spellings are not read. Both https
and http URLs go through a CONNECT tunnel, so TLS stays end to end and the proxy sees only
the address and port. ``HTTP_PROXY`` is not read: in a CGI-style environment a request's
``Proxy:`` header can set it (the "httpoxy" class of bug).

The address checks do not move to the proxy: the client resolves the host itself, refuses
loopback, private and metadata addresses as it does without a proxy, and asks the proxy to
CONNECT to that very address (``CONNECT 203.0.113.7:443``), never to the name, so the proxy
cannot be steered by a second DNS answer either. The name still goes in the Host header
and as TLS's server name, through the tunnel. The proxy's own address is the admin's
choice and is not checked."""

from __future__ import annotations

import base64
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from calmdesk.outbound.addresses import IPAddress
from calmdesk.outbound.errors import OutboundError, ProxyFailed

# The proxy's answer to CONNECT is a status line and headers; nothing longer is accepted.
MAX_CONNECT_ANSWER = 16 * 1024


class ProxySettingError(OutboundError):
    """A proxy URL calmdesk cannot use (wrong scheme, no host, a path)."""

    code = "proxy_setting"


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    # "Basic …" when the URL carried credentials; sent to the proxy only, never on.
    authorization: str | None = None
    # Host names (a leading dot or not: the name and every name under it), addresses and
    # networks that go direct; "*" sends everything direct.
    no_proxy: tuple[str, ...] = ()

    @classmethod
    def of(cls, url: str, no_proxy: Iterable[str] = ()) -> Proxy | None:
        """The proxy ``url`` names (None for an empty one). ``host:port`` alone is taken
        as ``http://host:port``."""
        url = url.strip()
        if not url:
            return None
        if "://" not in url:
            url = f"http://{url}"
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ProxySettingError(f"not a proxy URL: {url!r}") from None
        if parts.scheme != "http" or not parts.hostname:
            raise ProxySettingError(
                f"a proxy URL is http://host:port (a TLS connection to the proxy itself is "
                f"not supported), not {url!r}"
            )
        if parts.path not in ("", "/") or parts.query:
            raise ProxySettingError(f"a proxy URL has no path: {url!r}")
        authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            authorization = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        entries = tuple(e.strip().lower().strip("[]") for e in no_proxy if e.strip())
        return cls(parts.hostname, port or 80, authorization, entries)

    def bypassed(self, host: str, address: IPAddress) -> bool:
        """Whether a request to ``host`` (resolved to ``address``) goes direct."""
        host = host.lower().rstrip(".")
        for entry in self.no_proxy:
            if entry == "*":
                return True
            if _host_part(entry) != entry:  # "name:port": the port is not looked at
                entry = _host_part(entry)
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
                continue
            except ValueError:
                pass
            name = entry.lstrip(".").rstrip(".")
            if name and (host == name or host.endswith("." + name)):
                return True
        return False


def _host_part(entry: str) -> str:
    """``example.com:8080`` → ``example.com``; an IPv6 address or a network is kept."""
    head, sep, tail = entry.rpartition(":")
    if sep and tail.isdigit() and head and ":" not in head:
        return head
    return entry


def connect_target(address: str, port: int) -> str:
    """The authority of the CONNECT request: the checked address, IPv6 in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class Tunnel:
    """socket.create_connection for http.client: connects to the proxy, asks it to CONNECT
    to the checked address and returns the tunnelled socket (TLS, if any, is then set up
    by http.client through it, with the host name as the server name)."""

    def __init__(self, proxy: Proxy, address: str, url: str) -> None:
        self.proxy = proxy
        self.address = address
        self.url = url

    def __call__(
        self, target: tuple[str, int], timeout: float, source: tuple[str, int] | None = None
    ) -> socket.socket:
        sock = socket.create_connection((self.proxy.host, self.proxy.port), timeout, source)
        try:
            authority = connect_target(self.address, target[1])
            lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
            if self.proxy.authorization:
                lines.append(f"Proxy-Authorization: {self.proxy.authorization}")
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            status = _connect_status(_read_head(sock, self.url), self.url)
            if status != 200:
                raise ProxyFailed(
                    f"the proxy answered {status} to CONNECT {authority}",
                    url=self.url,
                    status=status,
                )
        except BaseException:
            sock.close()
            raise
        return sock


def _read_head(sock: socket.socket, url: str) -> bytes:
    """The proxy's answer up to its blank line, reading no byte past it (the tunnel's
    first bytes belong to the server)."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            raise ProxyFailed("the proxy closed the connection before answering", url=url)
        head += byte
        if len(head) > MAX_CONNECT_ANSWER:
            raise ProxyFailed("the proxy's answer to CONNECT is too long", url=url)
    return head


def _connect_status(head: bytes, url: str) -> int:
    first = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = first.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProxyFailed(f"the proxy's answer is not HTTP: {first[:80]!r}", url=url)
    return int(parts[1])


def default_proxy() -> Proxy | None:
    """The proxy the settings name (read from the environment at start-up), or None."""
    from django.conf import settings

    if not settings.configured:
        return None
    return Proxy.of(settings.OUTBOUND_PROXY, settings.OUTBOUND_NO_PROXY)
