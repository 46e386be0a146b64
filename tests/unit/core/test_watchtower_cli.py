"""`avs watchtower` is registered like every other group and refuses bad input in one line."""

from __future__ import annotations

from click.testing import CliRunner

from avs.cli.main import cli


def test_watchtower_run_has_help_and_refuses_a_bad_sample() -> None:
    runner = CliRunner()
    help_text = runner.invoke(cli, ["watchtower", "run", "--help"]).output
    assert "--challenger-key" in help_text
    assert "--sample" in help_text
    bad = runner.invoke(cli, ["watchtower", "run", "--sample", "2"])
    assert bad.exit_code != 0
    assert "--sample must be in (0, 1]" in bad.output
    assert "Traceback" not in bad.output


def test_watchtower_run_takes_peer_aggregators_and_refuses_a_bad_one() -> None:
    runner = CliRunner()
    assert "--peer-aggregator" in runner.invoke(cli, ["watchtower", "run", "--help"]).output
    bad = runner.invoke(cli, ["watchtower", "run", "--peer-aggregator", "no-port"])
    assert bad.exit_code != 0
    assert "--peer-aggregator 'no-port' must be HOST:PORT" in bad.output
    assert "Traceback" not in bad.output
