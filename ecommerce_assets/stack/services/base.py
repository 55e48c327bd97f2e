"""What every service of the local stack provides to the stack manager."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from ecommerce_assets.settings import LakehouseSettings


@dataclass(frozen=True)
class PortSetting:
    """A port a service binds, with the setting that chooses it (for error messages)."""

    setting: str
    port: int


@dataclass(frozen=True)
class LaunchSpec:
    command: list[str]
    env: dict[str, str]
    cwd: Path


class Service(ABC):
    """A JVM service started on 127.0.0.1 from cached artifacts."""

    name: str

    def __init__(self, settings: LakehouseSettings) -> None:
        self.settings = settings

    @property
    def home(self) -> Path:
        """This service's own state folder under the data folder."""
        return self.settings.data_dir / self.name

    @property
    @abstractmethod
    def host(self) -> str: ...

    @abstractmethod
    def ports(self) -> list[PortSetting]: ...

    @abstractmethod
    def prepare(self, console: Console) -> LaunchSpec:
        """Fetch artifacts, write configuration, initialise storage; return how to launch."""

    @abstractmethod
    def is_healthy(self) -> bool:
        """True once the service answers real requests."""

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """Where clients reach it, as shown by ``stack status``."""
