"""The WebSocket side of the example project: ``ws/echo/`` (served by an ASGI server)."""

import json
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from drf_paseto.channels import SessionRevocationMixin, ensure_still_valid


class EchoConsumer(SessionRevocationMixin, AsyncJsonWebsocketConsumer):
    """Greets the user the access token names, then echoes every JSON message back.

    ``PasetoAuthMiddleware`` has already refused connections without a good access token, so
    ``scope["user"]`` is a real user here. A logout of the connection's session closes it at
    once (``SessionRevocationMixin``, 1008); each message re-checks the token first, so a
    token that expired since the handshake closes it too.
    """

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"hello": self.scope["user"].get_username()})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # Malformed input gets an answer, not a traceback and a dropped connection.
        if text_data is None:
            await self.send_json({"error": "text_frames_only"})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_json({"error": "invalid_json"})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if await ensure_still_valid(self):
            await self.send_json({"echo": content})
