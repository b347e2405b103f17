"""WebSockets end to end: the example project's ws/echo/ served by a real ASGI server in a
subprocess, as `make demo` serves it (uvicorn, else daphne; DRF_PASETO_TEST_ASGI_SERVER=daphne
picks daphne), and a real WebSocket client (``websockets``). What a refused client sees is an
HTTP 403 answer to its handshake."""

from __future__ import annotations

import importlib.util
import json
import os
import time
import unittest
from datetime import timedelta
from typing import Any
from unittest import mock

from django.test import SimpleTestCase, tag

from drf_paseto.clock import current_time
from drf_paseto.tokens import AccessToken
from tests import keys
from tests.live_server import ExampleProjectServer


def _missing() -> str | None:
    if importlib.util.find_spec("channels") is None:
        return "Django Channels is not installed (the 'channels' extra)"
    if importlib.util.find_spec("websockets") is None:
        return "the 'websockets' client library is not installed"
    if importlib.util.find_spec("uvicorn") is None and importlib.util.find_spec("daphne") is None:
        return "no ASGI server (uvicorn or daphne) is installed"
    return None


MISSING = _missing()
if MISSING is None:
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import ClientConnection, connect


USE_DAPHNE = os.environ.get("DRF_PASETO_TEST_ASGI_SERVER") == "daphne" or (
    importlib.util.find_spec("uvicorn") is None
)
CLOSE_CODE = 4008 if USE_DAPHNE else 1008


def reason(code: str) -> str:
    """daphne drops the close reason; uvicorn sends it."""
    return "" if USE_DAPHNE else code


