"""Typed readers for settings that come from the environment.

Every variable read here is recorded in ``ENV_VARS`` so a test can prove the README
documents each one. Bad values raise ``ImproperlyConfiguredEnv`` at start-up rather
than surfacing later as a confusing error.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VARS: set[str] = set()


class ImproperlyConfiguredEnv(ValueError):
    pass


def _raw(name: str) -> str | None:
    ENV_VARS.add(name)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_optional(name: str) -> str | None:
    return _raw(name)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return (Path(value) if value else default).expanduser().resolve()


def env_networks(name: str, default: list[str]) -> list[str]:
    """Addresses or networks ("10.0.0.0/8, 192.0.2.7"), each checked, in CIDR form."""
    import ipaddress

    networks = []
    for item in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfiguredEnv(
                f"{name} must list IP addresses or networks, not {item!r}"
            ) from None
    return networks
