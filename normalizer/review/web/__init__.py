"""The review page: ``normalizer review --serve --store S`` (a local web app over a run store).

Server-rendered (Starlette and Jinja2, a little plain JavaScript for the keys,
no build step), bound to 127.0.0.1 unless told otherwise, and then only with a
token.  :func:`create_app` builds the app over an open store; :func:`~.server.serve_store`
runs it with uvicorn.

* :mod:`.app` – the app assembled: the token guard, the templates, the routes;
* :mod:`.state` – what the routes share (the store, the index, templates, secrets);
* :mod:`.pages` – the pages (queue, record, summary, status);
* :mod:`.actions` – the actions (decide, check, undo, take, suggest, curator);
* :mod:`.queue` – the queue index (kept current; pages, neighbours, the summary's counts);
* :mod:`.rows` – a record's row in the queue (its criteria's states, root causes);
* :mod:`.filters` – the queue's filters and the page they select;
* :mod:`.present` – how a document is shown (evidence, words, registry fields);
* :mod:`.forms` – the constraint form read back into a constraint;
* :mod:`.charts` – the summary's SVG bar charts;
* :mod:`.server` – host, port and token checks, and uvicorn.
"""

from __future__ import annotations

from .app import create_app
from .server import serve_store

__all__ = ["create_app", "serve_store"]
