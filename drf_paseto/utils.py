"""What a request says about where it comes from: the client's address and its origin.

Two rules, each in one place, used by every part of drf_paseto that needs them:

* ``_client_ip(request)``: the connecting address (``REMOTE_ADDR``), unless the project says
  it sits behind proxies (DRF's ``NUM_PROXIES``, as DRF's own throttles read it); then the
  address that many hops back in ``X-Forwarded-For``. A header value is never trusted
  otherwise, so a client cannot pick its own address (the login throttle keys on it).
* ``origin_allowed(origin, scheme, host, trusted)``: Django's ``CsrfViewMiddleware`` rule for
  an ``Origin`` header: this site (scheme and host), or one of the trusted origins
  (``CSRF_TRUSTED_ORIGINS``, ``*.`` wildcards included). ``is_same_origin(request)`` applies
  it to an HTTP request; drf_paseto.channels to a WebSocket handshake.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils.http import is_same_domain
from rest_framework.settings import api_settings as drf_settings

__all__ = [
    "is_same_origin",
]


#: ``Sec-Fetch-Site`` values of requests a page of another origin did not make.
_SAME_ORIGIN_FETCH_SITES = ("same-origin", "none")


def _trusted_proxy_count() -> int:
    """DRF's ``NUM_PROXIES`` when it is a positive number, else 0. DRF's own default,
    ``None`` ("use the whole ``X-Forwarded-For`` header"), is never taken: a client would
    pick its own address with it."""
    count = drf_settings.NUM_PROXIES
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def _address(value: str) -> str | None:
    """``value`` as a normalized IP address, or ``None`` when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _client_ip(request: Any) -> str:
    """The client's IP address: ``REMOTE_ADDR``, or with ``N`` trusted proxies the ``N``-th
    address from the right of ``X-Forwarded-For`` (the one the outermost proxy saw).

    A forwarded value that is not an IP address, or a header shorter than the proxy chain
    (a proxy that did not append), falls back to ``REMOTE_ADDR``. Always a short string.
    """
    meta = request.META
    remote = _address(str(meta.get("REMOTE_ADDR") or "")) or ""
    count = _trusted_proxy_count()
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if count and isinstance(forwarded, str):
        hops = forwarded.split(",")
        if len(hops) >= count:
            return _address(hops[-count]) or remote
    return remote


# --- the Origin rule ------------------------------------------------------------------------


def _trusted_origins() -> list[str]:
    """Django's ``CSRF_TRUSTED_ORIGINS``."""
    return [str(origin) for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", [])]


def _origin_allowed(origin: str, scheme: str, host: str | None, trusted: Iterable[str]) -> bool:
    """Whether ``origin`` is ``scheme://host`` or one of ``trusted``, as Django's CSRF
    middleware decides for ``Origin`` (a trusted ``https://*.example.com`` allows every
    subdomain of example.com over https). Case does not matter; ``null`` is never allowed.
    """
    origin = origin.strip().lower()
    if host is not None and origin == f"{scheme}://{host}".lower():
        return True
    patterns = [pattern.lower() for pattern in trusted]
    if origin in (pattern for pattern in patterns if "*" not in pattern):
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, allowed.netloc.lstrip("*"))
        for allowed in (urlsplit(pattern) for pattern in patterns if "*" in pattern)
        if allowed.scheme == parsed.scheme
    )


def is_same_origin(request: Any) -> bool:
    """Whether a page of another origin may have made this request: ``False`` when it did.

    ``Origin`` decides when sent (browsers send it with every POST): it must be this site
    or trusted. Without it, ``Sec-Fetch-Site`` must be ``same-origin`` or ``none`` (typed by
    the user). A request with neither header comes from no browser page (curl, an app):
    allowed, since a forged request needs a victim's browser.
    """
    meta = request.META
    origin = meta.get("HTTP_ORIGIN")
    if origin is not None:
        try:
            host: str | None = request.get_host()
        except DisallowedHost:
            host = None
        scheme = "https" if request.is_secure() else "http"
        return _origin_allowed(str(origin), scheme, host, _trusted_origins())
    fetch_site = meta.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return str(fetch_site).strip().lower() in _SAME_ORIGIN_FETCH_SITES
    return True
