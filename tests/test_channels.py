"""drf_paseto.channels: WebSocket connections authenticated by PasetoAuthMiddleware, tested
in-process with Channels' WebsocketCommunicator (the live server is tests/test_channels_live.py).

Every refusal is checked the same way: the handshake is answered with ``websocket.close`` and
the close code, and the consumer behind the middleware never ran.
"""

from __future__ import annotations

import unittest
from datetime import timedelta
from typing import Any
from unittest import mock

try:
    from channels.db import database_sync_to_async
    from channels.generic.websocket import AsyncWebsocketConsumer, WebsocketConsumer
    from channels.testing import WebsocketCommunicator

    from drf_paseto.channels import (
        FreshTokenRequiredMixin,
        PasetoAuthMiddleware,
        PasetoAuthMiddlewareStack,
        SessionRevocationMixin,
        ensure_still_valid,
        recheck,
        session_group,
    )
except ImportError as err:  # pragma: no cover - the "channels" extra is not installed
    raise unittest.SkipTest(
        f"Django Channels is not installed ({err}): pip install 'djangorestframework-paseto"
        "[channels]'"
    ) from err

from django.contrib.auth import get_user_model
from django.core import checks
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from drf_paseto import revocation
from drf_paseto.authentication import PasetoAuthentication
from drf_paseto.checks.browser import _check_token_locations
from drf_paseto.clock import current_time
from drf_paseto.exceptions import KeyConfigurationError, StoreUnavailable
from drf_paseto.testing import access_token_for
from drf_paseto.tokens import AccessToken, RefreshToken
from tests import keys
from tests.helpers import modules_holding

PASSWORD = "ws-password-123"
HOST = (b"host", b"testserver")


def paseto_settings(**overrides: Any) -> override_settings:
    return override_settings(DRF_PASETO={"SECRET_KEY": keys.LOCAL_V4_1, **overrides})


class Recorder:
    """What the consumers behind the middleware saw; reset by every test."""

    calls: list[dict[str, Any]] = []


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user, token = self.scope["user"], self.scope["auth"]
        Recorder.calls.append(
            {
                "user": user.get_username() if user.is_authenticated else None,
                "location": getattr(token, "location", None),
                "subprotocols": list(self.scope.get("subprotocols", [])),
            }
        )
        await self.accept()
        await self.send(text_data=user.get_username() if user.is_authenticated else "anonymous")

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if await ensure_still_valid(self):
            await self.send(text_data=f"echo:{text_data}")


class SubprotocolChoosingConsumer(EchoConsumer):
    async def connect(self) -> None:
        await self.accept(subprotocol="chat")


class FreshConsumer(FreshTokenRequiredMixin, EchoConsumer):
    pass


class SessionBoundConsumer(SessionRevocationMixin, EchoConsumer):
    pass


class SyncFreshConsumer(FreshTokenRequiredMixin, WebsocketConsumer):
    def connect(self) -> None:
        Recorder.calls.append({"sync": True})
        self.accept()


async def plain_app(scope: Any, receive: Any, send: Any) -> None:
    """Not a WebSocket application: http and lifespan scopes pass the middleware untouched."""
    Recorder.calls.append({"type": scope["type"], "has_user": "user" in scope})


def communicator(
    path: str = "/ws/",
    headers: list[tuple[bytes, bytes]] | None = None,
    subprotocols: list[str] | None = None,
    consumer: Any = EchoConsumer,
    scheme: str | None = None,
    **middleware: Any,
) -> WebsocketCommunicator:
    app = PasetoAuthMiddlewareStack(consumer.as_asgi(), **middleware)
    headers = list(headers or [])
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, HOST)
    comm = WebsocketCommunicator(app, path, headers=headers, subprotocols=subprotocols)
    if scheme is not None:  # the ASGI scope's "scheme" ("ws" when absent)
        comm.scope["scheme"] = scheme
    return comm


def bearer(token: Any) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


def cookie(token: Any, name: str = "access_token_cookie") -> tuple[bytes, bytes]:
    return (b"cookie", f"other=1; {name}={token}".encode())


