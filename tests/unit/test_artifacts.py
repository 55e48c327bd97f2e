import hashlib
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console

from ecommerce_assets.stack.artifacts import MavenArtifact, fetch, unpack
from ecommerce_assets.stack.errors import StackError

ARTIFACT = MavenArtifact("org.example", "thing", "1.0")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Maven-layout repository served over HTTP on 127.0.0.1."""
    root = tmp_path / "repo"
    root.mkdir()
    handler = partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def publish(root: Path, artifact: MavenArtifact, content: bytes, sha1: str | None = None) -> None:
    path = root / artifact.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    (path.parent / (path.name + ".sha1")).write_text(sha1 or hashlib.sha1(content).hexdigest())


def test_relative_path_follows_maven_layout() -> None:
    tarball = MavenArtifact("io.trino", "trino-server-core", "476", packaging="tar.gz")
    assert tarball.relative_path == "io/trino/trino-server-core/476/trino-server-core-476.tar.gz"
    tests = MavenArtifact("org.apache.iceberg", "iceberg-core", "1.11.0", classifier="tests")
    assert tests.filename == "iceberg-core-1.11.0-tests.jar"


def test_fetch_downloads_verifies_and_caches(repository: tuple[str, Path], tmp_path: Path) -> None:
    url, root = repository
    publish(root, ARTIFACT, b"jar bytes" * 1000)
    cache = tmp_path / "cache"
    path = fetch(ARTIFACT, cache, url, Console(quiet=True))
    assert path.read_bytes() == b"jar bytes" * 1000
    # A second fetch is served from the cache: the repository may even be gone.
    (root / ARTIFACT.relative_path).unlink()
    assert fetch(ARTIFACT, cache, url, Console(quiet=True)) == path


def test_fetch_rejects_a_corrupt_download(repository: tuple[str, Path], tmp_path: Path) -> None:
    url, root = repository
    publish(root, ARTIFACT, b"tampered", sha1="0" * 40)
    with pytest.raises(StackError, match=r"checksum mismatch for org.example:thing:1.0"):
        fetch(ARTIFACT, tmp_path / "cache", url, Console(quiet=True))
    assert not list((tmp_path / "cache").rglob("*.jar"))


def test_fetch_reports_a_missing_artifact(repository: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = repository
    with pytest.raises(StackError, match=r"download failed: .*thing-1.0.jar.sha1"):
        fetch(ARTIFACT, tmp_path / "cache", url, Console(quiet=True))


def test_unpack_flattens_the_top_folder_once(tmp_path: Path) -> None:
    import tarfile

    source = tmp_path / "src" / "server-1.0"
    (source / "lib").mkdir(parents=True)
    (source / "lib" / "a.jar").write_text("a")
    archive = tmp_path / "server.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        bundle.add(source, arcname="server-1.0")
    target = unpack(archive, tmp_path / "server")
    assert (target / "lib" / "a.jar").read_text() == "a"
    (target / "lib" / "a.jar").write_text("kept")
    unpack(archive, tmp_path / "server")
    assert (target / "lib" / "a.jar").read_text() == "kept"
