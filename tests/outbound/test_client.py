"""The outbound client against a real local server: what it refuses, what it sends, how
it retries, and that it connects to the very address it checked."""

from __future__ import annotations

import ipaddress

import pytest

from calmdesk.outbound import errors
from calmdesk.outbound.addresses import Allowance, refusal
from calmdesk.outbound.client import Client, Policy, retry_after_seconds
from tests.outbound.fakeserver import FakeServer

LOCAL = Allowance.of(["127.0.0.1"])


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(**kwargs: object) -> Client:
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("allowance", LOCAL)
    return Client(**kwargs)  # type: ignore[arg-type]


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host} should not have been resolved")


@pytest.mark.parametrize(
    "address,reason",
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.254", "cgnat"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"),
        ("2002:c0a8:0101::1", "private"),
        ("::7f00:1", "reserved"),
        ("64:ff9b:1::a00:1", "reserved"),
        ("100::1", "reserved"),
        ("93.184.215.14", None),
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_refused_addresses(address: str, reason: str | None) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0:9000/",
        "http://[::ffff:7f00:1]/",
        "https://192.168.0.1/",
    ],
)
def test_a_literal_address_is_refused_before_any_connection(url: str) -> None:
    with pytest.raises(errors.RefusedAddress) as caught:
        Client(resolver=no_dns, use_default_allowance=False).request("GET", url)
    assert caught.value.code == "refused_address"


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(errors.RefusedAddress) as caught:
        Client(resolver=resolver).request("GET", "https://intranet.example.com/")
    assert (caught.value.address, caught.value.reason) == ("10.0.0.7", "private")


