"""The outbound client through a real local forward proxy (CONNECT): TLS end to end to the
name, the tunnel to the address the client checked, credentials to the proxy only,
NO_PROXY, the address refusals kept, and a proxy's refusal told as such."""

from __future__ import annotations

import pytest

from calmdesk.outbound import errors
from calmdesk.outbound.addresses import Allowance
from calmdesk.outbound.client import Client
from calmdesk.outbound.proxy import Proxy, ProxySettingError, default_proxy
from tests.outbound.fakeserver import FakeServer
from tests.outbound.proxyserver import ProxyServer

# A public address the tracker's name resolves to; only the proxy can reach it (its route
# leads to the local fake server), so a direct connection would fail.
PUBLIC = "93.184.216.34"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def tracker():  # type: ignore[no-untyped-def]
    with FakeServer(tls="tracker.example") as server:
        server.reply("POST", "/rest/api/3/issue", 201, json={"key": "CD-1"})
        yield server


def resolver_to(address: str):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        return [address]

    return resolve


def through(proxy: Proxy, server: FakeServer, **kwargs: object) -> Client:
    kwargs.setdefault("resolver", resolver_to(PUBLIC))
    return Client(  # type: ignore[arg-type]
        proxy=proxy,
        ssl_context=server.ssl_context(),
        sleep=Sleeps(),
        use_default_allowance=False,
        **kwargs,
    )


def test_https_goes_through_a_tunnel_to_the_checked_address(tracker):
    with ProxyServer(routes={f"{PUBLIC}:{tracker.port}": ("127.0.0.1", tracker.port)}) as proxy:
        setting = Proxy.of(f"http://desk:s%40cret@127.0.0.1:{proxy.port}")
        assert setting is not None
        client = through(setting, tracker)
        url = f"https://tracker.example:{tracker.port}/rest/api/3/issue"
        answer = client.json("POST", url, {"fields": {}}, headers={"Authorization": "Bearer t0ken"})
    assert answer == {"key": "CD-1"}
    [connect] = proxy.connects
    # The proxy is asked for the address the client resolved and checked, not the name.
    assert connect.target == f"{PUBLIC}:{tracker.port}"
    assert connect.headers["proxy-authorization"] == "Basic ZGVzazpzQGNyZXQ="  # desk:s@cret
    assert "authorization" not in connect.headers  # the tracker's token stays in the tunnel
    [seen] = tracker.requests
    assert seen.headers["host"] == f"tracker.example:{tracker.port}"
    assert seen.headers["authorization"] == "Bearer t0ken"
    assert "proxy-authorization" not in seen.headers


def test_plain_http_goes_through_the_tunnel_too():
    with FakeServer() as server, ProxyServer() as proxy:
        proxy.routes[f"{PUBLIC}:{server.port}"] = ("127.0.0.1", server.port)
        server.reply("GET", "/hook", 200, body=b"ok")
        client = Client(
            proxy=Proxy.of(proxy.url),
            resolver=resolver_to(PUBLIC),
            sleep=Sleeps(),
            use_default_allowance=False,
        )
        assert client.request("GET", f"http://hooks.example:{server.port}/hook").text == "ok"
    assert [c.target for c in proxy.connects] == [f"{PUBLIC}:{server.port}"]
    assert server.requests[0].headers["host"] == f"hooks.example:{server.port}"


@pytest.mark.parametrize(
    "no_proxy", [["tracker.example"], [".example"], ["example:443"], ["127.0.0.0/8"], ["*"]]
)
def test_no_proxy_hosts_go_direct(tracker, no_proxy):
    with ProxyServer() as proxy:
        client = through(
            Proxy.of(proxy.url, no_proxy),  # type: ignore[arg-type]
            tracker,
            resolver=resolver_to("127.0.0.1"),
            allowance=Allowance.of(["127.0.0.1"]),
        )
        client.json("POST", f"https://tracker.example:{tracker.port}/rest/api/3/issue", {})
    assert proxy.connects == []
    assert len(tracker.requests) == 1


def test_a_refused_address_is_refused_before_the_proxy_is_asked(tracker):
    with ProxyServer() as proxy:
        client = through(Proxy.of(proxy.url), tracker, resolver=resolver_to("169.254.169.254"))  # type: ignore[arg-type]
        with pytest.raises(errors.RefusedAddress) as refused:
            client.request("GET", "https://tracker.example/")
    assert refused.value.reason == "metadata"
    assert proxy.connects == []


@pytest.mark.parametrize("status", [407, 403, 502])
def test_the_proxys_refusal_is_told_and_not_retried(tracker, status):
    with ProxyServer() as proxy:
        proxy.status = status
        client = through(Proxy.of(proxy.url), tracker)  # type: ignore[arg-type]
        with pytest.raises(errors.ProxyFailed) as failed:
            client.request("GET", f"https://tracker.example:{tracker.port}/")
    assert (failed.value.status, failed.value.code) == (status, "proxy_failed")
    assert len(proxy.connects) == 1
    assert tracker.requests == []


@pytest.mark.parametrize(
    "url",
    ["https://proxy.internal:3128", "socks5://proxy:1080", "http://proxy:3128/path", "http://"],
)
def test_a_proxy_url_calmdesk_cannot_use_is_an_error(url):
    with pytest.raises(ProxySettingError):
        Proxy.of(url)


def test_the_settings_proxy_is_the_default(settings, tracker):
    settings.OUTBOUND_PROXY = ""
    assert default_proxy() is None
    settings.OUTBOUND_PROXY = "proxy.internal:3128"
    settings.OUTBOUND_NO_PROXY = ["jira.internal"]
    proxy = default_proxy()
    assert proxy == Proxy("proxy.internal", 3128, None, ("jira.internal",))
    with ProxyServer(routes={f"{PUBLIC}:{tracker.port}": ("127.0.0.1", tracker.port)}) as real:
        settings.OUTBOUND_PROXY = real.url
        client = Client(
            resolver=resolver_to(PUBLIC),
            ssl_context=tracker.ssl_context(),
            sleep=Sleeps(),
            use_default_allowance=False,
        )
        client.json("POST", f"https://tracker.example:{tracker.port}/rest/api/3/issue", {})
    assert [c.target for c in real.connects] == [f"{PUBLIC}:{tracker.port}"]
