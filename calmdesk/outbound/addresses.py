"""Which addresses an outbound request may reach: none of the machine's own, its network's,
or the cloud's metadata service, unless an admin allowed the host (``Allowance``).

A name is checked on the address it resolves to, and the client connects to exactly that
address, so a second DNS answer (rebinding) cannot move the connection somewhere else."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Cloud metadata services (AWS, GCP, Azure, OpenStack share the IPv4 one; AWS's IPv6 one
# is in fd00::/8). Refused even for an allowed host name: only an allowed address opens them.
METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

# (network, reason), checked in order; the reasons are stable words a caller may show.
REFUSED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("::/128", "unspecified"),
        ("127.0.0.0/8", "loopback"),
        ("::1/128", "loopback"),
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("fc00::/7", "private"),
        ("100.64.0.0/10", "cgnat"),
        ("169.254.0.0/16", "link-local"),
        ("fe80::/10", "link-local"),
        ("224.0.0.0/4", "multicast"),
        ("ff00::/8", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("fec0::/10", "reserved"),
        # IPv4-compatible (::a.b.c.d, deprecated) and local-use NAT64: never a public host.
        ("::/96", "reserved"),
        ("64:ff9b:1::/48", "reserved"),
    )
)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96,
    6to4 2002::/16), which is the one actually reached."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached without an allowance, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return refusal(inner)
    if address in METADATA:
        return "metadata"
    for network, reason in REFUSED_NETWORKS:
        if address in network:
            return reason
    if not address.is_global:  # documentation, benchmarking and other special ranges
        return "reserved"
    return None


@dataclass(frozen=True)
class Allowance:
    """Hosts an admin allowed to be reached whatever they resolve to: host names (exact,
    case-insensitive) and addresses or networks (``10.0.0.0/8``)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> Allowance:
        hosts: set[str] = set()
        networks = []
        for entry in (e.strip().lower().strip("[]") for e in entries):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def __add__(self, other: Allowance) -> Allowance:
        return Allowance(self.hosts | other.hosts, self.networks + other.networks)

    def allows(self, host: str, address: IPAddress) -> bool:
        if any(address in network for network in self.networks):
            return True
        return address not in METADATA and host.lower().rstrip(".") in self.hosts


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone is not an address
    except ValueError:
        return None
