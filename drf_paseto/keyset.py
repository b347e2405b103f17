"""Keys from the issuer: a verify-only service follows the issuer's ``keys/`` (``KEYS_URL``).

The key set is fetched with the standard library (an overall deadline, a size limit, strict
parsing) and kept in Django's cache (``CACHE_ALIAS``), so that all the workers of a
service fetch it once between them; each process also keeps the parsed keys until the set is
due again.

* A key set is used for ``KEYS_MAX_AGE_SECONDS`` (or the issuer's ``Cache-Control: max-age``,
  if shorter), then fetched again by one worker while the others go on with it.
* A token naming a ``kid`` the set does not hold makes one fetch, at most one per
  ``KEYS_REFETCH_INTERVAL_SECONDS`` for the whole service, however many distinct unknown
  ids arrive: garbage tokens cannot make the service hammer the issuer.
* With no good set at all (a cold start), one fetch at a time: the other requests of the
  process wait for it (never longer than ``FETCH_TIMEOUT_SECONDS`` in all), those of other
  processes answer 503 ``keys_unavailable`` until it is shared.
* While the issuer is down or answers garbage, the last good set stays in force for
  ``KEYS_MAX_STALE_SECONDS`` after it was fetched; then requests fail closed (503
  ``keys_unavailable``) until a fetch succeeds again, which is tried at most once per
  ``KEYS_REFETCH_INTERVAL_SECONDS``.
* A fetch ends within ``FETCH_TIMEOUT_SECONDS`` whatever the issuer (or a relay) does: a
  peer that sends one byte every few seconds is cut off at the deadline.
* With the cache down, each process keeps these limits by itself: it refreshes after
  ``KEYS_MAX_AGE_SECONDS`` as the service would, at most once per interval.
* Only ``k<VERSION>.public`` keys are taken; a set that offers anything else is refused
  whole (so is a set that does not parse, or names a ``kid`` its key does not have).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches

from drf_paseto import _encoding, backend, clock
from drf_paseto.backend import PasetoKey
from drf_paseto.exceptions import KeyConfigurationError, KeysUnavailable
from drf_paseto.settings import api_settings

__all__ = [
    "FETCH_TIMEOUT_SECONDS",
    "KEYS_MAX_STALE_SECONDS",
    "KEYS_REFETCH_INTERVAL_SECONDS",
]


_logger = logging.getLogger("drf_paseto")

#: How long one fetch may take in all (the name lookup, connecting, the headers and the body
#: together), in seconds; also the longest a request waits for another one's first fetch.
FETCH_TIMEOUT_SECONDS = 5.0
#: The largest key set we read, in bytes: far more than any real set of keys needs.
_MAX_KEY_SET_BYTES = 64 * 1024
#: The most keys one set may hold.
_MAX_KEYS = 32
#: The least time between two fetches for one reason (a refresh, an unknown ``kid``), for all
#: the workers of a service together (each process by itself while the cache is down); also
#: how long a failed fetch is not tried again.
KEYS_REFETCH_INTERVAL_SECONDS = 30
#: How long the last good key set stays in force while the issuer is down or answers garbage.
KEYS_MAX_STALE_SECONDS = 24 * 60 * 60
_ENTRY_FIELDS = {"kid", "paserk", "version", "purpose", "current"}
# A cache call that failed (not the same as "the key is not there").
_CACHE_DOWN = object()
# One first fetch at a time in this process (the others wait for it).
_first_fetch = threading.Lock()
# Guards the per-process gates used while the cache is down.
_gates_lock = threading.Lock()


class _KeySetRefused(Exception):
    """A fetch failed or its answer is not a key set we take (the reason is for the log)."""


@dataclass(frozen=True)
class _KeySet:
    """A parsed key set: its keys by ``kid``, the current one's ``kid``, and its times."""

    keys: dict[str, PasetoKey]
    current_kid: str | None
    fetched_at: float
    fresh_until: float


def _now() -> float:
    """Seconds since the epoch, from the clock tokens are checked against."""
    return clock.current_time().timestamp()


# --- fetching and parsing ----------------------------------------------------------------


