"""Counting thread hops inside a server process (tests/test_async_live.py).

``install()`` (called by ``tests.async_server_settings``) wraps ``SyncToAsync.__call__``
for the whole process: a call made while ``HOPS`` holds a list is appended to it. The
event loop's ``run_in_executor`` is wrapped the same way, the first time ``scoped()``
runs on it (``to_thread``, ``thread_sensitive=False`` and ``getaddrinfo`` go through it).
Nothing else changes: the calls still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

HOPS: ContextVar[list[str] | None] = ContextVar("drf_paseto_test_hops", default=None)
_wrapped_loops: set[int] = set()


def _note(what: str) -> None:
    hops = HOPS.get()
    if hops is not None:
        hops.append(what)


def install() -> None:
    from asgiref.sync import SyncToAsync

    real = SyncToAsync.__call__
    if getattr(real, "drf_paseto_probe", False):
        return

    async def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        _note("sync_to_async:" + getattr(self.func, "__qualname__", repr(self.func)))
        return await real(self, *args, **kwargs)

    recording.drf_paseto_probe = True  # type: ignore[attr-defined]
    SyncToAsync.__call__ = recording  # type: ignore[method-assign]


def _wrap_loop(loop: asyncio.AbstractEventLoop) -> None:
    if id(loop) in _wrapped_loops:
        return
    _wrapped_loops.add(id(loop))
    real = loop.run_in_executor

    def recording(executor: Any, func: Any, *args: Any) -> Any:
        _note("run_in_executor:" + getattr(func, "__qualname__", type(func).__name__))
        return real(executor, func, *args)

    loop.run_in_executor = recording  # type: ignore[method-assign]


@contextlib.contextmanager
def scoped() -> Iterator[dict[str, Any]]:
    """Count the hops of the block (in this context only); the result also says whether the
    block ran on the main thread, where uvicorn runs its event loop."""
    _wrap_loop(asyncio.get_running_loop())
    hops: list[str] = []
    result: dict[str, Any] = {"hops": hops}
    reset = HOPS.set(hops)
    try:
        yield result
    finally:
        HOPS.reset(reset)
        result["main_thread"] = threading.current_thread() is threading.main_thread()
