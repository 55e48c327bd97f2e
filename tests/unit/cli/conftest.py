"""Every CLI test runs against ports nothing listens on, in a data folder of its own.

Bad input must fail before anything is touched; if a test ever got further, it must hit
a refused connection, never a stack someone has running on the default ports.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecommerce_assets.settings import get_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("LAKEHOUSE_DATA_DIR", str(tmp_path / "data"))
    for name in ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "CATALOG_PORT", "TRINO_PORT"):
        monkeypatch.setenv(f"LAKEHOUSE_{name}", str(free_port()))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
