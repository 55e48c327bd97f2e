"""The jars Spark needs beyond PySpark: the Iceberg runtime, the Kafka connector and the
project's own functions (:mod:`ecommerce_assets.stack.spark_functions`).

Fetched once into the cache and handed to the session as ``spark.jars``, rather than
``spark.jars.packages``: Ivy would resolve at every session start and pull transitive
jars PySpark already ships (lz4, snappy, zstd) in other versions.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ecommerce_assets.stack.artifacts import MavenArtifact, cached_path, fetch
from ecommerce_assets.stack.spark_functions import build_functions_jar, functions_jar_path
from ecommerce_assets.stack.versions import (
    COMMONS_POOL2_VERSION,
    ICEBERG_VERSION,
    SPARK_KAFKA_CLIENTS_VERSION,
    SPARK_VERSION,
)

SPARK_ARTIFACTS = (
    MavenArtifact("org.apache.iceberg", "iceberg-spark-runtime-4.1_2.13", ICEBERG_VERSION),
    # S3FileIO for the compose and aws profiles (MinIO, S3).
    MavenArtifact("org.apache.iceberg", "iceberg-aws-bundle", ICEBERG_VERSION),
    MavenArtifact("org.apache.spark", "spark-sql-kafka-0-10_2.13", SPARK_VERSION),
    MavenArtifact("org.apache.spark", "spark-token-provider-kafka-0-10_2.13", SPARK_VERSION),
    MavenArtifact("org.apache.kafka", "kafka-clients", SPARK_KAFKA_CLIENTS_VERSION),
    MavenArtifact("org.apache.commons", "commons-pool2", COMMONS_POOL2_VERSION),
)


def spark_jar_paths(cache_dir: str | Path) -> list[Path]:
    """The jars a session is given (:func:`ensure_spark_jars` puts them there)."""
    cache = Path(cache_dir)
    return [*(cached_path(a, cache) for a in SPARK_ARTIFACTS), functions_jar_path(cache)]


def ensure_spark_jars(
    cache_dir: str | Path, repository: str, console: Console, java_home: Path | None = None
) -> list[Path]:
    """Fetch the jars and compile the project's functions, where the cache lacks them."""
    fetched = [fetch(a, Path(cache_dir), repository, console) for a in SPARK_ARTIFACTS]
    return [*fetched, build_functions_jar(cache_dir, console, java_home)]
