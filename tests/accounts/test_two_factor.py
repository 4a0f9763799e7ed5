"""Two-factor sign-in: the TOTP arithmetic against RFC 6238's own vectors, and alice
setting it up, signing in with a code or a recovery code, a stranger with her password
guessing codes, a desk that requires it, and an admin resetting bob's lost phone."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django.urls import reverse

from calmdesk.accounts import totp
from calmdesk.accounts.models import Agent, Notification, RecoveryCode, Role, TwoFactor
from calmdesk.accounts.twofactor import (
    CODE,
    RECOVERY,
    do_begin_two_factor,
    do_check_second_factor,
    do_confirm_two_factor,
    has_two_factor,
)
from calmdesk.accounts.views.two_factor import PENDING

PASSWORD = "a calm password 42"

# RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's length.
SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890" * 6 + b"1234"


@pytest.mark.parametrize(
    "unix_time,key,digest,expected",
    [
        (59, SHA1_KEY, hashlib.sha1, "94287082"),
        (59, SHA256_KEY, hashlib.sha256, "46119246"),
        (59, SHA512_KEY, hashlib.sha512, "90693936"),
        (1111111109, SHA1_KEY, hashlib.sha1, "07081804"),
        (1111111109, SHA256_KEY, hashlib.sha256, "68084774"),
        (1111111109, SHA512_KEY, hashlib.sha512, "25091201"),
        (1111111111, SHA1_KEY, hashlib.sha1, "14050471"),
        (1111111111, SHA256_KEY, hashlib.sha256, "67062674"),
        (1111111111, SHA512_KEY, hashlib.sha512, "99943326"),
        (1234567890, SHA1_KEY, hashlib.sha1, "89005924"),
        (1234567890, SHA256_KEY, hashlib.sha256, "91819424"),
        (1234567890, SHA512_KEY, hashlib.sha512, "93441116"),
        (2000000000, SHA1_KEY, hashlib.sha1, "69279037"),
        (2000000000, SHA256_KEY, hashlib.sha256, "90698825"),
        (2000000000, SHA512_KEY, hashlib.sha512, "38618901"),
        (20000000000, SHA1_KEY, hashlib.sha1, "65353130"),
        (20000000000, SHA256_KEY, hashlib.sha256, "77737706"),
        (20000000000, SHA512_KEY, hashlib.sha512, "47863826"),
    ],
)
def test_rfc_6238_vectors(unix_time: int, key: bytes, digest, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert totp.hotp(key, totp.step_at(unix_time), digits=8, digest=digest) == expected


def test_the_six_digit_code_is_the_vectors_last_six() -> None:
    secret = totp.new_secret()
    assert totp.secret_bytes(secret) and len(totp.secret_bytes(secret)) == 20
    sha1_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of SHA1_KEY
    assert totp.code_at(sha1_secret, 59) == "287082"
    assert totp.code_at(totp.grouped(sha1_secret), 1111111109) == "081804"


NOW = 1_800_000_015.0  # mid-step, so ±1 step is exactly the drift allowed
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(
    "offset,accepted",
    [(0, True), (-30, True), (30, True), (-60, False), (60, False), (-3600, False)],
)
def test_one_step_of_clock_drift_is_accepted(offset: int, accepted: bool) -> None:
    code = totp.code_at(SECRET, NOW + offset)
    step = totp.matching_step(SECRET, code, NOW)
    assert (step == totp.step_at(NOW + offset)) if accepted else step is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_match_nothing(code: str) -> None:
    assert totp.matching_step(SECRET, code, NOW) is None


def test_a_used_step_is_refused_and_only_newer_ones_pass() -> None:
    step = totp.step_at(NOW)
    code = totp.code_at(SECRET, NOW)
    assert totp.matching_step(SECRET, code, NOW, after=step - 1) == step
    assert totp.matching_step(SECRET, code, NOW, after=step) is None
    earlier = totp.code_at(SECRET, NOW - 30)
    assert totp.matching_step(SECRET, earlier, NOW, after=step) is None


def test_the_uri_an_authenticator_app_reads() -> None:
    uri = totp.provisioning_uri(SECRET, "alice")
    assert uri == f"otpauth://totp/calmdesk:alice?secret={SECRET}&issuer=calmdesk"
    assert "calmdesk:a%20b%2Fc" in totp.provisioning_uri(SECRET, "a b/c")


def test_recovery_codes_are_random_and_their_hash_ignores_typing() -> None:
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes)
    assert totp.recovery_code_hash(codes[0]) == totp.recovery_code_hash(
        " " + codes[0].upper().replace("-", " ") + " "
    )


# -- the desk ------------------------------------------------------------------------


def _person(username: str, role: str = Role.AGENT, **extra):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(
        username, f"{username}@desk.example", PASSWORD, **extra
    )
    Agent.objects.create(user=user, role=role)
    return user


@pytest.fixture
def alice(db):  # type: ignore[no-untyped-def]
    return _person("alice")


def _when(offset: float = 0) -> datetime:
    return datetime.fromtimestamp(time.time() + offset, tz=UTC)


def _turn_on(user) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    two_factor = do_begin_two_factor(user)
    earlier = _when(-30)  # leaves the current step free for the sign-in
    codes = do_confirm_two_factor(
        user, totp.code_at(two_factor.secret, earlier.timestamp()), earlier
    )
    assert codes is not None
    return two_factor.secret, codes


def _password_step(client: Client, url: str | None = None, username: str = "alice"):  # type: ignore[no-untyped-def]
    return client.post(url or reverse("login"), {"username": username, "password": PASSWORD})


def test_alice_sets_it_up_from_her_settings(client, alice) -> None:  # type: ignore[no-untyped-def]
    client.force_login(alice)
    assert "Set up" in client.get(reverse("preferences")).content.decode()
    assert client.post(reverse("two_factor_setup")).status_code == 302
    page = client.get(reverse("two_factor_setup")).content.decode()
    secret = TwoFactor.objects.get(user=alice).secret
    assert totp.grouped(secret) in page
    assert f"otpauth://totp/calmdesk:alice?secret={secret}&amp;issuer=calmdesk" in page
    assert not has_two_factor(alice)  # not before a code proves the app has it

    wrong = client.post(reverse("two_factor_confirm"), {"code": "000000"})
    assert wrong.status_code == 400 and not has_two_factor(alice)

    code = totp.code_at(secret, time.time())
    shown = client.post(reverse("two_factor_confirm"), {"code": code})
    assert shown.status_code == 200 and has_two_factor(alice)
    kept = set(
        RecoveryCode.objects.filter(two_factor__user=alice).values_list("code_hash", flat=True)
    )
    page = shown.content.decode()
    shown_codes = [part.split("</code>")[0] for part in page.split("<code>")[1:]]
    assert len(shown_codes) == 10 and {totp.recovery_code_hash(c) for c in shown_codes} == kept
    assert not kept & set(shown_codes)  # only their hashes are stored
    assert "On." in client.get(reverse("preferences")).content.decode()


def test_the_password_alone_does_not_sign_her_in(client, alice) -> None:  # type: ignore[no-untyped-def]
    _turn_on(alice)
    response = _password_step(client)
    assert response["Location"] == reverse("two_factor_verify")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("inbox")).status_code == 302


def test_a_code_signs_her_in_with_a_new_session_and_keeps_next(client, alice) -> None:  # type: ignore[no-untyped-def]
    secret, _codes = _turn_on(alice)
    _password_step(client, reverse("login") + "?next=/search/%3Fq%3Dcheckout")
    before = client.session.session_key
    response = client.post(
        reverse("two_factor_verify"), {"code": totp.code_at(secret, time.time())}
    )
    assert response.status_code == 302 and response["Location"] == "/search/?q=checkout"
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(alice.pk) and PENDING not in client.session
    assert client.get(reverse("inbox")).status_code == 200


def test_an_outside_next_is_not_followed(client, alice) -> None:  # type: ignore[no-untyped-def]
    secret, _codes = _turn_on(alice)
    _password_step(client, reverse("login") + "?next=https://evil.example/")
    response = client.post(
        reverse("two_factor_verify"), {"code": totp.code_at(secret, time.time())}
    )
    assert response["Location"] == reverse("inbox")


def test_a_code_is_good_once(alice) -> None:  # type: ignore[no-untyped-def]
    secret, _codes = _turn_on(alice)
    now = _when()
    code = totp.code_at(secret, now.timestamp())
    assert do_check_second_factor(alice, code, now) == CODE
    assert do_check_second_factor(alice, code, now) is None
    # An older code (still inside the drift) cannot come after a newer one either.
    assert do_check_second_factor(alice, totp.code_at(secret, now.timestamp() - 30), now) is None
    later = _when(30)
    assert do_check_second_factor(alice, totp.code_at(secret, later.timestamp()), later) == CODE


def test_a_recovery_code_signs_in_once(client, alice) -> None:  # type: ignore[no-untyped-def]
    _secret, codes = _turn_on(alice)
    _password_step(client)
    response = client.post(reverse("two_factor_verify"), {"code": codes[3].upper()}, follow=True)
    assert response.redirect_chain[0][0] == reverse("inbox")
    assert "9 left" in response.content.decode()
    client.post(reverse("logout"))
    _password_step(client)
    again = client.post(reverse("two_factor_verify"), {"code": codes[3]})
    assert again.status_code == 200 and SESSION_KEY not in client.session
    assert do_check_second_factor(alice, codes[4]) == RECOVERY


def test_wrong_codes_count_toward_the_lockout(client, alice, settings) -> None:  # type: ignore[no-untyped-def]
    _secret, _codes = _turn_on(alice)
    _password_step(client)
    for _try in range(2):
        assert client.post(reverse("two_factor_verify"), {"code": "000000"}).status_code == 200
    # The third wrong code: back to the password.
    third = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert third["Location"] == reverse("login") and PENDING not in client.session
    failures = sum(
        AccessAttempt.objects.filter(username="alice").values_list(
            "failures_since_start", flat=True
        )
    )
    assert failures == 3
    # The password again, then wrong codes up to django-axes' limit: locked out.
    _password_step(client)
    for _try in range(settings.AXES_FAILURE_LIMIT - 3 - 1):
        client.post(reverse("two_factor_verify"), {"code": "000000"})
    locked = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert locked.status_code == 429
    assert _password_step(client).status_code == 429
    assert SESSION_KEY not in client.session and PENDING not in client.session


def test_the_code_step_expires(client, alice) -> None:  # type: ignore[no-untyped-def]
    secret, _codes = _turn_on(alice)
    _password_step(client)
    session = client.session
    session[PENDING] = {**session[PENDING], "until": time.time() - 1}
    session.save()
    response = client.post(
        reverse("two_factor_verify"), {"code": totp.code_at(secret, time.time())}
    )
    assert response["Location"] == reverse("login") and SESSION_KEY not in client.session


def test_agents_without_it_sign_in_with_the_password_alone(client, alice) -> None:  # type: ignore[no-untyped-def]
    response = _password_step(client)
    assert response["Location"] == reverse("inbox") and client.session[SESSION_KEY] == str(alice.pk)


def test_turning_it_off_takes_a_code_or_the_password(client, alice) -> None:  # type: ignore[no-untyped-def]
    _turn_on(alice)
    client.force_login(alice)
    client.post(reverse("two_factor_off"), {"code": "000000", "password": "wrong"})
    assert has_two_factor(alice)
    client.post(reverse("two_factor_off"), {"password": PASSWORD})
    assert not has_two_factor(alice) and not RecoveryCode.objects.exists()


def test_a_desk_that_requires_it_sends_everyone_to_the_setup(client, alice, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUIRE_TWO_FACTOR = True
    client.force_login(alice)
    setup = reverse("two_factor_setup")
    for url in (reverse("inbox"), reverse("preferences"), reverse("search"), "/admin/"):
        assert client.get(url)["Location"] == setup, url
    assert client.get(reverse("inbox"), headers={"HX-Request": "true"})["HX-Redirect"] == setup
    assert client.get(setup).status_code == 200
    client.post(setup)
    code = totp.code_at(TwoFactor.objects.get(user=alice).secret, time.time())
    assert client.post(reverse("two_factor_confirm"), {"code": code}).status_code == 200
    assert client.get(reverse("inbox")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_an_admin_resets_bobs_lost_phone(db) -> None:  # type: ignore[no-untyped-def]
    admin = _person("dana", Role.ADMIN)
    bob = _person("bob")
    _turn_on(bob)
    bobs = Client()
    bobs.force_login(bob)
    desk_admin = Client()
    desk_admin.force_login(admin)
    assert (
        "Reset the two-factor sign-in of bob" in desk_admin.get(reverse("people")).content.decode()
    )
    response = desk_admin.post(reverse("people_two_factor_reset", args=[bob.agent.pk]))
    assert response.status_code == 302 and not has_two_factor(bob)
    note = Notification.objects.get(recipient=bob)
    assert note.title == "Your two-factor sign-in was reset by dana" and note.actor == admin
    assert bobs.get(reverse("inbox")).status_code == 302  # his sessions ended
    assert desk_admin.get(reverse("inbox")).status_code == 200


def test_the_django_admin_resets_it_too(db) -> None:  # type: ignore[no-untyped-def]
    root = _person("root", Role.ADMIN, is_staff=True, is_superuser=True)
    bob = _person("bob")
    _turn_on(bob)
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [bob.pk, root.pk]},
    )
    assert response.status_code == 302 and not has_two_factor(bob)
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert client.get(reverse("inbox")).status_code == 200  # the admin's own session stays


def test_new_recovery_codes_replace_the_old_after_a_code(client, alice) -> None:  # type: ignore[no-untyped-def]
    secret, old = _turn_on(alice)
    client.force_login(alice)
    client.post(reverse("two_factor_codes"), {"code": "000000"})
    assert do_check_second_factor(alice, old[0]) == RECOVERY  # still the old set
    page = client.post(reverse("two_factor_codes"), {"code": totp.code_at(secret, time.time())})
    new = [part.split("</code>")[0] for part in page.content.decode().split("<code>")[1:]]
    assert len(new) == 10 and not set(new) & set(old)
    assert do_check_second_factor(alice, old[1]) is None
    assert do_check_second_factor(alice, new[0]) == RECOVERY


def test_a_right_code_does_not_pass_once_the_account_is_locked_out(client, alice, settings) -> None:  # type: ignore[no-untyped-def]
    secret, _codes = _turn_on(alice)
    _password_step(client)
    # Meanwhile, from the same address, someone guesses her password up to the limit.
    guesser = Client()
    for _try in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(reverse("login"), {"username": "alice", "password": "guess"})
    response = client.post(
        reverse("two_factor_verify"), {"code": totp.code_at(secret, time.time())}
    )
    assert response.status_code == 429
    assert SESSION_KEY not in client.session and PENDING not in client.session
