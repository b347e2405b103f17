"""Small predicates the system check modules share."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist


def is_str_or_strings(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def is_strings(value: Any) -> bool:
    return isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value)


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def user_has_field(name: str) -> bool:
    """Whether ``name`` is a unique concrete field: a token's ``sub`` must name one user."""
    try:
        field = get_user_model()._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "concrete", False) and getattr(field, "unique", False))
