"""Bad input never shows a traceback: exit status 2 and one error line naming the option."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from data_generators import GeneratorParams, TroubleParams
from ecommerce_assets.cli.generate import OPTION_OF_FIELD, generate
from ecommerce_assets.cli.main import cli

# (arguments, what the error line must name)
BAD_INPUT: list[tuple[list[str], str]] = [
    (["stack", "logs", "-n", "-3", "kafka"], "'-n' / '--lines'"),
    (["stack", "logs", "-n", "many", "kafka"], "'-n' / '--lines'"),
    (["stack", "logs", "nope"], "'SERVICE'"),
    (["generate", "--duplicates", "1.5"], "'--duplicates'"),
    (["generate", "--duplicates", "lots"], "'--duplicates'"),
    (["generate", "--late", "2"], "'--late'"),
    (["generate", "--late", "-0.1"], "'--late'"),
    (["generate", "--out-of-order", "1.01"], "'--out-of-order'"),
    (["generate", "--malformed", "-1"], "'--malformed'"),
    (["generate", "--late-max-hours", "0"], "'--late-max-hours'"),
    (["generate", "--late-max-hours", "0.01"], "'--late-max-hours'"),
    (["generate", "--late", "0.6", "--out-of-order", "0.6"], "'--late' / '--out-of-order'"),
    (["generate", "--drift-from-day", "-1"], "'--drift-from-day'"),
    (["generate", "--days", "0"], "'--days'"),
    (["generate", "--days", "a week"], "'--days'"),
    (["generate", "--customers", "-5"], "'--customers'"),
    (["generate", "--products", "0"], "'--products'"),
    (["generate", "--events-per-day", "0"], "'--events-per-day'"),
    (["generate", "--seed", "-1"], "'--seed'"),
    (["generate", "--rate", "0", "--mode", "live"], "'--rate'"),
    (["generate", "--duration", "-3", "--mode", "live"], "'--duration'"),
    (["generate", "--duration", "5"], "'--duration' / '--mode'"),
    (["generate", "--partitions", "0"], "'--partitions'"),
    (["generate", "--kafka-timeout", "0"], "'--kafka-timeout'"),
    (["generate", "--topic", "orders"], "'--topic'"),
    (["generate", "--topic", "reviews=shop.reviews"], "'--topic'"),
    (["generate", "--topic", "orders=bad name"], "'--topic'"),
    (["generate", "--topic", "orders=shop.payments"], "'--topic'"),
    (["generate", "--sink", "s3"], "'--sink'"),
    (["generate", "--mode", "fast"], "'--mode'"),
    (["generate", "--format", "csv"], "'--format'"),
    (["generate", "--start-date", "2024-02-30"], "'--start-date'"),
    (["stream", "--duration", "-1"], "'--duration'"),
    (["stream", "--duration", "0"], "'--duration'"),
    (["stream", "--interval", "nonsense"], "'--interval'"),
    (["stream", "--interval", "2s"], "'--interval'"),
    (["stream", "--interval", "1 month"], "'--interval'"),
    (["stream", "--stream", "reviews"], "'--stream'"),
    (["dev", "--port", "-1"], "'--port'"),
    (["dev", "--port", "0"], "'--port'"),
    (["dev", "--port", "70000"], "'--port'"),
    (["dev", "--port", "web"], "'--port'"),
    (["sql", "--schema", ""], "'--schema'"),
    (["backfill", "yesterday"], "'FIRST'"),
    (["backfill", "2023-12-31"], "'FIRST'"),
    (["backfill", "2024-02-02", "2024-02-01"], "'LAST'"),
    (["backfill", "2024-01-01", "2999-01-01"], "'LAST'"),
]


def assert_usage_error(result: Result, names: str) -> None:
    assert result.exit_code == 2, result.output
    # A click usage error ends the run as SystemExit; anything else escaped as a crash.
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"Error: Invalid value for {names}:"), errors[0]
    assert result.output.rstrip().endswith(errors[0]), "the error is one line, and the last"


@pytest.mark.parametrize(("args", "names"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_names_the_option(args: list[str], names: str) -> None:
    assert_usage_error(CliRunner().invoke(cli, args), names)


def test_generator_messages_use_option_names_not_fields() -> None:
    result = CliRunner().invoke(cli, ["generate", "--late", "0.7", "--out-of-order", "0.7"])
    assert "--late + --out-of-order must not exceed 1 (got 0.7 + 0.7)" in result.output
    assert "share" not in result.output
    result = CliRunner().invoke(cli, ["generate", "--duration", "5"])
    assert "--duration only applies to --mode live" in result.output
    result = CliRunner().invoke(cli, ["generate", "--late-max-hours", "0.01"])
    assert "late_max_hours" not in result.output
    result = CliRunner().invoke(cli, ["generate", "--duplicates", "1.5"])
    assert "1.5 is not in the range 0<=x<=1" in result.output


def test_every_generator_field_maps_to_an_option_of_generate() -> None:
    options = {opt for param in generate.params for opt in param.opts}
    assert set(OPTION_OF_FIELD.values()) <= options
    fields = set(GeneratorParams.model_fields) - {"trouble"}
    # late_min_minutes has no option: the CLI keeps the generator's default.
    fields |= {f"trouble.{f}" for f in TroubleParams.model_fields} - {"trouble.late_min_minutes"}
    assert fields == set(OPTION_OF_FIELD)


def test_an_out_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    in_the_way = tmp_path / "landing"
    in_the_way.write_text("")
    result = CliRunner().invoke(cli, ["generate", "--sink", "files", "--out", str(in_the_way)])
    assert_usage_error(result, "'--out'")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


COMMANDS = _commands(cli)
# Commands that hand --help to the tool they wrap (lakehouse dbt --help is dbt's help).
PASSTHROUGH = [(n, c) for n, c in COMMANDS if c.context_settings.get("help_option_names") == []]
OWN_HELP = [(n, c) for n, c in COMMANDS if (n, c) not in PASSTHROUGH]


@pytest.mark.parametrize(("name", "command"), OWN_HELP, ids=[n for n, _ in OWN_HELP])
def test_help_describes_the_command_and_every_option(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"{name} has no description"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help text"


def test_passthrough_commands_are_described_in_the_group_help() -> None:
    assert [name for name, _ in PASSTHROUGH] == ["dbt"]
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    for name, command in PASSTHROUGH:
        assert command.help
        assert f"  {name} " in result.output


def test_backfill_days_outside_the_partitions_say_where_they_start() -> None:
    result = CliRunner().invoke(cli, ["backfill", "2023-12-31"])
    assert "2023-12-31 is not a daily partition (2024-01-01 to " in result.output
    assert "LAKEHOUSE_PARTITIONS_START_DATE" in result.output
    result = CliRunner().invoke(cli, ["backfill", "2024-02-02", "2024-02-01"])
    assert "LAST (2024-02-01) is before FIRST (2024-02-02)" in result.output
