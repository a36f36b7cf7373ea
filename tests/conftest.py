from __future__ import annotations

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
