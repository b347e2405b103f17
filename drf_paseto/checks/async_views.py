"""Async-only classes on views that cannot await them (docs/async.md)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register

from drf_paseto.checks.views import _views

__all__: list[str] = []


def _awaits(view_class: type) -> bool:
    """Whether the view awaits coroutine authenticators and permissions: adrf's."""
    try:
        from adrf.views import APIView as AsyncAPIView  # type: ignore[import-untyped]
    except ImportError:
        return False
    return issubclass(view_class, AsyncAPIView)


@register(Tags.urls)
def _check_async_classes(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """A coroutine ``authenticate`` on a plain DRF view answers 500; a coroutine
    ``has_permission`` is a truthy coroutine there: the view lets everyone in."""
    messages: list[CheckMessage] = []
    for route, view_class, authentication_classes, permission_classes in _views():
        if _awaits(view_class):
            continue
        classes = [*authentication_classes, *permission_classes]
        for hook, kind in (("authenticate", "authentication"), ("has_permission", "permission")):
            for found in classes:
                if inspect.iscoroutinefunction(getattr(found, hook, None)):
                    name = getattr(found, "__name__", repr(found))
                    messages.append(
                        Error(
                            f"The view {view_class.__name__} at '{route}' is not an adrf view, "
                            f"but its {kind} class {name} has an async {hook}(): DRF "
                            "cannot await it ("
                            + (
                                "every request with a token answers 500)."
                                if hook == "authenticate"
                                else "the coroutine is truthy: every request is let in)."
                            ),
                            hint="Make the view an adrf view (adrf.views.APIView, "
                            "adrf.viewsets.ViewSet, adrf.decorators.api_view), or use the "
                            "sync class (drf_paseto.authentication, drf_paseto.permissions).",
                            obj=view_class,
                            id="drf_paseto.E010",
                        )
                    )
    return messages
