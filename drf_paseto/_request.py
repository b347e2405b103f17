"""Reading a request: its body, its headers, and where its token may come from.

What the authenticators, the views, the throttles, the Channels middleware and the testing
helpers share about a request. Raises ``TokenError`` subclasses or DRF's ``ParseError``;
nothing here answers a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from rest_framework import exceptions
from rest_framework.request import Request

from drf_paseto.exceptions import TokenError
from drf_paseto.settings import api_settings

# What a PASETO string is made of; anything else in the header is refused before decoding.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.\-]+", re.ASCII)
_SCHEME_END = re.compile(r"\s")


def read_request_data(request: Request) -> Any:
    """``request.data``; a body that cannot be parsed is a plain 400 ``parse_error``.

    The parser's own message is not passed on: it can quote the body (a byte of a password
    and its position, for a body that is not UTF-8). DRF's JSON parser lets RecursionError
    through on deeply nested input, and Django raises RequestDataTooBig / TooManyFieldsSent
    (an HTML 400) for oversized bodies: all become the same JSON 400.
    """
    try:
        return request.data
    except (exceptions.ParseError, RecursionError, RequestDataTooBig, TooManyFieldsSent) as err:
        raise exceptions.ParseError() from err


def header_meta_key(name: str) -> str:
    """``Authorization`` -> ``HTTP_AUTHORIZATION``, as WSGI names request headers."""
    return "HTTP_" + name.upper().replace("-", "_")


def is_token_text(value: str) -> bool:
    """Whether ``value`` is made only of the characters a PASETO string has (and is not
    empty): anything else in a header, cookie or body is refused before decoding."""
    return _TOKEN_CHARS.fullmatch(value) is not None


def token_from_authorization(header: str) -> str | None:
    """The token of a ``HEADER_NAME`` header's value (``Bearer <token>``, as
    ``HEADER_TYPE`` says); ``None`` for another scheme, some other authenticator's business.

    The scheme ends at the first whitespace of any kind, so ``Bearer<TAB><token>`` is a
    malformed Bearer header, not another scheme silently ignored. Raises
    ``TokenError("bad_authorization_header")`` when what follows the scheme is not a token. HTTP
    (``PasetoAuthentication``) and WebSocket handshakes (``drf_paseto.channels``) read the
    header with this one function.
    """
    header_type = api_settings.HEADER_TYPE
    if header_type:
        scheme = _SCHEME_END.split(header, maxsplit=1)[0]
        if scheme.lower() != header_type.lower():
            return None
        raw = header[len(scheme) :].strip(" ")
    else:
        raw = header.strip(" ")
    if not is_token_text(raw):
        raise TokenError("bad_authorization_header")
    return raw


def as_locations(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Token locations as a tuple: ``None`` is ``TOKEN_LOCATION``; a single string is one
    location (``paseto_token_location = "cookies"``)."""
    if value is None:
        value = api_settings.TOKEN_LOCATION
    return (value,) if isinstance(value, str) else tuple(value)


def token_locations_of(view: Any) -> Sequence[str]:
    """A view's token locations: ``get_paseto_token_location()``, ``paseto_token_location``,
    or ``TOKEN_LOCATION``. A single string is one location."""
    getter = getattr(view, "get_paseto_token_location", None)
    return as_locations(
        getter() if callable(getter) else getattr(view, "paseto_token_location", None)
    )
