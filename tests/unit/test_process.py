import socket
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from ecommerce_assets.settings import load_settings
from ecommerce_assets.stack import manager
from ecommerce_assets.stack.errors import StackError
from ecommerce_assets.stack.process import ManagedProcess, port_is_free, rss_bytes


def test_managed_process_starts_is_found_by_tag_and_stops(tmp_path: Path) -> None:
    process = ManagedProcess("sleeper", tmp_path)
    command = [sys.executable, "-c", "import time; time.sleep(120)", process.tag]
    pid = process.start(command, env={}, cwd=tmp_path)
    assert process.pid() == pid
    assert rss_bytes(pid) > 0
    # Losing the pid file does not lose the process: it is found by its tag.
    process.pid_file.unlink()
    assert process.pid() == pid
    assert process.stop(timeout=5)
    assert process.pid() is None
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_a_command_without_the_tag_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must carry"):
        ManagedProcess("x", tmp_path).start(["sleep", "1"], env={}, cwd=tmp_path)


def test_exit_during_startup_shows_the_log(tmp_path: Path) -> None:
    process = ManagedProcess("crasher", tmp_path)
    command = [sys.executable, "-c", "print('boom: bad config'); raise SystemExit(3)", process.tag]
    pid = process.start(command, env={}, cwd=tmp_path)
    time.sleep(1)
    with pytest.raises(StackError, match=r"crasher exited during start-up(.|\n)*boom: bad config"):
        process.require_alive(pid)


def test_up_refuses_a_port_in_use_and_names_its_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        monkeypatch.setenv("LAKEHOUSE_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("LAKEHOUSE_KAFKA_PORT", str(port))
        with pytest.raises(StackError) as error:
            manager.up(load_settings(), Console(quiet=True))
    message = str(error.value)
    assert f"port {port} on 127.0.0.1 is in use" in message
    assert "LAKEHOUSE_KAFKA_PORT" in message


def test_stack_commands_refuse_other_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_PROFILE", "compose")
    with pytest.raises(StackError, match="local stack only"):
        manager.status(load_settings())
