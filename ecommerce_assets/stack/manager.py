"""``stack up``, ``down`` and ``status``: the local profile's services, in order.

Order matters: the catalog before Trino (Trino's Iceberg connector talks to it); Kafka is
independent. ``up`` is idempotent: a healthy service is left alone. ``down`` stops in
reverse order and then checks that no port of ours is still bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console

from ecommerce_assets.settings import LakehouseSettings
from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.process import ManagedProcess, port_is_free, rss_bytes, tail
from ecommerce_assets.stack.services.base import Service
from ecommerce_assets.stack.services.kafka import KafkaService
from ecommerce_assets.stack.services.rest_catalog import RestCatalogService
from ecommerce_assets.stack.services.trino import TrinoService
from ecommerce_assets.stack.spark_jars import ensure_spark_jars


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    endpoint: str
    pid: int | None
    healthy: bool
    rss_bytes: int


def services(settings: LakehouseSettings) -> list[Service]:
    return [KafkaService(settings), RestCatalogService(settings), TrinoService(settings)]


def service_named(settings: LakehouseSettings, name: str) -> Service:
    for service in services(settings):
        if service.name == name:
            return service
    known = ", ".join(s.name for s in services(settings))
    raise StackError(f"unknown service {name!r}; the stack has: {known}")


def _require_local(settings: LakehouseSettings) -> None:
    if not settings.local_stack:
        raise StackError(
            f"`lakehouse stack` manages the local stack only (LAKEHOUSE_LOCAL_STACK is off on "
            f"profile {settings.profile!r}); use docker compose or terraform for that profile."
        )


def _wait_healthy(service: Service, process: ManagedProcess, pid: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        process.require_alive(pid)
        if service.is_healthy():
            return time.monotonic() - started
        time.sleep(0.5)
    raise StackError(
        f"{service.name} did not become healthy within {timeout:.0f} s "
        f"(raise LAKEHOUSE_STARTUP_TIMEOUT_S if the machine is slow). "
        f"Last lines of {process.log_file}:\n{tail(process.log_file)}"
    )


def start_service(service: Service, settings: LakehouseSettings, console: Console) -> None:
    process = ManagedProcess(service.name, settings.data_dir)
    pid = process.pid()
    if pid is not None:
        if service.is_healthy():
            console.print(f"[green]✓[/] {service.name} already running at {service.endpoint}")
            return
        console.print(f"  {service.name} is running (pid {pid}) but not healthy yet; waiting")
        _wait_healthy(service, process, pid, settings.startup_timeout_s)
        return
    for port in service.ports():
        if not port_is_free(service.host, port.port):
            raise StackError(
                f"port {port.port} on {service.host} is in use by another process, so "
                f"{service.name} cannot start. Stop that process, or choose another port "
                f"with {port.setting}."
            )
    console.print(f"[bold]{service.name}[/]: preparing")
    spec = service.prepare(console)
    pid = process.start(spec.command, spec.env, spec.cwd)
    console.print(f"  started pid {pid}, waiting for {service.endpoint}")
    took = _wait_healthy(service, process, pid, settings.startup_timeout_s)
    console.print(f"[green]✓[/] {service.name} healthy at {service.endpoint} in {took:.1f} s")


def up(settings: LakehouseSettings, console: Console) -> None:
    _require_local(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for service in services(settings):
        start_service(service, settings, console)
    # Spark runs inside the Dagster process, not here; fetch its jars now so the first
    # Spark session does not stall on a download.
    ensure_spark_jars(settings.cache_dir, settings.maven_repository, console)


def down(settings: LakehouseSettings, console: Console) -> None:
    _require_local(settings)
    for service in reversed(services(settings)):
        process = ManagedProcess(service.name, settings.data_dir)
        if process.stop():
            console.print(f"[green]✓[/] {service.name} stopped")
        else:
            console.print(f"  {service.name} was not running")
    busy = [
        f"{port.port} ({port.setting})"
        for service in services(settings)
        for port in service.ports()
        if not port_is_free(service.host, port.port)
    ]
    if busy:
        raise StackError(f"ports still bound after stopping the stack: {', '.join(busy)}")


def status(settings: LakehouseSettings) -> list[ServiceStatus]:
    _require_local(settings)
    result = []
    for service in services(settings):
        pid = ManagedProcess(service.name, settings.data_dir).pid()
        result.append(
            ServiceStatus(
                name=service.name,
                endpoint=service.endpoint,
                pid=pid,
                healthy=pid is not None and service.is_healthy(),
                rss_bytes=rss_bytes(pid) if pid is not None else 0,
            )
        )
    return result
