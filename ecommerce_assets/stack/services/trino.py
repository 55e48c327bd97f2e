"""A single-node Trino (coordinator that also runs tasks) with the Iceberg connector.

The server and its Iceberg plugin come from Maven Central (476 is the newest release
there). We start the server class directly instead of ``bin/launcher``: the launcher
needs a Python of its own and daemonizes, while starting the JVM ourselves gives us the
pid to watch and stop, and the exact flags in one place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from trino.dbapi import connect

from ecommerce_assets.stack.artifacts import MavenArtifact, fetch, unpack
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.process import port_accepts, service_tag
from ecommerce_assets.stack.services.base import LaunchSpec, PortSetting, Service
from ecommerce_assets.stack.services.http_health import get_json
from ecommerce_assets.stack.versions import TRINO_VERSION

SERVER = MavenArtifact("io.trino", "trino-server-core", TRINO_VERSION, packaging="tar.gz")
ICEBERG_PLUGIN = MavenArtifact("io.trino", "trino-iceberg", TRINO_VERSION, packaging="zip")
MAIN_CLASS = "io.trino.server.TrinoServer"
MIN_JAVA = 24
VECTOR_MODULE = "jdk.incubator.vector"


def _properties(values: dict[str, str]) -> str:
    return "".join(f"{key}={value}\n" for key, value in values.items())


class TrinoService(Service):
    name = "trino"

    @property
    def host(self) -> str:
        return self.settings.trino_hostname

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.settings.trino_port}"

    def ports(self) -> list[PortSetting]:
        return [PortSetting("LAKEHOUSE_TRINO_PORT", self.settings.trino_port)]

    def install(self, console: Console) -> Path:
        """The unpacked server with the Iceberg plugin, shared by every clone via the cache."""
        cache = self.settings.cache_dir
        repository = self.settings.maven_repository
        server = unpack(
            fetch(SERVER, cache, repository, console), cache / f"trino-server-{TRINO_VERSION}"
        )
        unpack(fetch(ICEBERG_PLUGIN, cache, repository, console), server / "plugin" / "iceberg")
        _prune_plugins(server)
        return server

    def _write_config(self, server: Path) -> Path:
        s = self.settings
        etc = self.home / "etc"
        (etc / "catalog").mkdir(parents=True, exist_ok=True)
        heap_bytes = _to_bytes(s.trino_heap)
        query_memory = f"{max(heap_bytes * 3 // 10 // 2**20, 64)}MB"
        (etc / "config.properties").write_text(
            _properties(
                {
                    "coordinator": "true",
                    "node-scheduler.include-coordinator": "true",
                    "http-server.http.port": str(s.trino_port),
                    "discovery.uri": self.endpoint,
                    "query.max-memory": query_memory,
                    "query.max-memory-per-node": query_memory,
                    "memory.heap-headroom-per-node": f"{heap_bytes // 4 // 2**20}MB",
                    "plugin.dir": str(server / "plugin"),
                    "catalog.config-dir": str(etc / "catalog"),
                    # A laptop-sized node: few threads, quick start.
                    "task.concurrency": "2",
                    "task.max-worker-threads": "8",
                    "node-manager.http-client.request-timeout": "10s",
                }
            )
        )
        (etc / "node.properties").write_text(
            _properties(
                {
                    "node.environment": "lakehouse",
                    "node.id": "lakehouse-local",
                    "node.data-dir": str(self.home / "data"),
                    # Listen on loopback only, and tell the (single) node so.
                    "node.bind-ip": self.host,
                    "node.internal-address": self.host,
                }
            )
        )
        (etc / "log.properties").write_text("io.trino=INFO\n")
        (etc / "catalog" / f"{s.trino_catalog}.properties").write_text(
            _properties(self.iceberg_catalog_properties())
        )
        return etc

    def iceberg_catalog_properties(self) -> dict[str, str]:
        s = self.settings
        values = {
            "connector.name": "iceberg",
            "iceberg.catalog.type": "rest",
            "iceberg.rest-catalog.uri": s.rest_uri,
            "iceberg.file-format": "PARQUET",
            "iceberg.rest-catalog.warehouse": s.catalog_warehouse_id or s.warehouse_uri,
            # Let Trino's DROP TABLE remove data in a shared warehouse too.
            "iceberg.unique-table-location": "true",
        }
        if s.warehouse_uri.startswith("file://"):
            # Trino resolves file:// table locations against this root, so it must be "/".
            values["fs.native-local.enabled"] = "true"
            values["local.location"] = "/"
        else:
            values["fs.native-s3.enabled"] = "true"
            values["s3.region"] = s.s3_region
            if s.s3_endpoint:
                values["s3.endpoint"] = s.s3_endpoint
                values["s3.path-style-access"] = "true"
            if s.s3_access_key and s.s3_secret_key:
                values["s3.aws-access-key"] = s.s3_access_key
                values["s3.aws-secret-key"] = s.s3_secret_key
        return values

    def prepare(self, console: Console) -> LaunchSpec:
        jdk = find_jdk(
            MIN_JAVA,
            frozenset({VECTOR_MODULE}),
            override=self.settings.trino_java_home,
            setting="LAKEHOUSE_TRINO_JAVA_HOME",
            purpose=f"Trino {TRINO_VERSION}",
        )
        server = self.install(console)
        etc = self._write_config(server)
        heap = self.settings.trino_heap
        command = [
            str(jdk.java),
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:ReservedCodeCacheSize=256M",
            "-XX:PerMethodRecompilationCutoff=10000",
            "-XX:PerBytecodeRecompilationCutoff=10000",
            "-XX:+EnableDynamicAgentLoading",
            "-Djdk.attach.allowAttachSelf=true",
            "-Djdk.nio.maxCachedBufferSize=2000000",
            "-Dfile.encoding=UTF-8",
            f"--add-modules={VECTOR_MODULE}",
            "--enable-native-access=ALL-UNNAMED",
            service_tag(self.name, self.settings.data_dir),
            "-Dnode.environment=lakehouse",
            f"-Dconfig={etc / 'config.properties'}",
            f"-Dlog.levels-file={etc / 'log.properties'}",
            f"-Dnode.data-dir={self.home / 'data'}",
            "-Dnode.id=lakehouse-local",
            "-cp",
            f"{server / 'lib'}/*",
            MAIN_CLASS,
        ]
        return LaunchSpec(command=command, env={"PATH": "/usr/bin:/bin"}, cwd=self.home)

    def is_healthy(self) -> bool:
        if not port_accepts(self.host, self.settings.trino_port):
            return False
        info = get_json(f"{self.endpoint}/v1/info")
        if not (isinstance(info, dict) and info.get("starting") is False):
            return False
        # For ~2 s after start-up the node is not yet schedulable (NO_NODES_AVAILABLE):
        # healthy means a real query through the Iceberg catalog answers.
        try:
            with connect(
                host=self.host,
                port=self.settings.trino_port,
                user=self.settings.trino_user,
                catalog=self.settings.trino_catalog,
                request_timeout=10,
            ) as connection:
                cursor = connection.cursor()
                cursor.execute("SHOW SCHEMAS")
                cursor.fetchall()
        except Exception:
            return False
        return True


# Plugins of the server tarball that this stack never loads; dropping them saves ~250 MB
# of disk and some start-up time.
_KEEP_PLUGINS = {"iceberg"}


def _prune_plugins(server: Path) -> None:
    marker = server / ".pruned"
    if marker.exists():
        return
    for plugin in (server / "plugin").iterdir():
        if plugin.is_dir() and plugin.name not in _KEEP_PLUGINS:
            shutil.rmtree(plugin)
    shutil.rmtree(server / "secrets-plugin", ignore_errors=True)
    marker.touch()


def _to_bytes(size: str) -> int:
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    return int(size[:-1]) * units[size[-1].lower()]
