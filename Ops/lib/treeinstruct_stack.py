"""A private TreeInstruct stack for Ops scripts: PostgreSQL under a temporary data directory,
the simulator and worker processes, all on 127.0.0.1, all stopped by `close()`.

Credentials travel in the environment of the child processes (PG* variables), never in their
arguments, as users are told to do."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("TREEINSTRUCT_BIN", str(ROOT / ".build/debug/treeinstruct"))
CORPORA = Path(os.environ.get("TREEINSTRUCT_CORPORA", ROOT / "Examples/corpora"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, seconds: float = 20) -> str | None:
    """The body at `url`, retried until it answers or `seconds` pass."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    return None


class Stack:
    def __init__(self, work: Path, port: int | None = None, migrate: bool = True):
        self.work = work
        self.data = work / "pg"
        self.processes: list[subprocess.Popen] = []
        self.port = port or free_port()
        self.start_database()
        self.env = dict(os.environ, TREEINSTRUCT_LOG_LEVEL=os.environ.get("TREEINSTRUCT_LOG_LEVEL", "warning"),
                        PGHOST="127.0.0.1", PGPORT=str(self.port), PGUSER="treeinstruct", PGDATABASE="postgres",
                        PGSSLMODE="disable", PGPASSWORD=(self.data / "treeinstruct.password").read_text().strip())
        self.env.pop("DATABASE_URL", None)
        self.role_password = os.urandom(12).hex()
        if migrate:
            self.run("migrate", check=True)

    # -- the database
    def start_database(self) -> None:
        subprocess.run([BIN, "postgres", "start", "--data-dir", str(self.data), "--port", str(self.port)],
                       capture_output=True, text=True, check=True)

    def stop_database(self) -> None:
        subprocess.run([BIN, "postgres", "stop", "--data-dir", str(self.data)], capture_output=True)

    def crash_database(self) -> None:
        """What `pg_ctl stop -m immediate` does: SIGQUIT to the postmaster, which ends every backend
        at once without a checkpoint or a last WAL flush, so only what was flushed survives (and
        the next start recovers from the WAL). Returns once the postmaster is gone."""
        pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, signal.SIGQUIT)
        deadline = time.time() + 60
        while Path(f"/proc/{pid}").exists() and time.time() < deadline:
            time.sleep(0.05)
        if Path(f"/proc/{pid}").exists():
            raise RuntimeError(f"postmaster {pid} still running 60 s after SIGQUIT")

    def psql(self, *args: str, role: str | None = None, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *args], env=self.role_env(role), input=stdin,
                              capture_output=True, text=True, cwd=cwd)

    def scalar(self, sql: str, **variables: str):
        """One value from `sql`, which may use psql variables (:'name') given as keywords."""
        flags = [f"--variable={name}={value}" for name, value in variables.items()]
        result = self.psql("-At", *flags, stdin=sql)
        if result.returncode != 0:
            raise RuntimeError(f"{sql}: {result.stderr.strip()}")
        value = result.stdout.strip()
        return int(value) if re.fullmatch(r"-?\d+", value) else value

    def role_env(self, role: str | None) -> dict:
        env = dict(self.env)
        if role:
            env.update(PGUSER=role, PGPASSWORD=self.role_password)
        return env

    # -- treeinstruct
    def run(self, *args: str, role: str | None = None, check: bool = False, **extra) -> subprocess.CompletedProcess:
        result = subprocess.run([BIN, *args], env=dict(self.role_env(role), **extra), capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"treeinstruct {' '.join(args)}: {result.stderr.strip()}")
        return result

    def spawn(self, *args: str, role: str | None = None, log: str | None = None, **extra) -> subprocess.Popen:
        logfile = open(self.work / (log or f"{args[0]}.log"), "a")
        process = subprocess.Popen([BIN, *args], env=dict(self.role_env(role), **extra), stdout=logfile, stderr=logfile)
        self.processes.append(process)
        return process

    def simulator(self, *flags: str) -> str:
        """Starts the simulator and returns its base URL."""
        port = free_port()
        self.spawn("sim", "--port", str(port), *flags, log="sim.log")
        if http_get(f"http://127.0.0.1:{port}/healthz") is None:
            raise RuntimeError("the simulator did not start; see sim.log")
        return f"http://127.0.0.1:{port}/v1"

    def submit(self, corpus: Path, run: str, *flags: str, role: str | None = None) -> dict:
        result = self.run("submit", "--corpus", str(corpus), "--run", run, "--model", "treeinstruct-simulator", "--json", *flags,
                          role=role, check=True)
        return json.loads(result.stdout)

    def seed_text_run(self, run: str, rows: int, *submit_flags: str) -> dict:
        """Submits `rows` distinct instructions (the store de-duplicates) as run `run`."""
        topics = ["a river", "a city", "an engine", "a library", "a forest", "a market", "a bridge", "a vaccine", "a poem", "a budget"]
        path = self.work / f"{run}.txt"
        with path.open("w") as out:
            for i in range(rows):
                out.write(f"Describe {topics[i % len(topics)]} that you would show visitor number {i} of {run}, in three sentences.\n")
        return self.submit(path, run, "--format", "text", "--max-words", "250", *submit_flags)

    def open_tasks(self, run: str) -> int:
        return self.scalar("SELECT count(*) FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id "
                           "WHERE r.name = :'run' AND t.state IN ('pending', 'running')", run=run)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stop_database()