class ChannelsTestCase(TransactionTestCase):
    """Channels and the database from async code: TransactionTestCase, as Channels advises."""

    def setUp(self) -> None:
        Recorder.calls = []
        self.user = get_user_model().objects.create_user("alice", password=PASSWORD)
        self.access = AccessToken.for_user(self.user)
        self.fresh = AccessToken.for_user(self.user, fresh=True)
        self.refresh = RefreshToken.for_user(self.user)
        for token in (self.access, self.fresh, self.refresh):
            revocation.start_session(self.user, token)
        override = paseto_settings()
        override.enable()
        self.addCleanup(override.disable)

    async def assertAccepted(self, comm: WebsocketCommunicator, location: str) -> Any:
        connected, subprotocol = await comm.connect()
        self.assertTrue(connected)
        self.assertEqual(await comm.receive_from(), "alice")
        self.assertEqual(Recorder.calls[-1]["location"], location)
        await comm.disconnect()
        return subprotocol

    async def assertRefused(self, comm: WebsocketCommunicator, code: int = 1008) -> None:
        before = len(Recorder.calls)
        connected, close_code = await comm.connect()
        self.assertEqual((connected, close_code), (False, code))
        await comm.wait()
        self.assertEqual(Recorder.calls[before:], [], "the consumer must never run")


class TokenLocationTests(ChannelsTestCase):
    async def test_header_token(self) -> None:
        await self.assertAccepted(communicator(headers=[bearer(self.access)]), "headers")

    async def test_scope_holds_the_user_and_the_validated_token(self) -> None:
        seen: dict[str, Any] = {}

        async def app(scope: Any, receive: Any, send: Any) -> None:
            seen.update(scope)
            await receive()
            await send({"type": "websocket.accept"})

        comm = WebsocketCommunicator(
            PasetoAuthMiddleware(app), "/ws/", headers=[HOST, bearer(self.fresh)]
        )
        self.assertEqual(await comm.connect(), (True, None))
        await comm.wait()
        self.assertEqual(seen["user"], self.user)
        self.assertIsInstance(seen["auth"], AccessToken)
        self.assertEqual(seen["auth"].jti, self.fresh.jti)
        self.assertTrue(seen["auth"].fresh)

    async def test_subprotocol_token_is_hidden_and_the_marker_accepted(self) -> None:
        comm = communicator(subprotocols=["paseto", str(self.access), "chat"])
        self.assertEqual(await self.assertAccepted(comm, "subprotocol"), "paseto")
        self.assertEqual(Recorder.calls[-1]["subprotocols"], ["paseto", "chat"])

    async def test_a_consumer_may_choose_its_own_subprotocol(self) -> None:
        comm = communicator(
            subprotocols=["paseto", str(self.access), "chat"], consumer=SubprotocolChoosingConsumer
        )
        self.assertEqual(await comm.connect(), (True, "chat"))
        await comm.disconnect()

    async def test_the_query_string_only_when_enabled(self) -> None:
        path = f"/ws/?a=1&token={self.access}"
        await self.assertRefused(communicator(path))
        with paseto_settings(WEBSOCKET_TOKEN_LOCATION=["headers", "query"]):
            await self.assertAccepted(communicator(path), "query")
            await self.assertRefused(communicator("/ws/?a=1&tok=2"))

    async def test_cookie_token_needs_an_allowed_origin(self) -> None:
        same = (b"origin", b"http://testserver")
        await self.assertAccepted(communicator(headers=[cookie(self.access), same]), "cookies")
        for origin in (
            [(b"origin", b"http://evil.example")],
            [],  # non-browser clients send a header token instead
            [(b"origin", b"null")],
            [(b"origin", b"http://testserver:notaport")],
            [(b"origin", b"ftp://testserver")],
            [(b"origin", b"http://testserver/path")],
            [same, same],
        ):
            with self.subTest(origin=origin):
                await self.assertRefused(communicator(headers=[cookie(self.access), *origin]))

    async def test_the_scheme_counts_and_trusted_origins(self) -> None:
        # As Django's CSRF middleware compares Origin: scheme and host. A page served over
        # plain http must not open a cookie connection to the https site (nor the reverse).
        for scheme, origin, accepted in (
            ("wss", b"https://testserver", True),
            ("wss", b"http://testserver", False),
            ("ws", b"http://testserver", True),
            (None, b"http://testserver", True),
            ("ws", b"https://testserver", False),
            ("wss", b"https://testserver:8443", False),
            ("wss", b"HTTPS://TestServer", True),
        ):
            with self.subTest(scheme=scheme, origin=origin):
                comm = communicator(
                    headers=[cookie(self.access), (b"origin", origin)], scheme=scheme
                )
                if accepted:
                    await self.assertAccepted(comm, "cookies")
                else:
                    await self.assertRefused(comm)
        app = (b"origin", b"https://app.example.com")
        sub = (b"origin", b"https://a.b.example.org")
        with self.settings(CSRF_TRUSTED_ORIGINS=["https://app.example.com"]):
            await self.assertAccepted(communicator(headers=[cookie(self.access), app]), "cookies")
            await self.assertRefused(communicator(headers=[cookie(self.access), sub]))
        with self.settings(CSRF_TRUSTED_ORIGINS=["https://*.example.org"]):
            await self.assertAccepted(communicator(headers=[cookie(self.access), sub]), "cookies")
            await self.assertRefused(communicator(headers=[cookie(self.access), app]))

    async def test_the_order_of_locations(self) -> None:
        both = [bearer(self.access), cookie(self.access), (b"origin", b"http://testserver")]
        await self.assertAccepted(communicator(headers=both), "headers")
        with paseto_settings(WEBSOCKET_TOKEN_LOCATION=["cookies", "headers"]):
            await self.assertAccepted(communicator(headers=both), "cookies")
        with paseto_settings(WEBSOCKET_TOKEN_LOCATION=["headers"]):
            await self.assertRefused(communicator(headers=both[1:]))

    async def test_header_type_settings(self) -> None:
        await self.assertRefused(
            communicator(headers=[(b"authorization", f"Token {self.access}".encode())])
        )
        with paseto_settings(HEADER_TYPE=None, HEADER_NAME="X-Token"):
            await self.assertAccepted(
                communicator(headers=[(b"x-token", f" {self.access} ".encode())]), "headers"
            )

    async def test_no_token_is_refused_unless_optional(self) -> None:
        await self.assertRefused(communicator())
        comm = communicator(required=False)
        self.assertEqual(await comm.connect(), (True, None))
        self.assertEqual(await comm.receive_from(), "anonymous")
        self.assertEqual(await recheck(comm.scope), None)
        await comm.disconnect()
        # Optional, but a bad token is still refused.
        Recorder.calls = []
        await self.assertRefused(communicator(headers=[bearer(self.refresh)], required=False))


