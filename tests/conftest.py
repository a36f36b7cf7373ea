from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CHIA = SHARED / "corpus" / "chia" / "chia_without_scope"
LCT = SHARED / "corpus" / "lct" / "leaf_clinical_trials"


def need_shared() -> None:
    """The shared corpus sits beside the repo on every dev machine and in CI."""
    if not SHARED.is_dir():
        if __import__("os").environ.get("CI"):
            pytest.fail(f"shared/ not found at {SHARED}: CI must run beside it")
        pytest.skip(f"shared/ not found at {SHARED}")


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, object]:
    """pytest-recording: the project's one cassette configuration (match on the body,
    keys filtered); record mode stays pytest-recording's default, ``none``."""
    from normalizer.recording import VCR_CONFIG

    return dict(VCR_CONFIG)


def pytest_recording_configure(config: pytest.Config, vcr: object) -> None:
    """pytest-recording: cassettes written and read as ``normalizer.recording`` does
    (JSON bodies stored readable, read back byte for byte)."""
    from normalizer.recording import READABLE_YAML

    vcr.register_serializer("yaml", READABLE_YAML)  # type: ignore[attr-defined]


POSTGRES_ADMIN = __import__("os").environ.get(
    "NORMALIZER_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test"
)
"""The PostgreSQL server the store tests use (trust auth); each test gets its own database."""


def _postgres_database() -> Iterator[str]:
    """Create a fresh database on the test server, yield its URL, drop it afterwards."""
    import os
    import uuid

    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except Exception as exc:  # any failure to reach the server means: no server
        message = f"no PostgreSQL server at {POSTGRES_ADMIN}: {exc}".splitlines()[0]
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the store tests on PostgreSQL)")
        pytest.skip(message)
    name = f"normalizer_t_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store target: a SQLite file, or a database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "runs.sqlite")
    else:
        yield from _postgres_database()


@pytest.fixture(autouse=True)
def _signal_handlers() -> Iterator[None]:
    """Each test gets the process's signal handlers back as it found them.

    The CLI's ``main`` installs its own (SIGINT and SIGTERM raise, SIGPIPE ends the
    process): run in-process, they stayed for the tests after it, where worker pools
    forked later inherit them (tests/test_endings.py run before tests/test_batch.py
    hung in the worker-pool tests; in the usual order it runs after).
    """
    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGPIPE"):
        wanted.append(signal.SIGPIPE)
    saved = {signum: signal.getsignal(signum) for signum in wanted}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)
