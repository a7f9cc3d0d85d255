"""The benchmark (bench/, `python -m bench`) runs end to end at a tiny size.

Only that it runs and reports figures: its speed is the benchmark's business,
not the test suite's. Its servers listen on 127.0.0.1 only and stop with it.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_benchmark_runs_at_a_tiny_size_and_writes_its_figures(tmp_path):
    output = tmp_path / "performance.md"
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--sizes",
            "tiny",
            "--tablets",
            "8",
            "--staff",
            "1",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--saturation-duration",
            "0.4",
            "--saturation-warmup",
            "0.1",
            "--inproc-runs",
            "1",
            "--profile-runs",
            "2",
            "--saturate",
            "question,save,check,floor,teacher_list,sw_list,export_json",
            "--wait-idle",
            "0",
            "--ladder",
            "4",
            "--ladder-duration",
            "0.5",
            "--no-pageweight",
            "--no-wrk",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--output",
            str(output),
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    found = json.loads(figures.read_text())
    tiny = found["sizes"]["tiny"]
    assert tiny["hello"]["rps"] > 0
    assert tiny["setup"]["tablets"] == 9
    realistic = tiny["realistic"]
    assert realistic["requests"] > 0
    assert realistic["endpoints"]
    for name in ("question", "save", "check", "floor", "teacher_list", "sw_list"):
        assert tiny["saturation"][name]["rps"] > 0, name
    for fmt in ("json", "docx", "pdf"):
        assert tiny["exports"][fmt]["median_ms"] > 0, fmt
    assert tiny["profiles"]["question"]["by_own_time"]
    assert tiny["ladder"][0]["requests"] > 0

    report = output.read_text()
    assert "## Targets" in report
    assert "Question page: p95 under realistic load" in report
    assert "vs hello" in report
    assert "AMD" in report or "CPU" in report
