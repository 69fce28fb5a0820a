"""Where a server may listen in each auth mode: local mode stays on loopback."""

from __future__ import annotations

import ipaddress

from seascope.errors import ConfigError

__all__ = ["check_bind_allowed", "is_loopback_host"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` only reaches this machine (``127.0.0.0/8``, ``::1``, ``localhost``).

    Other names are not resolved (no I/O here) and count as reachable from outside;
    ``0.0.0.0``, ``::`` and ``""`` mean every interface.

    Example:
        >>> [is_loopback_host(h) for h in ("127.0.0.1", "[::1]", "localhost", "0.0.0.0")]
        [True, True, True, False]
    """
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def check_bind_allowed(mode: str, host: str, *, force: bool = False) -> None:
    """Refuse to serve local mode (no login, one all-powerful user) beyond loopback.

    Args:
        mode: The auth mode (``local``, ``token`` or ``oidc``).
        host: The address the server is about to bind.
        force: The operator's explicit override (a reverse proxy that authenticates, a
            container whose port is published only on loopback).

    Raises:
        ConfigError: local mode on a non-loopback address without ``force``.

    Example:
        >>> check_bind_allowed("oidc", "0.0.0.0")
        >>> check_bind_allowed("local", "0.0.0.0")
        Traceback (most recent call last):
        ...
        seascope.errors.ConfigError: auth mode 'local' has no login, ...
    """
    if mode != "local" or force or is_loopback_host(host):
        return
    where = repr(host) if host else "every interface"
    raise ConfigError(
        f"auth mode 'local' has no login, so the server only listens on loopback, not "
        f"{where}: use SEASCOPE_AUTH_MODE=token or oidc, bind "
        "127.0.0.1, or force it if something in front authenticates"
    )
