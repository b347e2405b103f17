"""The WebSocket side of the example project: ``ws/echo/`` (served by an ASGI server)."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from drf_paseto.channels import ensure_still_valid


class EchoConsumer(AsyncJsonWebsocketConsumer):
    """Greets the user the access token names, then echoes every JSON message back.

    ``PasetoAuthMiddleware`` has already refused connections without a good access token, so
    ``scope["user"]`` is a real user here. Each message re-checks the token first: a token that
    expired or was revoked (logout/) since the handshake closes the connection (1008).
    """

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"hello": self.scope["user"].get_username()})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if await ensure_still_valid(self):
            await self.send_json({"echo": content})
