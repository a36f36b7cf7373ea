"""A FAKE OpenAI-compatible chat server on 127.0.0.1, for fault tests only.

It says what it is: every response carries ``X-Fake-Server: normalizer-tests`` and
the model ``fake-openai``.  Each request pops the next scripted behaviour; the
faults are the ones a real endpoint cannot be made to produce on demand (429 with
Retry-After, 5xx, a hang past the client timeout, malformed JSON, a JSON answer
of the wrong shape, a body cut short).  Nothing here is a recording.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAKE_HEADER = ("X-Fake-Server", "normalizer-tests")


@dataclass
class Reply:
    """One scripted behaviour."""

    kind: str  # ok | status | hang | malformed | truncated | reset
    status: int = 200
    arguments: Any = None  # the tool-call arguments (JSON-serialisable) for kind=ok
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    finish_reason: str = "tool_calls"  # "length": cut off at max_tokens
    raw_arguments: str | None = None  # arguments sent as this string (e.g. cut JSON)


@dataclass
class FakeServer:
    """Handle on a running fake: its URL, the script and what it received."""

    url: str
    script: deque[Reply]
    requests: list[dict[str, Any]]


def _completion(
    tool_name: str, arguments: Any, finish_reason: str = "tool_calls", raw: str | None = None,
    completion_tokens: int = 20,
) -> dict[str, Any]:
    return {
        "id": "fake-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-openai",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_fake",
                            "type": "function",
                            "function": {
                                "name": tool_name,
                                "arguments": json.dumps(arguments) if raw is None else raw,
                            },
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": completion_tokens,
                  "total_tokens": 100 + completion_tokens},
    }


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(
            self, status: int, body: bytes, headers: dict[str, str], length: int | None = None
        ) -> None:
            self.send_response(status)
            self.send_header(*FAKE_HEADER)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if length is None else length))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            request = json.loads(raw or b"{}")
            server.requests.append(request)
            reply = server.script.popleft() if server.script else Reply("status", status=500)
            tools = request.get("tools") or [{"function": {"name": "LLMAnswer"}}]
            tool_name = tools[0]["function"]["name"]
            if reply.delay or reply.kind == "hang":
                time.sleep(reply.delay or 5.0)
            if reply.kind == "ok":
                cut = reply.finish_reason == "length"
                used = int(request.get("max_tokens") or 20) if cut else 20
                body = json.dumps(_completion(
                    tool_name, reply.arguments, reply.finish_reason, reply.raw_arguments, used
                )).encode()
                self._send(200, body, reply.headers)
            elif reply.kind == "status":
                body = json.dumps({"error": {"message": f"fake error {reply.status}",
                                             "type": "fake"}}).encode()
                self._send(reply.status, body, reply.headers)
            elif reply.kind == "malformed":
                self._send(200, b'{"id": "fake-1", "choices": [', reply.headers)
            elif reply.kind == "truncated":
                body = json.dumps(_completion(tool_name, reply.arguments)).encode()
                self._send(200, body[: len(body) // 2], reply.headers, length=len(body))
                self.close_connection = True
            elif reply.kind == "reset":
                self.close_connection = True
                self.connection.close()

    return Handler


@contextmanager
def fake_openai(*replies: Reply, port: int = 0) -> Iterator[FakeServer]:
    """Run the fake on 127.0.0.1 (``port``, or a free one) for the duration of the block."""
    script: deque[Reply] = deque(replies)
    state = FakeServer(url="", script=script, requests=[])
    httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
