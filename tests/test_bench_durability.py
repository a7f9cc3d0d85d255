"""The benchmark's comparison of SQLite's synchronous = FULL (as shipped) with
NORMAL: the switch that exists only in bench/, and how the figures read.
tests/test_bench_smoke.py runs the comparison itself at a tiny size."""

import sys

import pytest

from bench import report, run, synchronous
from pupilvoice import cli, db


@pytest.fixture
def switched(monkeypatch):
    """Run bench.synchronous as `python -m bench.synchronous LEVEL`, with the
    app's command line left out; db.connect is put back afterwards."""
    monkeypatch.setattr(db, "connect", db.connect)
    monkeypatch.setattr(cli, "cli", lambda **_kwargs: None)

    def switch(*argv):
        monkeypatch.setattr(sys, "argv", ["bench.synchronous", *argv])
        synchronous.main()

    return switch


@pytest.mark.parametrize(("level", "value"), [("NORMAL", 1), ("FULL", 2)])
def test_the_benchmark_alone_can_serve_with_either_level(
    switched, tmp_path, level, value
):
    switched(level, "serve")
    database = db.connect(str(tmp_path / "db.sqlite3"))
    try:
        assert database.execute("PRAGMA synchronous").fetchone()[0] == value
    finally:
        database.close()


def test_no_other_level_is_taken(switched):
    with pytest.raises(SystemExit):
        switched("OFF", "serve")


def _measured(save_rps: float, save_p95: float) -> dict:
    return {
        "realistic": {
            "other_cores": 0.0,
            "endpoints": {
                "save": {"p95_ms": save_p95},
                "question": {"p95_ms": 9.0},
            },
        },
        "save": {"rps": save_rps, "p50_ms": 20.0, "other_cores": 0.0},
        "question": {"rps": 500.0, "p50_ms": 25.0, "other_cores": 0.0},
    }


def test_the_report_puts_the_two_levels_side_by_side():
    settings = {"tablets": 500, "tablet_interval_s": 2.0, "ladder_duration_s": 8}
    sizes = {
        "large": {
            "durability": {
                "filesystem": "ext4 (/dev/vda)",
                "commits": {
                    "FULL": {"count": 300, "p50_ms": 2.0, "p95_ms": 4.0},
                    "NORMAL": {"count": 300, "p50_ms": 0.05, "p95_ms": 0.1},
                },
                "FULL": _measured(300.0, 14.0),
                "NORMAL": _measured(600.0, 10.0),
            }
        }
    }
    text = "\n".join(report.durability(settings, sizes))
    assert "### What durability costs" in text
    assert "| Answer save (htmx autosave) | large VS | 14.0 ms | 10.0 ms |" in text
    assert "| 300.0 | 600.0 | 50% |" in text
    assert "FULL saves answers at 50% of NORMAL's rate at saturation" in text
    assert "ext4 (/dev/vda)" in text
    assert "took p50 2.00 ms and p95 4.00 ms each with FULL" in text


def test_of_two_runs_the_better_figures_are_kept():
    busy, quiet = _measured(300.0, 40.0), _measured(350.0, 12.0)
    busy["question"]["rps"] = 700.0
    best = run.least_disturbed([busy, quiet])
    assert best["save"]["rps"] == 350.0
    assert best["question"]["rps"] == 700.0
    assert best["realistic"]["endpoints"]["save"]["p95_ms"] == 12.0


def test_a_run_without_the_comparison_reports_none():
    assert report.durability({}, {"large": {}}) == []