def _parse_max_age(cache_control: str | None) -> int | None:
    """The ``max-age`` of a ``Cache-Control`` header, if it has one that is a number."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age" and value.strip().isdigit():
            return int(value.strip())
    return None


def _parse_key_set(body: bytes, version: int) -> tuple[dict[str, PasetoKey], str | None]:
    """The keys of a ``keys/`` answer, strictly: ``{"keys": [{"kid", "paserk", "version",
    "purpose", "current"}, ...]}`` with public keys of ``version`` only, each ``kid`` the
    PASERK id of its key, at most one current. Raises ``_KeySetRefused``."""

    try:
        # {"keys": [{...}, ...]} nests 3 deep; a deeper value has no place in an entry.
        document = _encoding.loads_object(body, max_depth=3)
    except ValueError as err:
        raise _KeySetRefused("the key set is not a strict JSON object") from err
    if set(document) != {"keys"}:
        raise _KeySetRefused('the key set is not {"keys": [...]}')
    entries = document["keys"]
    if not isinstance(entries, list) or not 0 < len(entries) <= _MAX_KEYS:
        raise _KeySetRefused(f"the key set must list 1 to {_MAX_KEYS} keys")
    keys: dict[str, PasetoKey] = {}
    current: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != _ENTRY_FIELDS:
            raise _KeySetRefused("a key entry has other fields than " + ", ".join(_ENTRY_FIELDS))
        paserk, kid = entry["paserk"], entry["kid"]
        if (
            entry["version"] != f"v{version}"
            or entry["purpose"] != "public"
            or not isinstance(paserk, str)
            or not paserk.startswith(f"k{version}.public.")
            or type(entry["current"]) is not bool
        ):
            raise _KeySetRefused(f"a key entry is not a k{version}.public key")
        try:
            key = backend.key_from_paserk(paserk, version)
        except KeyConfigurationError as err:
            raise _KeySetRefused(f"a key entry's key cannot be used: {err}") from err
        if key.kid != kid or kid in keys:
            raise _KeySetRefused("a key entry's kid is not its key's, or is listed twice")
        keys[kid] = key
        if entry["current"]:
            current.append(kid)
    if len(current) > 1:
        raise _KeySetRefused("the key set marks more than one key current")
    return keys, (current[0] if current else None)


def _opener() -> urllib.request.OpenerDirector:
    """An urllib opener for http and https only: no redirect (a 3xx is refused), no proxy
    from the environment, no ``file:`` or ``ftp:``. Its timeout bounds each socket operation,
    not a whole exchange: ``_call`` bounds that."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


@dataclass(frozen=True)
class _Answer:
    """An HTTP answer read by ``_call``: its status, its headers and (at most ``max_bytes``
    and one more) its body."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes


class _Exchange:
    """One HTTP exchange, run in a thread of its own so that its caller can leave it at the
    deadline. Leaving shuts its connection down, which ends the thread too: the read it is
    blocked in returns at once (a peer dribbling bytes cannot hold it), and a connection
    made after that is never used."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connection: http.client.HTTPConnection
        if parts.scheme == "https":
            self.connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            self.connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=timeout
            )
        self.lock = threading.Lock()
        self.left = False
        self.answer: _Answer | None = None
        self.error: BaseException | None = None

    def run(self, headers: dict[str, str], max_bytes: int) -> None:
        try:
            self.connection.connect()
            with self.lock:
                if self.left:  # connected after the caller left: never used
                    return
            self.connection.request("GET", self.path, headers=headers)
            response = self.connection.getresponse()
            self.answer = _Answer(response.status, response.headers, response.read(max_bytes + 1))
        except BaseException as err:  # handed to the caller, who raises it
            self.error = err
        finally:
            self.connection.close()

    def leave(self) -> None:
        with self.lock:
            self.left = True
            sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # closed already
                sock.shutdown(socket.SHUT_RDWR)


