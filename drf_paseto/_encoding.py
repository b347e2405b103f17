"""Strict JSON and RFC 3339 times: the wire formats inside a token."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities are refused."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate key in JSON object")
    return obj


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any, limit: int) -> None:
    """Raise if containers nest deeper than ``limit`` (an object at the top is depth 1)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise ValueError("JSON nests too deep")
        stack.extend((child, depth + 1) for child in children)


# Built once: ``json.loads`` with hooks builds a new decoder (and its scanner) per call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_object, parse_constant=_refuse_constant)


def loads_object(data: bytes, *, max_depth: int) -> dict[str, Any]:
    """Parse a JSON object strictly: UTF-8, unique keys, no NaN, bounded nesting."""
    try:
        value = _DECODER.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ValueError("not a JSON object") from err
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    _depth(value, max_depth)
    return value


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:[0-5]\d)",
    re.ASCII,
)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC: ``2026-01-02T03:04:05+00:00``, with microseconds when there are any."""
    utc = moment.astimezone(timezone.utc)
    fraction = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "+00:00"


def parse_time(value: Any) -> datetime:
    """Parse an RFC 3339 date-time string (with its offset) into an aware datetime in UTC.

    Fractions of a second beyond microseconds are cut, not rounded."""
    if not isinstance(value, str):
        raise ValueError("not an RFC 3339 string")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError("not an RFC 3339 string")
    fraction = (match.group(7) or "")[:6]
    text = value[: match.start(7) - 1] if match.group(7) else value[: match.start(8)]
    offset = "+00:00" if match.group(8) == "Z" else match.group(8)
    try:
        parsed = datetime.fromisoformat(
            text + (f".{fraction.ljust(6, '0')}" if fraction else "") + offset
        )
        # In UTC: 0001-01-01T00:00:00+01:00 is before datetime.min and must not reach arithmetic.
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError) as err:  # month 13, hour 25, offset +99:00 ...
        raise ValueError("not an RFC 3339 string") from err
