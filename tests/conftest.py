from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def require_native_build(*, active: bool = False) -> None:
    """Skip a test of the compiled classifier without a current build (`make native`); in CI
    fail instead: `make test` builds first, so there a missing build is a failure. `active`:
    the build must also be what this process runs (VIBEWARD_NATIVE not 0)."""
    from tracer import native

    if not native.current(native.NATIVE_DIR, REPO / "tracer") or (active and not native.active):
        if os.environ.get("CI"):
            pytest.fail("no current native build in CI: `make native` should have made one")
        pytest.skip("no current native build (`make native`)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks run by tests keep their result cache out of the user's home."""
    monkeypatch.setenv("VIBEWARD_CACHE_DIR", str(tmp_path_factory.mktemp("vibeward-cache")))


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checks run by tests append their evidence to a throwaway ledger, never one in the checkout."""
    ledger = tmp_path_factory.mktemp("vibeward-evidence") / "evidence.sqlite"
    monkeypatch.setenv("VIBEWARD_EVIDENCE_URL", f"sqlite:///{ledger}")