@tag("servers")
@unittest.skipIf(MISSING, MISSING or "")
class ChannelsLiveTests(SimpleTestCase):
    """``make demo``'s steps (migrate, create_demo_user), then an ASGI server on a free port."""

    server: ExampleProjectServer
    host: str

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = ExampleProjectServer(
            server="daphne" if USE_DAPHNE else "uvicorn",
            env={
                # The test process signs tokens of its own (expired ones) with the same key.
                "PASETO_SECRET_KEY": keys.LOCAL_V4_1,
                # The query string is opt-in (the least safe location): on here, to test it.
                "PASETO_WEBSOCKET_TOKEN_LOCATION": "headers,subprotocol,query,cookies",
                # daphne (autobahn) refuses to send 1008 after the handshake: 1000 or 3000-4999.
                "PASETO_WEBSOCKET_CLOSE_CODE": str(CLOSE_CODE),
            },
        ).start()
        cls.addClassCleanup(cls.server.stop)
        cls.host = cls.server.host

    def tearDown(self) -> None:
        log = self.server.log_text()
        self.assertNotIn("Traceback", log, f"the server logged a traceback:\n{log}")
        super().tearDown()

    # --- clients ------------------------------------------------------------------------

    def http(self, path: str, token: str | None = None, body: Any = None) -> Any:
        """POST JSON; the parsed answer, or an error for a 4xx or 5xx."""
        reply = self.server.client.call("POST", path, token, body or {})
        if reply.status >= 400:
            raise RuntimeError(f"POST {path}: {reply}")
        return reply.body

    def login(self) -> dict[str, str]:
        tokens: dict[str, str] = self.http("/login/", body={"username": "test", "password": "test"})
        return tokens

    def ws(self, query: str = "", **kwargs: Any) -> ClientConnection:
        return connect(f"ws://{self.host}/ws/echo/{query}", open_timeout=10, **kwargs)

    def assertGreets(self, **kwargs: Any) -> None:
        with self.ws(**kwargs) as conn:
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
            conn.send(json.dumps({"n": 1}))
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"echo": {"n": 1}})

    def assertRefused(self, **kwargs: Any) -> None:
        with self.assertRaises(InvalidStatus) as caught:
            self.ws(**kwargs).close()
        self.assertEqual(caught.exception.response.status_code, 403)

    # --- tests --------------------------------------------------------------------------

    def test_header_subprotocol_query_and_cookie_tokens(self) -> None:
        access = self.login()["access_token"]
        self.assertGreets(additional_headers={"Authorization": f"Bearer {access}"})
        with self.ws(subprotocols=["paseto", access]) as conn:
            self.assertEqual(conn.subprotocol, "paseto")
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
        self.assertGreets(query=f"?token={access}")
        cookie = {"Cookie": f"access_token_cookie={access}"}
        self.assertGreets(additional_headers=cookie, origin=f"http://{self.host}")
        self.assertRefused(additional_headers=cookie, origin="http://evil.example")
        self.assertRefused(additional_headers=cookie)  # no Origin

    def test_malformed_messages_get_an_answer_not_a_traceback(self) -> None:
        access = self.login()["access_token"]
        with self.ws(additional_headers={"Authorization": f"Bearer {access}"}) as conn:
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
            conn.send("not json")
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"error": "invalid_json"})
            conn.send(b"\x00\xff")
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"error": "text_frames_only"})
            conn.send(json.dumps([1, 2]))
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"echo": [1, 2]})

    def test_refresh_tokens_and_garbage_are_refused(self) -> None:
        refresh = self.login()["refresh_token"]
        self.assertRefused(additional_headers={"Authorization": f"Bearer {refresh}"})
        self.assertRefused(query=f"?token={refresh}")
        self.assertRefused()
        for header in ("Bearer v4.local.garbage", "Bearer " + "A" * 6000, "Bearer a b", "Basic x"):
            with self.subTest(header=header[:30]):
                self.assertRefused(additional_headers={"Authorization": header})
        for query in ("?token=%00%FF", "?token=%C3%A9", "?token=a&token=b"):
            with self.subTest(query=query):
                self.assertRefused(query=query)
        self.assertRefused(subprotocols=["paseto"])

    def test_expired_tokens(self) -> None:
        # Tokens of a real login session of the server (it checks revocation).
        session = self.login()["access_token"]
        with self.settings(DRF_PASETO={"SECRET_KEY": keys.LOCAL_V4_1}):
            real = AccessToken(session)
            of_session = {"session_id": real.session_id}
            past = current_time() - timedelta(hours=1)
            with mock.patch("drf_paseto.clock.current_time", return_value=past):
                expired = str(
                    AccessToken.for_subject(
                        real.subject, lifetime=timedelta(minutes=1), **of_session
                    )
                )
            short = str(
                AccessToken.for_subject(real.subject, lifetime=timedelta(seconds=2), **of_session)
            )
        self.assertRefused(additional_headers={"Authorization": f"Bearer {expired}"})
        # Accepted while good; the echo consumer re-checks it on every message.
        with self.ws(additional_headers={"Authorization": f"Bearer {short}"}) as conn:
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
            time.sleep(2.1)
            conn.send("{}")
            with self.assertRaises(ConnectionClosed):
                conn.recv(timeout=10)
        self.assertEqual(
            (conn.close_code, conn.close_reason), (CLOSE_CODE, reason("token_expired"))
        )

    def test_a_session_ended_elsewhere_closes_the_connection_at_once(self) -> None:
        # The phone's connection; the laptop ends the phone's session: no message needed.
        phone, laptop = self.login()["access_token"], self.login()["access_token"]
        with self.settings(DRF_PASETO={"SECRET_KEY": keys.LOCAL_V4_1}):
            phone_session = AccessToken(phone).session_id
        with self.ws(additional_headers={"Authorization": f"Bearer {phone}"}) as conn:
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
            reply = self.server.client.call("DELETE", f"/sessions/{phone_session}/", laptop)
            self.assertEqual(reply.status, 204, str(reply))
            with self.assertRaises(ConnectionClosed):
                conn.recv(timeout=5)
        self.assertEqual(
            (conn.close_code, conn.close_reason), (CLOSE_CODE, reason("token_revoked"))
        )

    def test_logout_closes_the_connection(self) -> None:
        access = self.login()["access_token"]
        with self.ws(additional_headers={"Authorization": f"Bearer {access}"}) as conn:
            self.assertEqual(json.loads(conn.recv(timeout=10)), {"hello": "test"})
            self.http("/logout/", access)
            # Closed by the session's channel-layer message, before any message of ours.
            with self.assertRaises(ConnectionClosed):
                conn.recv(timeout=10)
        self.assertEqual(
            (conn.close_code, conn.close_reason), (CLOSE_CODE, reason("token_revoked"))
        )
        self.assertRefused(additional_headers={"Authorization": f"Bearer {access}"})