class RefusalTests(ChannelsTestCase):
    async def test_a_refresh_token_never_authenticates(self) -> None:
        await self.assertRefused(communicator(headers=[bearer(self.refresh)]))
        await self.assertRefused(communicator(subprotocols=["paseto", str(self.refresh)]))
        origin = (b"origin", b"http://testserver")
        await self.assertRefused(communicator(headers=[cookie(self.refresh), origin]))

    async def test_expired(self) -> None:
        later = current_time() + timedelta(hours=1)
        with mock.patch("drf_paseto.clock.current_time", return_value=later):
            await self.assertRefused(communicator(headers=[bearer(self.access)]))

    async def test_revoked(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            access = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            await self.assertAccepted(communicator(headers=[bearer(access)]), "headers")
            await database_sync_to_async(revocation.revoke_session)(
                access.session_id, access.subject, reason="logout"
            )
            Recorder.calls = []
            await self.assertRefused(communicator(headers=[bearer(access)]))
            other = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            await self.assertAccepted(communicator(headers=[bearer(other)]), "headers")
            await database_sync_to_async(revocation.revoke_user)(str(self.user.pk), reason="all")
            Recorder.calls = []
            await self.assertRefused(communicator(headers=[bearer(other)]))
            # A token of no recorded session is refused too.
            await self.assertRefused(communicator(headers=[bearer(self.access)]))

    async def test_inactive_and_deleted_users(self) -> None:
        self.user.is_active = False
        await database_sync_to_async(self.user.save)()
        await self.assertRefused(communicator(headers=[bearer(self.access)]))
        await database_sync_to_async(self.user.delete)()
        await self.assertRefused(communicator(headers=[bearer(self.access)]))

    async def test_malformed_values(self) -> None:
        huge = "v4.local." + "A" * 100_000
        bad_headers = [
            (b"authorization", b"Bearer \x00\x01abc"),
            (b"authorization", b"Bearer \xc3\xa9t\xc3\xa9"),
            (b"authorization", b"Bearer " + huge.encode()),
            (b"authorization", b"Bearer v4.local.not-a-token"),
            (b"authorization", b"Bearer"),
            (b"authorization", b"Bearer\ta.b"),
        ]
        for header in bad_headers:
            with self.subTest(header=header[1][:30]):
                await self.assertRefused(communicator(headers=[header]))
        # Two Authorization headers: ambiguous.
        await self.assertRefused(communicator(headers=[bearer(self.access), bearer(self.access)]))
        origin = (b"origin", b"http://testserver")
        for value in (b"\x01\x02", b"\xff\xfe", huge.encode(), b'"quoted"'):
            with self.subTest(cookie=value[:30]):
                header = (b"cookie", b"access_token_cookie=" + value)
                await self.assertRefused(communicator(headers=[header, origin]))
        for subprotocols in (["paseto"], ["paseto", "x y"], ["paseto", "\u00e9"], ["paseto", huge]):
            with self.subTest(subprotocols=subprotocols[-1][:30]):
                await self.assertRefused(communicator(subprotocols=subprotocols))
        with paseto_settings(WEBSOCKET_TOKEN_LOCATION=["query"]):
            for query in (
                "token=%00%01",
                "token=%C3%A9",
                "token=%FF",
                "token=",
                f"token={huge}",
                f"token={self.access}&token={self.access}",
                "token=a%20b",
            ):
                with self.subTest(query=query[:30]):
                    await self.assertRefused(communicator(f"/ws/?{query}"))

    async def test_store_and_key_outages_are_refused(self) -> None:
        for error in (StoreUnavailable(), KeyConfigurationError("broken key")):
            with (
                self.subTest(error=type(error).__name__),
                mock.patch(
                    "drf_paseto.authentication.PasetoAuthentication.authenticate_token",
                    side_effect=error,
                ),
            ):
                await self.assertRefused(communicator(headers=[bearer(self.access)]))

    async def test_the_close_code_setting(self) -> None:
        with paseto_settings(WEBSOCKET_CLOSE_CODE=4401):
            await self.assertRefused(communicator(), 4401)

    async def test_a_client_leaving_before_connect_gets_nothing(self) -> None:
        comm = communicator()
        await comm.send_input({"type": "websocket.disconnect", "code": 1000})
        await comm.wait()
        self.assertTrue(await comm.receive_nothing())
        self.assertEqual(Recorder.calls, [])

    async def test_other_scopes_pass_through(self) -> None:
        app = PasetoAuthMiddleware(plain_app)
        await app({"type": "lifespan"}, mock.AsyncMock(), mock.AsyncMock())
        await app({"type": "http", "headers": []}, mock.AsyncMock(), mock.AsyncMock())
        self.assertEqual(
            Recorder.calls,
            [{"type": "lifespan", "has_user": False}, {"type": "http", "has_user": False}],
        )


class FreshTests(ChannelsTestCase):
    async def test_fresh_required_mixin(self) -> None:
        await self.assertRefused(
            communicator(headers=[bearer(self.access)], consumer=FreshConsumer)
        )
        await self.assertRefused(communicator(consumer=FreshConsumer, required=False))
        await self.assertAccepted(
            communicator(headers=[bearer(self.fresh)], consumer=FreshConsumer), "headers"
        )

    async def test_fresh_required_mixin_on_a_sync_consumer(self) -> None:
        await self.assertRefused(
            communicator(headers=[bearer(self.access)], consumer=SyncFreshConsumer)
        )
        comm = communicator(headers=[bearer(self.fresh)], consumer=SyncFreshConsumer)
        self.assertEqual(await comm.connect(), (True, None))
        self.assertEqual(Recorder.calls, [{"sync": True}])
        await comm.disconnect()

    async def test_fresh_middleware_option(self) -> None:
        await self.assertRefused(communicator(headers=[bearer(self.access)], fresh=True))
        await self.assertAccepted(communicator(headers=[bearer(self.fresh)], fresh=True), "headers")


class RecheckTests(ChannelsTestCase):
    async def connected(self, **kwargs: Any) -> WebsocketCommunicator:
        comm = communicator(headers=[bearer(self.access)], **kwargs)
        self.assertEqual(await comm.connect(), (True, None))
        self.assertEqual(await comm.receive_from(), "alice")
        return comm

    async def assertClosed(self, comm: WebsocketCommunicator, code: int, reason: str) -> None:
        await comm.send_to(text_data="hi")
        self.assertEqual(
            await comm.receive_output(), {"type": "websocket.close", "code": code, "reason": reason}
        )
        await comm.disconnect()

    async def test_a_token_revoked_mid_connection_closes_it(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            self.access = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            comm = await self.connected()
            await comm.send_to(text_data="hi")
            self.assertEqual(await comm.receive_from(), "echo:hi")
            await database_sync_to_async(revocation.revoke_session)(
                self.access.session_id, self.access.subject, reason="logout"
            )
            await self.assertClosed(comm, 1008, "token_revoked")

    async def test_a_token_expiring_mid_connection_closes_it(self) -> None:
        comm = await self.connected()
        later = current_time() + timedelta(hours=1)
        with mock.patch("drf_paseto.clock.current_time", return_value=later):
            await self.assertClosed(comm, 1008, "token_expired")

    async def test_a_user_deactivated_mid_connection(self) -> None:
        comm = await self.connected()
        self.user.is_active = False
        await database_sync_to_async(self.user.save)()
        await self.assertClosed(comm, 1008, "user_inactive")

    async def test_a_store_outage_mid_connection_closes_it(self) -> None:
        comm = await self.connected()
        with mock.patch(
            "drf_paseto.authentication.PasetoAuthentication.authenticate_token",
            side_effect=StoreUnavailable(),
        ):
            await self.assertClosed(comm, 1008, "revocation_store_unavailable")

    async def test_recheck_uses_the_middlewares_authentication_class(self) -> None:
        class Counting(PasetoAuthentication):
            calls = 0

            def authenticate_token(self, raw: str, location: str) -> Any:
                type(self).calls += 1
                return super().authenticate_token(raw, location)

        comm = communicator(headers=[bearer(self.access)])
        comm.application.authentication_class = Counting
        connected, _ = await comm.connect()
        self.assertTrue(connected)
        self.assertEqual(await comm.receive_from(), "alice")
        self.assertEqual(Counting.calls, 1)
        await comm.send_to(text_data="hi")  # the consumer rechecks on every message
        self.assertEqual(await comm.receive_from(), "echo:hi")
        self.assertEqual(Counting.calls, 2)
        await comm.disconnect()

    async def test_recheck_reports_and_refreshes_the_scope(self) -> None:
        scope: dict[str, Any] = {"auth": self.access, "user": None}
        self.access.location = "subprotocol"
        self.assertIsNone(await recheck(scope))
        self.assertEqual(scope["user"], self.user)
        self.assertEqual(scope["auth"].location, "subprotocol")
        await database_sync_to_async(self.user.delete)()
        self.assertEqual(await recheck(scope), "user_not_found")
        self.assertEqual(scope["auth_error"], "user_not_found")

    async def test_ensure_still_valid_on_any_consumer(self) -> None:
        consumer = mock.Mock(scope={"auth": self.access, "user": None}, close=mock.AsyncMock())
        self.assertTrue(await ensure_still_valid(consumer))
        consumer.close.assert_not_called()
        later = current_time() + timedelta(hours=1)
        with mock.patch("drf_paseto.clock.current_time", return_value=later):
            self.assertFalse(await ensure_still_valid(consumer))
        consumer.close.assert_awaited_once_with(code=1008, reason="token_expired")


class CheckTests(SimpleTestCase):
    def ids(self, **overrides: Any) -> list[str]:
        with paseto_settings(**overrides):
            return [message.id or "" for message in _check_token_locations()]

    def test_defaults_pass(self) -> None:
        self.assertEqual(self.ids(), [])
        self.assertEqual(
            [m for m in checks.run_checks() if (m.id or "").startswith("drf_paseto")], []
        )

    def test_token_location(self) -> None:
        for value in ([], "headers", ["headers", "headers"], ["json"], [1], None):
            with self.subTest(value=value):
                self.assertEqual(self.ids(WEBSOCKET_TOKEN_LOCATION=value), ["drf_paseto.E003"])
        self.assertEqual(
            self.ids(WEBSOCKET_TOKEN_LOCATION=["headers", "query"]), ["drf_paseto.W008"]
        )

    def test_close_code(self) -> None:
        for value in (1000, 1008, 1011, 3000, 4401, 4999):
            self.assertEqual(self.ids(WEBSOCKET_CLOSE_CODE=value), [], value)
        for value in (999, 1005, 1006, 1015, 2000, 5000, True, "1008", None):
            with self.subTest(value=value):
                self.assertEqual(self.ids(WEBSOCKET_CLOSE_CODE=value), ["drf_paseto.E003"])


class ModuleTests(SimpleTestCase):
    def test_only_this_module_imports_channels(self) -> None:
        self.assertEqual(modules_holding("channels"), {"drf_paseto.channels"})


IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@override_settings(CHANNEL_LAYERS=IN_MEMORY)
class SessionRevocationTests(ChannelsTestCase):
    """SessionRevocationMixin: a connection whose session is revoked is closed at once, by a
    channel-layer message, without waiting for its next message."""

    async def connected(self, token: AccessToken) -> WebsocketCommunicator:
        comm = communicator(headers=[bearer(token)], consumer=SessionBoundConsumer)
        self.assertEqual(await comm.connect(), (True, None))
        self.assertEqual(await comm.receive_from(), "alice")
        return comm

    async def assertClosedWithoutAMessage(self, comm: WebsocketCommunicator) -> None:
        self.assertEqual(
            await comm.receive_output(timeout=2),
            {"type": "websocket.close", "code": 1008, "reason": "token_revoked"},
        )
        await comm.disconnect()

    async def test_a_logout_closes_the_sessions_connections_only(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            token = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            other = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            comm, kept = await self.connected(token), await self.connected(other)
            await database_sync_to_async(revocation.revoke_session)(
                token.session_id, token.subject, reason="logout"
            )
            await self.assertClosedWithoutAMessage(comm)
            self.assertTrue(await kept.receive_nothing(timeout=0.2))
            await kept.send_to(text_data="hi")
            self.assertEqual(await kept.receive_from(), "echo:hi")
            await kept.disconnect()

    async def test_logout_everywhere_closes_every_connection_of_the_user(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True):
            tokens = [
                await database_sync_to_async(access_token_for)(self.user, fresh=False) for _ in "ab"
            ]
            comms = [await self.connected(token) for token in tokens]
            await database_sync_to_async(revocation.revoke_user)(
                str(self.user.pk), reason="logout_all"
            )
            for comm in comms:
                await self.assertClosedWithoutAMessage(comm)

    async def test_without_a_channel_layer_the_next_message_closes_it(self) -> None:
        with paseto_settings(DENYLIST_ENABLED=True), override_settings(CHANNEL_LAYERS={}):
            token = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            comm = await self.connected(token)
            await database_sync_to_async(revocation.revoke_session)(
                token.session_id, token.subject, reason="logout"
            )
            self.assertTrue(await comm.receive_nothing(timeout=0.2))
            await comm.send_to(text_data="hi")
            await self.assertClosedWithoutAMessage(comm)

    async def test_a_layer_that_fails_does_not_fail_the_revocation(self) -> None:
        with (
            paseto_settings(DENYLIST_ENABLED=True),
            mock.patch(
                "channels.layers.InMemoryChannelLayer.group_send", side_effect=OSError("away")
            ),
            self.assertLogs("drf_paseto", "WARNING"),
        ):
            token = await database_sync_to_async(access_token_for)(self.user, fresh=False)
            await database_sync_to_async(revocation.revoke_session)(
                token.session_id, token.subject, reason="logout"
            )

    def test_group_names_are_valid_whatever_the_session_id(self) -> None:
        from channels.layers import BaseChannelLayer

        layer = BaseChannelLayer()
        for session_id in ("0" * 32, "x" * 255, "é ü/{}", ""):
            with self.subTest(session_id=session_id):
                name = session_group(session_id)
                self.assertTrue(layer.require_valid_group_name(name))
                self.assertLess(len(name), 100)
