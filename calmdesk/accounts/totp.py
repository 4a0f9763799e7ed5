"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), with the standard
library only: HMAC-SHA1, 30-second steps, 6 digits, as every authenticator app reads
an ``otpauth://`` URI by default. Pure functions; time is passed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from urllib.parse import quote, urlencode

STEP_SECONDS = 30  # RFC 6238 §5.2: the recommended time step
DIGITS = 6
DRIFT_STEPS = 1  # RFC 6238 §5.2: one step either way for clocks and typing
SECRET_BYTES = 20  # RFC 4226 §4: 160 bits, the length of an SHA-1 output
ISSUER = "calmdesk"
# Recovery codes: 10 characters of a 31-letter alphabet (about 50 bits), in two groups.
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10


def new_secret() -> str:
    """A random key, base32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_bytes(secret: str) -> bytes:
    cleaned = "".join(secret.split()).upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def hotp(
    key: bytes,
    counter: int,
    *,
    digits: int = DIGITS,
    digest: Callable[..., object] = hashlib.sha1,
) -> str:
    """RFC 4226 §5.3: HMAC of the counter, dynamically truncated to ``digits``."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()  # type: ignore[arg-type]
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    return hotp(secret_bytes(secret), step_at(unix_time))


def matching_step(
    secret: str, code: str, unix_time: float, *, after: int | None = None
) -> int | None:
    """The time step ``code`` belongs to, within ±``DRIFT_STEPS`` of ``unix_time``, or
    None. A step at or before ``after`` (the last one used) does not count: a code is
    good once. Each candidate is compared in constant time."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = secret_bytes(secret)
    now = step_at(unix_time)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code) and (after is None or step > after):
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://totp/`` URI an authenticator app reads (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return f"otpauth://totp/{label}?{urlencode({'secret': secret, 'issuer': issuer})}"


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """Codes are random (50 bits), so a plain SHA-256 of the normalised code is enough
    to keep them unreadable at rest; spaces, dashes and case do not matter when typed."""
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()