def _call(url: str, *, timeout: float, max_bytes: int, headers: dict[str, str]) -> _Answer:
    """One HTTP GET of an http(s) ``url`` that ends within ``timeout`` seconds in all:
    the name lookup, connecting, sending, the headers and the body together, however slowly
    the peer answers. No redirect is followed and no proxy from the environment is used.
    Raises ``TimeoutError`` at the deadline, ``ValueError`` for a URL that is not http(s),
    and what ``http.client`` raises (``OSError``, ``http.client.HTTPException``)."""
    exchange = _Exchange(url, timeout)
    thread = threading.Thread(
        target=exchange.run,
        args=(headers, max_bytes),
        name="drf_paseto HTTP call",
        daemon=True,
    )
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        exchange.leave()
        raise TimeoutError(f"no complete answer within {timeout:g} s")
    if exchange.error is not None:
        raise exchange.error
    assert exchange.answer is not None
    return exchange.answer


def _fetch(url: str, timeout: float | None = None) -> tuple[bytes, int | None]:
    """GET the key set within ``timeout`` seconds (``FETCH_TIMEOUT_SECONDS``): its body (at
    most ``_MAX_KEY_SET_BYTES``) and its ``max-age``. Raises ``_KeySetRefused``."""
    if not url.startswith(("https://", "http://")):
        raise _KeySetRefused("KEYS_URL is not an http(s) URL")
    try:
        answer = _call(
            url,
            timeout=FETCH_TIMEOUT_SECONDS if timeout is None else timeout,
            max_bytes=_MAX_KEY_SET_BYTES,
            headers={"Accept": "application/json"},
        )
    except (http.client.HTTPException, OSError, ValueError) as err:
        # refused, the deadline, a broken answer, a bad certificate
        raise _KeySetRefused(f"the key set cannot be fetched: {type(err).__name__}") from err
    if answer.status != 200:  # an error status, and a redirect: not followed
        raise _KeySetRefused(f"the issuer answered {answer.status}")
    content_type = answer.headers.get_content_type()
    if content_type != "application/json":
        raise _KeySetRefused(f"the issuer answered {content_type}, not JSON")
    if len(answer.body) > _MAX_KEY_SET_BYTES:
        raise _KeySetRefused(f"the key set is larger than {_MAX_KEY_SET_BYTES} bytes")
    return answer.body, _parse_max_age(answer.headers.get("Cache-Control"))


# --- the shared copy -----------------------------------------------------------------------


def _cache_call(method: str, *args: Any) -> Any:
    """One call to the ``CACHE_ALIAS`` cache; ``_CACHE_DOWN`` when the cache fails
    (each worker then goes on by itself: what it has, and its own gates)."""
    try:
        return getattr(caches[api_settings.CACHE_ALIAS], method)(*args)
    except Exception as err:  # redis.ConnectionError, pymemcache errors, timeouts ...
        _logger.warning("drf_paseto cannot use CACHE_ALIAS: %s", type(err).__name__)
        return _CACHE_DOWN


def _cache_key(name: str) -> str:
    url_id = hashlib.sha256(str(api_settings.KEYS_URL).encode("utf-8")).hexdigest()[:16]
    return f"drf_paseto:keys:{url_id}:{name}"


def _from_entry(entry: Any) -> _KeySet | None:
    """The parsed set of a cache entry (parsed once per process), or ``None``."""
    if not isinstance(entry, dict):
        return None
    parsed: _KeySet | None = api_settings.derived.get("key_set")
    if parsed is not None and parsed.fetched_at == entry.get("fetched_at"):
        return parsed
    try:
        keys, current = _parse_key_set(entry["body"].encode("utf-8"), api_settings.VERSION)
        parsed = _KeySet(keys, current, float(entry["fetched_at"]), float(entry["fresh_until"]))
    except (_KeySetRefused, KeyError, TypeError, ValueError, AttributeError):
        return None  # written by another version of us: fetch again
    api_settings.derived["key_set"] = parsed
    return parsed


def _shared() -> _KeySet | None:
    return _usable(_from_entry(_cache_call("get", _cache_key("set"))))


