"""Keys from the issuer: a verify-only service follows the issuer's ``keys/`` (``KEYS_URL``).

The key set is fetched with the standard library (a timeout, a size limit, strict parsing)
and kept in Django's cache (``KEYS_CACHE_ALIAS``), so that all the workers of a service fetch
it once between them; each process also keeps the parsed keys until the set is due again.

* A key set is used for ``KEYS_REFRESH_SECONDS`` (or the issuer's ``Cache-Control: max-age``,
  if shorter), then fetched again by one worker while the others go on with it.
* A token naming a ``kid`` the set does not hold makes one fetch, at most one per
  ``KEYS_REFETCH_INTERVAL_SECONDS`` for the whole service, however many distinct unknown
  ids arrive: garbage tokens cannot make the service hammer the issuer.
* While the issuer is down or answers garbage, the last good set stays in force for
  ``KEYS_MAX_STALE_SECONDS`` after it was fetched; then requests fail closed (503
  ``keys_unavailable``) until a fetch succeeds again, which is tried at most once per
  ``KEYS_REFETCH_INTERVAL_SECONDS``.
* Only ``k<VERSION>.public`` keys are taken; a set that offers anything else is refused
  whole (so is a set that does not parse, or names a ``kid`` its key does not have).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches

from drf_paseto import backend, clock
from drf_paseto.backend import PasetoKey
from drf_paseto.exceptions import KeyConfigurationError, KeysUnavailable
from drf_paseto.settings import api_settings

logger = logging.getLogger("drf_paseto")

#: How long one fetch may take (connecting, then each read), in seconds.
FETCH_TIMEOUT_SECONDS = 5.0
#: The largest key set we read, in bytes: far more than any real set of keys needs.
MAX_KEY_SET_BYTES = 64 * 1024
#: The most keys one set may hold.
MAX_KEYS = 32
_ENTRY_FIELDS = {"kid", "paserk", "version", "purpose", "current"}


class KeySetRefused(Exception):
    """A fetch failed or its answer is not a key set we take (the reason is for the log)."""


@dataclass(frozen=True)
class KeySet:
    """A parsed key set: its keys by ``kid``, the current one's ``kid``, and its times."""

    keys: dict[str, PasetoKey]
    current_kid: str | None
    fetched_at: float
    fresh_until: float


def now() -> float:
    """Seconds since the epoch, from the clock tokens are checked against."""
    return clock.current_time().timestamp()


# --- fetching and parsing ----------------------------------------------------------------


def parse_max_age(cache_control: str | None) -> int | None:
    """The ``max-age`` of a ``Cache-Control`` header, if it has one that is a number."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age" and value.strip().isdigit():
            return int(value.strip())
    return None


def parse_key_set(body: bytes, version: int) -> tuple[dict[str, PasetoKey], str | None]:
    """The keys of a ``keys/`` answer, strictly: ``{"keys": [{"kid", "paserk", "version",
    "purpose", "current"}, ...]}`` with public keys of ``version`` only, each ``kid`` the
    PASERK id of its key, at most one current. Raises ``KeySetRefused``."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({name for name, _ in pairs}) != len(pairs):
            raise KeySetRefused("a duplicate name in the key set")
        return dict(pairs)

    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise KeySetRefused("the key set is not JSON") from err
    if not isinstance(document, dict) or set(document) != {"keys"}:
        raise KeySetRefused('the key set is not {"keys": [...]}')
    entries = document["keys"]
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_KEYS:
        raise KeySetRefused(f"the key set must list 1 to {MAX_KEYS} keys")
    keys: dict[str, PasetoKey] = {}
    current: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != _ENTRY_FIELDS:
            raise KeySetRefused("a key entry has other fields than " + ", ".join(_ENTRY_FIELDS))
        paserk, kid = entry["paserk"], entry["kid"]
        if (
            entry["version"] != f"v{version}"
            or entry["purpose"] != "public"
            or not isinstance(paserk, str)
            or not paserk.startswith(f"k{version}.public.")
            or type(entry["current"]) is not bool
        ):
            raise KeySetRefused(f"a key entry is not a k{version}.public key")
        try:
            key = backend.key_from_paserk(paserk, version)
        except KeyConfigurationError as err:
            raise KeySetRefused(f"a key entry's key cannot be used: {err}") from err
        if key.kid != kid or kid in keys:
            raise KeySetRefused("a key entry's kid is not its key's, or is listed twice")
        keys[kid] = key
        if entry["current"]:
            current.append(kid)
    if len(current) > 1:
        raise KeySetRefused("the key set marks more than one key current")
    return keys, (current[0] if current else None)


