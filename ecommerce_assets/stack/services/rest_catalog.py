"""Apache Iceberg's own REST catalog server (the one behind apache/iceberg-rest-fixture).

It is a thin REST front over Iceberg's JdbcCatalog. We give it a SQLite file under the
data folder so the catalog survives restarts, and the local warehouse folder for table
data. It is configured only through ``CATALOG_*`` environment variables.
"""

from __future__ import annotations

from rich.console import Console

from ecommerce_assets.stack.artifacts import resolve_classpath
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.process import port_accepts, service_tag
from ecommerce_assets.stack.services.base import LaunchSpec, PortSetting, Service
from ecommerce_assets.stack.services.http_health import get_json

MAIN_CLASS = "org.apache.iceberg.rest.RESTCatalogServer"


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
        }
        heap = self.settings.catalog_heap
        command = [
            str(jdk.java),
            f"-Xmx{heap}",
            "-XX:+UseSerialGC",
            service_tag(self.name, self.settings.data_dir),
            "-cp",
            f"{lib}/*",
            MAIN_CLASS,
        ]
        return LaunchSpec(command=command, env=env, cwd=self.home)

    def is_healthy(self) -> bool:
        if not port_accepts(self.host, self.settings.catalog_port):
            return False
        return get_json(f"{self.endpoint}/v1/config") is not None