def _fetch_and_share(timeout: float) -> _KeySet:
    """Fetch, parse and share a key set. Raises ``_KeySetRefused``."""
    version = api_settings.VERSION
    body, max_age = _fetch(str(api_settings.KEYS_URL), timeout)
    keys, current = _parse_key_set(body, version)  # refused before it is shared
    moment = _now()
    lifetime = int(api_settings.KEYS_MAX_AGE_SECONDS)
    if max_age is not None:
        lifetime = min(lifetime, max_age)
    entry = {"body": body.decode("utf-8"), "fetched_at": moment, "fresh_until": moment + lifetime}
    _cache_call("set", _cache_key("set"), entry, KEYS_MAX_STALE_SECONDS)
    found = api_settings.derived["key_set"] = _KeySet(keys, current, moment, moment + lifetime)
    return found


def _may_fetch(reason: str) -> bool:
    """Whether this process may fetch now for ``reason`` ("refresh" or "refetch"): once per
    ``KEYS_REFETCH_INTERVAL_SECONDS`` for all workers together (``cache.add`` is atomic in
    every Django cache backend shared between processes). A cache that fails is not "another
    worker's turn": each process then keeps the interval by itself."""
    taken = _cache_call("add", _cache_key(reason), 1, KEYS_REFETCH_INTERVAL_SECONDS)
    if taken is not _CACHE_DOWN:
        return bool(taken)
    with _gates_lock:
        gates: dict[str, float] = api_settings.derived.setdefault("key_set_gates", {})
        moment = _now()
        if moment < gates.get(reason, moment):
            return False
        gates[reason] = moment + KEYS_REFETCH_INTERVAL_SECONDS
        return True


def _usable(found: _KeySet | None) -> _KeySet | None:
    if found is None or _now() - found.fetched_at > KEYS_MAX_STALE_SECONDS:
        return None
    return found


def _try_fetch(fallback: _KeySet | None, timeout: float) -> _KeySet:
    """A new key set; on failure, ``fallback`` if there is one, else ``KeysUnavailable``."""
    try:
        return _fetch_and_share(timeout)
    except _KeySetRefused as err:
        _logger.warning("drf_paseto could not fetch the keys from KEYS_URL: %s", err)
        if fallback is None:
            raise KeysUnavailable() from err
        return fallback


def _first_set() -> _KeySet:
    """Nothing good at all (a cold start, or stale past ``KEYS_MAX_STALE_SECONDS``): one
    fetch at a time. The other requests of this process wait for it, and all of them are
    answered within ``FETCH_TIMEOUT_SECONDS``; other processes find the gate taken and
    answer 503 until the set is shared, as they do for an interval after a failed fetch."""
    deadline = time.monotonic() + FETCH_TIMEOUT_SECONDS
    if not _first_fetch.acquire(timeout=FETCH_TIMEOUT_SECONDS):
        raise KeysUnavailable()
    try:
        found = _usable(api_settings.derived.get("key_set")) or _shared()
        if found is not None:  # fetched while this request waited
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not _may_fetch("refresh"):
            raise KeysUnavailable()
        return _try_fetch(None, remaining)
    finally:
        _first_fetch.release()


def _get_key_set() -> _KeySet:
    """The key set in force: this process's, the shared one, or a new fetch. Raises
    ``KeysUnavailable`` (503) when there is no good set younger than
    ``KEYS_MAX_STALE_SECONDS``."""
    found = _usable(api_settings.derived.get("key_set"))
    if found is not None and _now() < found.fresh_until:
        return found
    shared = _shared()
    if shared is not None and _now() < shared.fresh_until:
        return shared
    best = shared or found
    if best is None:
        return _first_set()
    if _may_fetch("refresh"):  # one worker refreshes; the others go on with the stale set
        return _try_fetch(best, FETCH_TIMEOUT_SECONDS)
    return best


def _refetch_for(kid: str) -> _KeySet:
    """The key set, fetched again if ``kid`` is not in it and the rate limit allows."""
    found = _get_key_set()
    if kid in found.keys:
        return found
    shared = _shared()
    if shared is not None and kid in shared.keys:
        return shared  # another worker fetched it already
    if _may_fetch("refetch"):
        return _try_fetch(found, FETCH_TIMEOUT_SECONDS)
    return found