def opener() -> urllib.request.OpenerDirector:
    """http and https only: no redirect (a 3xx is refused), no proxy from the environment,
    no ``file:`` or ``ftp:``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str) -> tuple[bytes, int | None]:
    """GET the key set: its body (at most ``MAX_KEY_SET_BYTES``) and its ``max-age``.
    Raises ``KeySetRefused``."""
    if not url.startswith(("https://", "http://")):
        raise KeySetRefused("KEYS_URL is not an http(s) URL")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with opener().open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            if response.status != 200:
                raise KeySetRefused(f"the issuer answered {response.status}")
            content_type = response.headers.get_content_type()
            if content_type != "application/json":
                raise KeySetRefused(f"the issuer answered {content_type}, not JSON")
            body = response.read(MAX_KEY_SET_BYTES + 1)
            max_age = parse_max_age(response.headers.get("Cache-Control"))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        # refused, a timeout, an HTTP error status, a broken answer
        raise KeySetRefused(f"the key set cannot be fetched: {type(err).__name__}") from err
    if len(body) > MAX_KEY_SET_BYTES:
        raise KeySetRefused(f"the key set is larger than {MAX_KEY_SET_BYTES} bytes")
    return body, max_age


# --- the shared copy -----------------------------------------------------------------------


def _cache_call(method: str, *args: Any) -> Any:
    """One call to the ``KEYS_CACHE_ALIAS`` cache; ``None`` when the cache fails (each
    worker then goes on with what it has, and fetches by itself when it has nothing)."""
    try:
        return getattr(caches[api_settings.KEYS_CACHE_ALIAS], method)(*args)
    except Exception as err:  # redis.ConnectionError, pymemcache errors, timeouts ...
        logger.warning("drf_paseto cannot use KEYS_CACHE_ALIAS: %s", type(err).__name__)
        return None


def _cache_key(name: str) -> str:
    url_id = hashlib.sha256(str(api_settings.KEYS_URL).encode("utf-8")).hexdigest()[:16]
    return f"drf_paseto:keys:{url_id}:{name}"


def _from_entry(entry: Any) -> KeySet | None:
    """The parsed set of a cache entry (parsed once per process), or ``None``."""
    if not isinstance(entry, dict):
        return None
    parsed: KeySet | None = api_settings.derived.get("key_set")
    if parsed is not None and parsed.fetched_at == entry.get("fetched_at"):
        return parsed
    try:
        keys, current = parse_key_set(entry["body"].encode("utf-8"), api_settings.VERSION)
        parsed = KeySet(keys, current, float(entry["fetched_at"]), float(entry["fresh_until"]))
    except (KeySetRefused, KeyError, TypeError, ValueError, AttributeError):
        return None  # written by another version of us: fetch again
    api_settings.derived["key_set"] = parsed
    return parsed


def _fetch_and_share() -> KeySet:
    """Fetch, parse and share a key set. Raises ``KeySetRefused``."""
    version = api_settings.VERSION
    body, max_age = fetch(str(api_settings.KEYS_URL))
    parse_key_set(body, version)  # refused before it is shared
    moment = now()
    lifetime = int(api_settings.KEYS_REFRESH_SECONDS)
    if max_age is not None:
        lifetime = min(lifetime, max_age)
    entry = {"body": body.decode("utf-8"), "fetched_at": moment, "fresh_until": moment + lifetime}
    _cache_call("set", _cache_key("set"), entry, int(api_settings.KEYS_MAX_STALE_SECONDS))
    found = _from_entry(entry)
    assert found is not None
    return found


def _may_fetch(reason: str) -> bool:
    """Whether this process may fetch now for ``reason`` ("refresh" or "refetch"): once per
    ``KEYS_REFETCH_INTERVAL_SECONDS`` for all workers together (``cache.add`` is atomic in
    every Django cache backend shared between processes)."""
    interval = int(api_settings.KEYS_REFETCH_INTERVAL_SECONDS)
    return bool(_cache_call("add", _cache_key(reason), 1, interval))


def _usable(found: KeySet | None) -> KeySet | None:
    if found is None or now() - found.fetched_at > int(api_settings.KEYS_MAX_STALE_SECONDS):
        return None
    return found


def _try_fetch(fallback: KeySet | None) -> KeySet:
    """A new key set; on failure, ``fallback`` if there is one, else ``KeysUnavailable``."""
    try:
        return _fetch_and_share()
    except KeySetRefused as err:
        logger.warning("drf_paseto could not fetch the keys from KEYS_URL: %s", err)
        if fallback is None:
            # Failed with nothing to fall back on: no worker tries again for an interval.
            interval = int(api_settings.KEYS_REFETCH_INTERVAL_SECONDS)
            _cache_call("set", _cache_key("failed"), 1, interval)
            raise KeysUnavailable() from err
        return fallback


def get_key_set() -> KeySet:
    """The key set in force: this process's, the shared one, or a new fetch. Raises
    ``KeysUnavailable`` (503) when there is no good set younger than ``KEYS_MAX_STALE``."""
    found = _usable(api_settings.derived.get("key_set"))
    if found is not None and now() < found.fresh_until:
        return found
    shared = _usable(_from_entry(_cache_call("get", _cache_key("set"))))
    if shared is not None and now() < shared.fresh_until:
        return shared
    best = shared or found
    if best is None:
        # Nothing good at all (a cold start, or stale past KEYS_MAX_STALE): fetch, unless a
        # fetch failed within the interval.
        if _cache_call("get", _cache_key("failed")) is not None:
            raise KeysUnavailable()
        return _try_fetch(None)
    if _may_fetch("refresh"):  # one worker refreshes; the others go on with the stale set
        return _try_fetch(best)
    return best


def refetch_for(kid: str) -> KeySet:
    """The key set, fetched again if ``kid`` is not in it and the rate limit allows."""
    found = get_key_set()
    if kid in found.keys:
        return found
    shared = _usable(_from_entry(_cache_call("get", _cache_key("set"))))
    if shared is not None and kid in shared.keys:
        return shared  # another worker fetched it already
    if _may_fetch("refetch"):
        return _try_fetch(found)
    return found
