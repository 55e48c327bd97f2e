"""Versions of the JVM parts of the stack, chosen to fit together.

Why these (see docs/decisions/0002-jvm-component-versions.md):
- Spark must be 4.1.x: Iceberg's Spark runtime exists for Spark 4.0 and 4.1 only, and the
  Kafka connector jar must equal the PySpark version exactly (pinned in pyproject.toml).
  4.1.1, not a later 4.1.x: it is the newest 4.1 release whose connector and token-provider
  jars are both on Maven Central, and the one Iceberg 1.11 is built against.
- Trino 476 is the newest release whose server tarball and plugins are on Maven Central;
  it needs Java >= 24 with the jdk.incubator.vector module.
- Iceberg 1.11.0 is the first release with a Spark 4.1 runtime and the newest REST catalog
  server classes on Maven Central; one version for the server and the Spark runtime.
"""

KAFKA_VERSION = "4.1.2"
ICEBERG_VERSION = "1.11.0"
TRINO_VERSION = "476"
SPARK_VERSION = "4.1.1"
SPARK_KAFKA_CLIENTS_VERSION = "3.9.1"
COMMONS_POOL2_VERSION = "2.12.1"
