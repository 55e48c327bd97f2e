"""A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM)."""

from __future__ import annotations

import subprocess

from confluent_kafka.admin import AdminClient
from rich.console import Console

from ecommerce_assets.stack.artifacts import resolve_classpath
from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.java import find_jdk
from ecommerce_assets.stack.process import port_accepts, service_tag
from ecommerce_assets.stack.services.base import LaunchSpec, PortSetting, Service

_LOG4J2 = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.log
        level: WARN
      - name: org.apache.kafka.storage
        level: WARN
"""


class KafkaService(Service):
    name = "kafka"

    @property
    def host(self) -> str:
        return self.settings.kafka_host

    @property
    def endpoint(self) -> str:
        return self.settings.bootstrap_servers

    def ports(self) -> list[PortSetting]:
        return [
            PortSetting("LAKEHOUSE_KAFKA_PORT", self.settings.kafka_port),
            PortSetting("LAKEHOUSE_KAFKA_CONTROLLER_PORT", self.settings.kafka_controller_port),
        ]

    def _server_properties(self) -> str:
        s = self.settings
        data = self.home / "data"
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{s.kafka_host}:{s.kafka_controller_port}",
            "listeners": (
                f"PLAINTEXT://{s.kafka_host}:{s.kafka_port},"
                f"CONTROLLER://{s.kafka_host}:{s.kafka_controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://{s.kafka_host}:{s.kafka_port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(data),
            "num.partitions": str(s.kafka_default_partitions),
            # One node: every internal topic has exactly one replica.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            # Never delete by age: backfills carry historical event times as Kafka
            # timestamps, and time-based retention would drop them within minutes of
            # being produced (the broker checks every 5 min). Bounded by size instead.
            "log.retention.ms": "-1",
            "log.retention.bytes": str(4 * 2**30),
        }
        return "".join(f"{key}={value}\n" for key, value in lines.items())

    def prepare(self, console: Console) -> LaunchSpec:
        jdk = find_jdk(17, override=self.settings.java_home, purpose="Kafka")
        lib = resolve_classpath("kafka", self.settings.cache_dir, console)
        config_dir = self.home / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        properties = config_dir / "server.properties"
        properties.write_text(self._server_properties())
        log4j = config_dir / "log4j2.yaml"
        log4j.write_text(_LOG4J2)
        classpath = f"{lib}/*"
        base = [str(jdk.java), f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath]
        if not (self.home / "data" / "meta.properties").exists():
            self._format_storage(base, properties)
        heap = self.settings.kafka_heap
        command = [
            str(jdk.java),
            f"-Xmx{heap}",
            f"-Xms{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            service_tag(self.name, self.settings.data_dir),
            *base[1:],
            "kafka.Kafka",
            str(properties),
        ]
        return LaunchSpec(command=command, env={"PATH": "/usr/bin:/bin"}, cwd=self.home)

    def _format_storage(self, base: list[str], properties: object) -> None:
        def run(*args: str) -> str:
            result = subprocess.run(
                [*base, "kafka.tools.StorageTool", *args],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise StackError(
                    f"formatting Kafka storage failed ({' '.join(args[:1])}):\n"
                    f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
                )
            return result.stdout

        cluster_id = run("random-uuid").strip().splitlines()[-1]
        run("format", "-t", cluster_id, "-c", str(properties), "--standalone")

    def is_healthy(self) -> bool:
        # Ask the port first: a client pointed at a closed port logs noisy retries.
        if not port_accepts(self.host, self.settings.kafka_port):
            return False
        admin = AdminClient(
            {"bootstrap.servers": self.endpoint, "socket.connection.setup.timeout.ms": 1000}
        )
        try:
            metadata = admin.list_topics(timeout=2)
        except Exception:
            return False
        return bool(metadata.brokers)
