"""Apache Iceberg's own REST catalog server (the one behind apache/iceberg-rest-fixture).

It is a thin REST front over Iceberg's JdbcCatalog. We give it a SQLite file under the
data folder so the catalog survives restarts, and the local warehouse folder for table
data. It is configured only through ``CATALOG_*`` environment variables.

Its stock entry point binds every interface with SO_REUSEPORT (so a second copy starts
silently on the same port). ``java_src/LoopbackRESTCatalogServer.java`` is a ~40-line
launcher that starts the same servlet bound to one host without port reuse; we compile
it once with the JDK's javac and cache the class.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from rich.console import Console

from ecommerce_assets.stack.artifacts import resolve_classpath
from ecommerce_assets.stack.java import Jdk, compile_java, find_jdk
from ecommerce_assets.stack.process import port_accepts, service_tag
from ecommerce_assets.stack.services.base import LaunchSpec, PortSetting, Service
from ecommerce_assets.stack.services.http_health import get_json

MAIN_CLASS = "org.apache.iceberg.rest.LoopbackRESTCatalogServer"
LAUNCHER_SOURCE = "LoopbackRESTCatalogServer.java"


def compile_launcher(jdk: Jdk, lib: Path, cache_dir: Path) -> Path:
    """Compile the loopback launcher against the catalog's classpath, once per source."""
    source = resources.files("ecommerce_assets.stack").joinpath(f"java_src/{LAUNCHER_SOURCE}")
    text = source.read_bytes()
    classes = cache_dir / "classpaths" / f"rest-launcher-{hashlib.sha1(text).hexdigest()[:12]}"
    if (classes / ".complete").exists():
        return classes
    classes.mkdir(parents=True, exist_ok=True)
    source_file = classes / LAUNCHER_SOURCE
    source_file.write_bytes(text)
    compile_java(jdk, [source_file], f"{lib}/*", classes, "the REST catalog launcher")
    (classes / ".complete").touch()
    return classes


class RestCatalogService(Service):
    name = "rest-catalog"

    @property
    def host(self) -> str:
        return self.settings.catalog_host

    @property
    def endpoint(self) -> str:
        return self.settings.rest_uri

    def ports(self) -> list[PortSetting]:
        return [PortSetting("LAKEHOUSE_CATALOG_PORT", self.settings.catalog_port)]

    def prepare(self, console: Console) -> LaunchSpec:
        jdk = find_jdk(17, override=self.settings.java_home, purpose="the Iceberg REST catalog")
        lib = resolve_classpath("rest-catalog", self.settings.cache_dir, console)
        launcher = compile_launcher(jdk, lib, self.settings.cache_dir)
        self.home.mkdir(parents=True, exist_ok=True)
        warehouse = self.settings.warehouse_uri
        if warehouse.startswith("file://"):
            (self.settings.data_dir / "warehouse").mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": "/usr/bin:/bin",
            "CATALOG_CATALOG__IMPL": "org.apache.iceberg.jdbc.JdbcCatalog",
            "CATALOG_URI": f"jdbc:sqlite:file:{self.home / 'catalog.db'}",
            "CATALOG_JDBC_USER": "lakehouse",
            "CATALOG_JDBC_PASSWORD": "lakehouse",
            "CATALOG_WAREHOUSE": warehouse,
            "CATALOG_REST_PORT": str(self.settings.catalog_port),
            "CATALOG_REST_HOST": self.settings.catalog_host,
        }
        heap = self.settings.catalog_heap
        command = [
            str(jdk.java),
            f"-Xmx{heap}",
            "-XX:+UseSerialGC",
            # A small REST front: the C1 compiler alone starts faster and uses less memory.
            "-XX:TieredStopAtLevel=1",
            service_tag(self.name, self.settings.data_dir),
            "-cp",
            f"{lib}/*:{launcher}",
            MAIN_CLASS,
        ]
        return LaunchSpec(command=command, env=env, cwd=self.home)

    def is_healthy(self) -> bool:
        if not port_accepts(self.host, self.settings.catalog_port):
            return False
        return get_json(f"{self.endpoint}/v1/config") is not None
