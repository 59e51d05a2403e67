"""Refuses a request body over a size with 413 before reading it whole: by its Content-Length, or while it streams
(a body sent without one)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_api.graphql_http import error_response


class BodyTooLarge(Exception):
    """The body streamed past the limit; raised out of `receive` to stop the app reading it."""


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit():
            if int(declared) > self.max_bytes:
                await self.refusal(scope, receive, send)
            else:  # the server ends the body where its length says: it cannot stream past the limit
                await self.app(scope, receive, send)
            return
        received = 0
        answering = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal answering
            answering = answering or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if not answering:  # an app that answered before reading its body has nothing left to refuse
                await self.refusal(scope, receive, send)

    async def refusal(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is over {self.max_bytes} bytes, the most this service reads"
        # The rest of the body stays unread, so the connection cannot carry another request.
        await error_response(413, message, {"Connection": "close"})(scope, receive, send)
