"""Run the review app: loopback by default; any other host only with a token."""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING

from ...errors import ConfigError
from ...store import Store

if TYPE_CHECKING:
    from .app import Suggester

__all__ = ["check_binding", "free_port", "is_loopback", "serve_store"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1) or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, port: int, token: str | None) -> None:
    """Refuse a binding that would expose the store: a non-loopback host without a token."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"--host {host} lets other machines reach the review page: give --token "
            "(a long random string curators will need) or keep the default 127.0.0.1"
        )
    if token is not None and len(token) < 12:
        raise ConfigError("--token: use at least 12 characters")
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: not a TCP port")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve_store(
    target: str, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
    suggester: Suggester | None = None,
) -> None:
    """Open the store at ``target`` and serve the review page until interrupted."""
    check_binding(host, port, token)
    import uvicorn

    from .app import create_app

    store = Store.open(target)
    app = create_app(store, token=token, background=True, suggester=suggester)
    shown = f"[{host}]" if ":" in host else host
    link = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    print(f"review page for {target}: {link}  (Ctrl-C stops it)", flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        store.close()