def test_loopback_is_refused_without_an_allowance(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/", 200)
    with pytest.raises(errors.RefusedAddress):
        Client().request("GET", fake_server.url + "/")
    assert fake_server.requests == []


def test_an_allowed_host_name_does_not_open_the_metadata_address() -> None:
    allowance = Allowance.of(["metadata.internal"])
    assert allowance.allows("metadata.internal", ipaddress.ip_address("10.0.0.1"))
    assert not allowance.allows("metadata.internal", ipaddress.ip_address("169.254.169.254"))
    assert Allowance.of(["169.254.169.254"]).allows("x", ipaddress.ip_address("169.254.169.254"))


def test_the_settings_allowance_is_the_default(fake_server: FakeServer, settings) -> None:  # type: ignore[no-untyped-def]
    fake_server.reply("GET", "/ok", 200, body=b"fine")
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.0/8"]
    assert Client().request("GET", fake_server.url + "/ok").text == "fine"


def test_it_sends_json_and_says_who_it_is(fake_server: FakeServer) -> None:
    fake_server.reply("POST", "/things?x=1", 201, json={"id": 7})
    answer = client().json(
        "POST", fake_server.url + "/things?x=1", {"name": "Café"}, headers={"X-Token": "t"}
    )
    assert answer == {"id": 7}
    [seen] = fake_server.requests
    assert (seen.method, seen.path, seen.json()) == ("POST", "/things?x=1", {"name": "Café"})
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["user-agent"] == "calmdesk"
    assert seen.headers["x-token"] == "t"
    assert seen.headers["host"] == f"127.0.0.1:{fake_server.port}"


def test_429_waits_what_retry_after_asks_then_succeeds(fake_server: FakeServer) -> None:
    fake_server.reply("POST", "/issue", 429, headers={"Retry-After": "3"})
    fake_server.reply("POST", "/issue", 201, json={"key": "CD-1"})
    sleeps = Sleeps()
    assert client(sleep=sleeps).json("POST", fake_server.url + "/issue", {"a": 1}) == {
        "key": "CD-1"
    }
    assert sleeps == [3.0]
    assert [r.json() for r in fake_server.requests] == [{"a": 1}, {"a": 1}]


def test_a_retry_after_longer_than_the_policy_gives_up_at_once(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/", 429, headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    with pytest.raises(errors.RateLimited) as caught:
        client(sleep=sleeps, policy=Policy(max_wait=30)).request("GET", fake_server.url + "/")
    assert (caught.value.code, caught.value.retry_after, caught.value.status) == (
        "rate_limited",
        3600.0,
        429,
    )
    assert sleeps == [] and len(fake_server.requests) == 1


def test_a_500_is_retried_with_backoff_for_a_get_only(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/x", 500, body=b"oops")
    fake_server.reply("POST", "/x", 500)
    sleeps = Sleeps()
    with pytest.raises(errors.HTTPStatusError) as caught:
        client(sleep=sleeps, policy=Policy(attempts=3, backoff=0.5)).request(
            "GET", fake_server.url + "/x"
        )
    assert (caught.value.code, caught.value.status) == ("http_status", 500)
    assert caught.value.response.text == "oops"
    assert sleeps == [0.5, 1.0]
    assert len(fake_server.seen("GET")) == 3
    # A POST that failed on the server may have created something: not sent again.
    with pytest.raises(errors.HTTPStatusError):
        client().request("POST", fake_server.url + "/x", body=b"{}")
    assert len(fake_server.seen("POST")) == 1
    # Unless the caller says a repeat is harmless (a webhook with a delivery id).
    with pytest.raises(errors.HTTPStatusError):
        client(policy=Policy(attempts=2)).request(
            "POST", fake_server.url + "/x", body=b"{}", retry_unsafe=True
        )
    assert len(fake_server.seen("POST")) == 3


def test_a_4xx_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/gone", 401, json={"message": "Bad credentials"})
    with pytest.raises(errors.HTTPStatusError) as caught:
        client().request("GET", fake_server.url + "/gone")
    assert caught.value.response.json() == {"message": "Bad credentials"}
    assert len(fake_server.requests) == 1


def test_a_timeout(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/slow", 200, delay=30)
    fake_server.reply("POST", "/slow", 200, delay=30)
    fast = Policy(timeout=0.2, attempts=2)
    with pytest.raises(errors.Timeout) as caught:
        client(policy=fast).request("GET", fake_server.url + "/slow")
    assert caught.value.code == "timeout" and caught.value.sent
    assert len(fake_server.seen("GET")) == 2
    with pytest.raises(errors.Timeout):
        client(policy=fast).request("POST", fake_server.url + "/slow", body=b"")
    assert len(fake_server.seen("POST")) == 1


def test_a_refused_connection_is_retried_for_any_method() -> None:
    with FakeServer() as gone:
        url = gone.url
    sleeps = Sleeps()
    with pytest.raises(errors.ConnectionFailed) as caught:
        client(sleep=sleeps, policy=Policy(attempts=2)).request("POST", url + "/", body=b"")
    assert not caught.value.sent and sleeps == [1.0]


@pytest.mark.parametrize(
    "location,reason",
    [
        ("http://10.0.0.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/iam/", "metadata"),
        ("http://[::1]/", "loopback"),
        ("http://inside.example.com/", "link-local"),
    ],
)
def test_a_redirect_to_a_refused_address_is_refused(
    fake_server: FakeServer, location: str, reason: str
) -> None:
    fake_server.reply("GET", "/start", 302, headers={"Location": location})

    def resolver(host: str, port: int) -> list[str]:
        return {"inside.example.com": ["169.254.10.10"]}[host]

    with pytest.raises(errors.RefusedAddress) as caught:
        client(resolver=resolver).request("GET", fake_server.url + "/start")
    assert caught.value.reason == reason
    assert [r.path for r in fake_server.requests] == ["/start"]


def test_redirects_are_followed_and_credentials_stay_with_their_origin(
    fake_server: FakeServer,
) -> None:
    with FakeServer() as other:
        fake_server.reply("POST", "/a", 303, headers={"Location": "/b"})
        fake_server.reply("GET", "/b", 307, headers={"Location": other.url + "/c"})
        other.reply("GET", "/c", 200, body=b"here")
        answer = client().request(
            "POST", fake_server.url + "/a", body=b"x", headers={"Authorization": "Bearer s"}
        )
        assert (answer.status, answer.text, answer.url) == (200, "here", other.url + "/c")
        assert [(r.method, r.path) for r in fake_server.requests] == [("POST", "/a"), ("GET", "/b")]
        assert fake_server.requests[1].headers["authorization"] == "Bearer s"
        assert "authorization" not in other.requests[0].headers


def test_too_many_redirects(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/loop", 302, headers={"Location": "/loop"})
    with pytest.raises(errors.TooManyRedirects):
        client(policy=Policy(max_redirects=3)).request("GET", fake_server.url + "/loop")
    assert len(fake_server.requests) == 4


def test_the_name_is_resolved_once_and_that_address_is_used(fake_server: FakeServer) -> None:
    """DNS rebinding: the second answer would be the metadata service; it is never asked."""
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    fake_server.reply("GET", "/", 200, body=b"the checked address")
    answer = client(resolver=resolver).request("GET", f"http://tracker.test:{fake_server.port}/")
    assert answer.text == "the checked address"
    assert asked == ["tracker.test"]
    assert fake_server.requests[0].headers["host"] == f"tracker.test:{fake_server.port}"


def test_tls_is_verified_against_the_name_while_connecting_to_the_address() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with FakeServer(tls="tracker.test") as server:
        server.reply("GET", "/", 200, body=b"secure")
        allowed = Allowance.of(["tracker.test"])
        trusting = client(allowance=allowed, resolver=resolver, ssl_context=server.ssl_context())
        assert trusting.request("GET", server.url + "/").text == "secure"
        with pytest.raises(errors.TLSFailed) as caught:
            client(allowance=allowed, resolver=resolver).request("GET", server.url + "/")
        assert caught.value.code == "tls_failed"
        # The same certificate reached under another name fails too.
        other = Allowance.of(["other.test"])
        with pytest.raises(errors.TLSFailed):
            client(allowance=other, resolver=resolver, ssl_context=server.ssl_context()).request(
                "GET", f"https://other.test:{server.port}/"
            )
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "http://user:pw@example.com/", "http:///path", "http://x:99999/"]
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(errors.BadURL):
        Client(resolver=no_dns).request("GET", url)


def test_an_unresolvable_name() -> None:
    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(errors.DNSFailed):
        Client(resolver=resolver).request("GET", "https://nowhere.invalid/")


def test_a_body_past_the_limit(fake_server: FakeServer) -> None:
    fake_server.reply("GET", "/big", 200, body=b"x" * 100)
    with pytest.raises(errors.TooLarge):
        client(policy=Policy(max_bytes=50)).request("GET", fake_server.url + "/big")


def test_retry_after_as_an_http_date() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:40 GMT", now) == 20.0
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("soon", now) is None
