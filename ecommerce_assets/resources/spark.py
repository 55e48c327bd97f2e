"""A Spark session wired to the shared Iceberg catalog and able to read Kafka.

We use dagster-pyspark's resource and only add the steps it cannot know about, before
the session starts (each a no-op once done): fetching the Iceberg runtime and Kafka
connector jars into the cache, compiling the project's own Spark functions, and making
the class archive local JVMs start from (decision 0011).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dagster_pyspark import LazyPySparkResource
from dagster_pyspark.resources import spark_session_from_config
from pyspark.sql import SparkSession
from rich.console import Console

from ecommerce_assets.settings import LakehouseSettings
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.spark_class_archive import with_class_archive
from ecommerce_assets.stack.spark_jars import ensure_spark_jars, spark_jar_paths
from ecommerce_assets.stack.spark_scratch import session_scratch_dir

#: A local session is a fresh JVM per run (each Dagster run is a process), so the JIT's
#: warm-up is paid every run: at the JVM's default thresholds, C2 compiled lukewarm
#: planning, serialisation and class-loading code for about a third of a 5 M-event
#: bronze run's CPU. Ten-fold higher thresholds leave C2 to the per-record loops, which
#: reach them within the first batch anyway (docs/benchmarks.md, decision 0009).
#: The initial heap is the whole heap (100 % of RAM, which the JVM caps at -Xmx, so it
#: never conflicts with spark.driver.memory): G1 sizes its young generation from the heap
#: it has, and from the default 1/64 of RAM a fresh bronze run collected 150-240 times
#: against ~50 once grown, ~2 s more GC CPU. Committed, not touched: pages are still used
#: only as the heap needs them (decision 0012).
LOCAL_JVM_OPTIONS = (
    "-XX:Tier4InvocationThreshold=100000 -XX:Tier4MinInvocationThreshold=50000 "
    "-XX:Tier4CompileThreshold=120000 -XX:Tier4BackEdgeThreshold=500000 "
    "-XX:InitialRAMPercentage=100"
)


def spark_conf(settings: LakehouseSettings) -> dict[str, str]:
    """Spark configuration for the profile: master, memory, jars and the Iceberg catalog."""
    catalog = f"spark.sql.catalog.{settings.catalog_name}"
    jars = ",".join(str(path) for path in spark_jar_paths(settings.cache_dir))
    conf = {
        "spark.master": settings.spark_master,
        "spark.app.name": "ecommerce-lakehouse",
        "spark.driver.memory": settings.spark_driver_memory,
        # Bronze gathers a batch's dead letters through task results: a batch of garbage
        # must fail that pass cleanly (and take two passes) long before the driver's heap
        # runs out (see streaming/bronze/dead_letters.py).
        "spark.driver.maxResultSize": "256m",
        "spark.jars": jars,
        "spark.sql.extensions": (
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        ),
        catalog: "org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.type": "rest",
        f"{catalog}.uri": settings.rest_uri,
        # pyiceberg and Trino commit to the same tables: Spark must not serve table
        # metadata from its own cache, or it reads snapshots that were replaced.
        f"{catalog}.cache-enabled": "false",
        "spark.sql.defaultCatalog": settings.catalog_name,
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if settings.spark_master.startswith("local"):
        # The driver JVM runs the tasks too.
        conf["spark.driver.extraJavaOptions"] = LOCAL_JVM_OPTIONS
    if settings.spark_bind_loopback:
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    if settings.catalog_warehouse_id:
        conf[f"{catalog}.warehouse"] = settings.catalog_warehouse_id
    if settings.warehouse_uri.startswith("s3://"):
        conf[f"{catalog}.io-impl"] = "org.apache.iceberg.aws.s3.S3FileIO"
        conf[f"{catalog}.client.region"] = settings.s3_region
        if settings.s3_endpoint:
            conf[f"{catalog}.s3.endpoint"] = settings.s3_endpoint
            conf[f"{catalog}.s3.path-style-access"] = "true"
        if settings.s3_access_key and settings.s3_secret_key:
            conf[f"{catalog}.s3.access-key-id"] = settings.s3_access_key
            conf[f"{catalog}.s3.secret-access-key"] = settings.s3_secret_key
    return conf


def prepare_session(
    conf: Mapping[str, str],
    *,
    cache_dir: str | Path,
    maven_repository: str,
    java_home: Path | None,
    class_archive: bool,
    console: Console,
    scratch_root: Path | None = None,
) -> dict[str, str]:
    """Fetch and make what a session needs; the configuration to start it with.

    ``scratch_root`` (local masters): where the session's temporary files go, one folder
    per process, so what a killed run left is removed by the next session.
    """
    ensure_spark_jars(cache_dir, maven_repository, console, java_home)
    if scratch_root is not None and conf.get("spark.master", "").startswith("local"):
        # The variable rather than spark.local.dir, which Spark warns may be overridden.
        os.environ["SPARK_LOCAL_DIRS"] = str(session_scratch_dir(scratch_root))
    if java_home is not None:
        # PySpark's launcher starts $JAVA_HOME/bin/java (else the PATH's): the setting's
        # JDK runs Spark as it runs Kafka and the catalog.
        os.environ["JAVA_HOME"] = str(find_jdk(17, override=java_home, purpose="Spark").home)
    if class_archive:
        return with_class_archive(conf, cache_dir, console)
    return dict(conf)


def spark_session(settings: LakehouseSettings, console: Console | None = None) -> SparkSession:
    """A Spark session for scripts and the CLI (assets use :class:`LakehouseSparkResource`)."""
    conf = prepare_session(
        spark_conf(settings),
        cache_dir=settings.cache_dir,
        maven_repository=settings.maven_repository,
        java_home=settings.java_home,
        class_archive=settings.spark_class_archive,
        console=console or Console(stderr=True),
        scratch_root=settings.spark_scratch_dir,
    )
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class LakehouseSparkResource(LazyPySparkResource):
    """dagster-pyspark's lazy session resource, plus the jars and class archive it needs.

    Lazy: the JVM starts when an asset first asks for ``spark_session``, so a run that
    finds nothing to do pays no Spark start-up.
    """

    cache_dir: str
    maven_repository: str
    #: The JDK that runs Spark and compiles its functions (None: PySpark's own choice
    #: runs it, the oldest suitable JDK compiles).
    java_home: str | None = None
    #: Start local JVMs from the class archive (made here first if the cache lacks it).
    class_archive: bool = True
    #: Local masters: the root of per-process scratch folders (spark.local.dir).
    scratch_root: str | None = None

    def _init_session(self) -> None:
        if self._spark_session is not None:
            return
        conf = prepare_session(
            self.spark_config,
            cache_dir=self.cache_dir,
            maven_repository=self.maven_repository,
            java_home=Path(self.java_home) if self.java_home else None,
            class_archive=self.class_archive,
            console=Console(stderr=True),
            scratch_root=Path(self.scratch_root) if self.scratch_root else None,
        )
        # What LazyPySparkResource._init_session does, with the prepared configuration.
        self._spark_session = spark_session_from_config(conf)

    @classmethod
    def from_settings(cls, settings: LakehouseSettings) -> LakehouseSparkResource:
        return cls(
            spark_config=spark_conf(settings),
            cache_dir=str(settings.cache_dir),
            maven_repository=settings.maven_repository,
            java_home=str(settings.java_home) if settings.java_home else None,
            class_archive=settings.spark_class_archive,
            scratch_root=str(settings.spark_scratch_dir),
        )
