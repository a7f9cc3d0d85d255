"""The servers under test, each a subprocess of ours on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn server in a process group of its own, stopped by its id."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path, port: int):
        self.name = name
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGINT is gunicorn's quick shutdown; its group is only it and
            # its workers, all started here.
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()


def _env(extra: dict) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    env.update(extra)
    return env


def start_app(
    database: Path,
    instance: Path,
    secret: str,
    workers: int,
    threads: int,
    log: Path,
    synchronous: str | None = None,
) -> Server:
    """`python -m pupilvoice serve`, or with `synchronous` (FULL or NORMAL)
    the same through bench/synchronous.py, which sets SQLite's level."""
    port = free_port()
    command = ["bench.synchronous", synchronous] if synchronous else ["pupilvoice"]
    argv = [sys.executable, "-m", *command, "serve", "--host", "127.0.0.1"]
    argv += _on(port, workers, threads)
    env = _env(
        {
            "PUPILVOICE_INSTANCE": str(instance),
            "PUPILVOICE_DATABASE": str(database),
            "PUPILVOICE_SECRET_KEY": secret,
        }
    )
    env.pop("PUPILVOICE_HTTPS", None)
    return Server("pupilvoice", argv, env, log, port)


def start_hello(workers: int, threads: int, log: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bench.hello", *_on(port, workers, threads)]
    return Server("hello", argv, _env({}), log, port)


def _on(port: int, workers: int, threads: int) -> list[str]:
    """The same server settings for the app and the baseline."""
    return ["--port", str(port), "--workers", str(workers), "--threads", str(threads)]


def cpu_seconds(server: Server) -> float:
    """User + system CPU of the server's whole process group so far (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[2] is the process group; utime and stime are 14th and 15th.
        if int(fields[2]) == server.process.pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_port(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited:\n{server.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not listen in {timeout} s")


def system_busy_seconds() -> float:
    """CPU seconds every process on the machine has used so far (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Who used the CPU over a window: the server, this process (the load
    generator), and everything else on the machine (which should be nothing)."""

    def __init__(self, server: Server | None):
        self.server = server

    def read(self) -> tuple[float, float, float, float]:
        return (
            time.monotonic(),
            cpu_seconds(self.server) if self.server else 0.0,
            time.process_time(),
            system_busy_seconds(),
        )

    @staticmethod
    def cores(first: tuple, second: tuple) -> dict:
        wall = max(second[0] - first[0], 1e-9)
        server = (second[1] - first[1]) / wall
        generator = (second[2] - first[2]) / wall
        busy = (second[3] - first[3]) / wall
        return {
            "server_cores": server,
            "generator_cores": generator,
            "other_cores": max(0.0, busy - server - generator),
        }
