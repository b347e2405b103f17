"""The project around drf_paseto: its views, DRF's exception handler and Django's error
reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import django
from django.apps import AppConfig
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from drf_paseto.reporting import _URL_SETTINGS, PasetoExceptionReporterFilter, _has_password
from drf_paseto.settings import api_settings

__all__: list[str] = []


_REPORTER_FILTER = "drf_paseto.reporting.PasetoExceptionReporterFilter"


@register(Tags.security)
def _check_error_reports(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Django's error reports (mail to ADMINS, the django.request log, the DEBUG page) would
    show a secret of ours: bearer tokens in the Authorization header on Django 4.2, or a
    password in one of our URL settings on any Django."""
    configured = getattr(
        django_settings,
        "DEFAULT_EXCEPTION_REPORTER_FILTER",
        "django.views.debug.SafeExceptionReporterFilter",
    )
    try:
        ours = issubclass(import_string(configured), PasetoExceptionReporterFilter)
    except ImportError:
        ours = False
    if ours:
        return []
    shown = []
    if django.VERSION < (5, 0):
        shown.append("the Authorization header (bearer tokens)")
    shown += [
        f"the password in {name}"
        for name in _URL_SETTINGS
        if _has_password(getattr(api_settings, name))
    ]
    if not shown:
        return []
    return [
        Warning(
            "Django's error reports (mail to ADMINS, the django.request log) show "
            f"{', '.join(shown)}.",
            hint=f'Set DEFAULT_EXCEPTION_REPORTER_FILTER = "{_REPORTER_FILTER}".',
            id="drf_paseto.W009",
        )
    ]


_EXCEPTION_HANDLER = "drf_paseto.exceptions.exception_handler"


class _RoutedView(NamedTuple):
    """A DRF view class of the URLconf, with the classes it runs (``as_view()`` arguments
    first, then the class's own)."""

    route: str
    view_class: Any
    authentication_classes: Sequence[Any]
    permission_classes: Sequence[Any]


def _views() -> list[_RoutedView]:
    """Every DRF view class of the project's URLconf."""
    from django.urls import get_resolver

    return _walk(get_resolver().url_patterns, "")


def _walk(patterns: Sequence[Any], prefix: str) -> list[_RoutedView]:
    found: list[_RoutedView] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            found += _walk(pattern.url_patterns, route)
            continue
        callback = pattern.callback
        if isinstance(getattr(callback, "cls", None), type):
            view_class, initkwargs = callback.cls, getattr(callback, "initkwargs", {}) or {}
            found.append(
                _RoutedView(
                    route,
                    view_class,
                    initkwargs.get("authentication_classes", view_class.authentication_classes),
                    initkwargs.get("permission_classes", view_class.permission_classes),
                )
            )
    return found


def _accepts_refresh_tokens(authentication_class: type) -> bool:
    from drf_paseto.tokens import RefreshToken

    classes = getattr(authentication_class, "token_classes", ()) or (
        getattr(authentication_class, "token_class", None),
    )
    return any(isinstance(c, type) and issubclass(c, RefreshToken) for c in classes)


@register(Tags.urls)
def _check_views(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """drf_paseto's permissions on a view that no authenticator of ours can satisfy: every
    request would be refused (401 or 403 token_wrong_type)."""
    from drf_paseto.authentication import PasetoAuthentication
    from drf_paseto.permissions import IsRefreshToken, _TokenPermission

    messages: list[CheckMessage] = []
    for route, view_class, authentication_classes, permission_classes in _views():
        permissions = [
            p for p in permission_classes if isinstance(p, type) and issubclass(p, _TokenPermission)
        ]
        if not permissions:
            continue
        ours = [
            a
            for a in authentication_classes
            if isinstance(a, type) and issubclass(a, PasetoAuthentication)
        ]
        names = ", ".join(p.__name__ for p in permissions)
        if not ours:
            messages.append(
                Error(
                    f"The view {view_class.__name__} at '{route}' requires {names}, but none "
                    "of its authentication classes is drf_paseto's: every request is refused.",
                    hint="Add drf_paseto.authentication.PasetoAuthentication to its "
                    "authentication_classes (or to DEFAULT_AUTHENTICATION_CLASSES).",
                    obj=view_class,
                    id="drf_paseto.E009",
                )
            )
        elif any(issubclass(p, IsRefreshToken) for p in permissions) and not any(
            _accepts_refresh_tokens(a) for a in ours
        ):
            messages.append(
                Error(
                    f"The view {view_class.__name__} at '{route}' requires IsRefreshToken, but "
                    "none of its authentication classes accepts refresh tokens: every request "
                    "is refused (token_wrong_type).",
                    hint="Use drf_paseto.authentication.PasetoRefreshAuthentication on it.",
                    obj=view_class,
                    id="drf_paseto.E009",
                )
            )
    return messages


@register()
def _check_exception_handler(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Without drf_paseto's handler, the errors DRF raises itself (``IsAuthenticated``'s 401,
    a parse error of the authenticator, throttling) have no ``code``."""
    from rest_framework.settings import api_settings as drf_settings

    handler = drf_settings.EXCEPTION_HANDLER
    if getattr(handler, "__module__", None) == "drf_paseto.exceptions":
        return []
    return [
        Warning(
            "REST_FRAMEWORK['EXCEPTION_HANDLER'] is not drf_paseto's: the errors DRF raises "
            "itself (no credentials on an IsAuthenticated view, a throttled request) have no "
            "'code', unlike drf_paseto's.",
            hint=f'Set REST_FRAMEWORK["EXCEPTION_HANDLER"] = "{_EXCEPTION_HANDLER}" (a handler '
            "of your own can call drf_paseto.exceptions.add_error_code(); then silence this).",
            id="drf_paseto.W010",
        )
    ]
