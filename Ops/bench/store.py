#!/usr/bin/env python3
"""Benchmarks of the pipeline's machinery (issue 7), each on a private PostgreSQL and simulator
on 127.0.0.1, with the release build. Figures go to BENCHMARKS.md with this method.

  swift build -c release
  Ops/bench/store.py queue      # tasks/s end to end (simulator, zero latency), 1, 2 and 4 workers,
                                # with each side's CPU per task (workers, simulator, database), and
                                # at the end each line's median over the rounds and 2 and 4 workers
                                # against 1 round by round (odd rounds run builds and lines reversed);
                                # the store alone (no-op tasks, 20,000 and 100,000); pgqueuer's no-op
                                # jobs, same server; --baseline-bin PATH runs another build beside it
  Ops/bench/store.py ingest     # submit 1,000,000 lines (and again): time and peak memory, next to
                                # psql \\copy; --baseline-bin PATH runs another build first
  Ops/bench/store.py claims     # claim latency p50/p99 with 10 k, 1 M, 10 M finished rows
  Ops/bench/store.py indexes    # what each index of the task table costs a load: psql \\copy of 1,000,000
                                # task rows into a copy of the table, bare, with each index alone, with
                                # all, and with all in content-hash order (issue 15, goal 2)
  Ops/bench/store.py pairs --baseline-bin PATH
                                # the store alone (no-op tasks), both builds on one server, in pairs
                                # whose order alternates, with the paired ratio's median: effects of
                                # a few percent that the machine's drift hides between rounds (issue 15)
  Ops/bench/store.py memory     # worker resident memory with 512 calls in flight
  Ops/bench/store.py privilege --baseline-bin PATH
                                # end to end, 4 workers, side by side in rounds: a build whose workers
                                # write the tables directly (PATH) as owner, the same under row-level
                                # security, this build (worker functions) as owner and as
                                # treeinstruct_worker (issue 14)
  Ops/bench/store.py concurrency
                                # --concurrency auto next to fixed settings, one worker each, in rounds:
                                # the zero-latency simulator (tasks/s), and a one-slot simulator with
                                # 2 s answers and a 10 s timeout (throughput against the ideal 0.5/s,
                                # timeouts) (issue 18)
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
os.environ.setdefault("TREEINSTRUCT_BIN", str(Path(__file__).resolve().parents[2] / ".build/release/treeinstruct"))
import treeinstruct_stack  # noqa: E402
from treeinstruct_stack import BIN, ROOT, Stack, http_get, free_port  # noqa: E402

BENCH = str(Path(BIN).parent / "treeinstruct-bench")
VENV = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "treeinstruct/bench-venv"


def builds(args) -> list[tuple[str, str]]:
    """The builds compared: `--baseline-bin`'s (when given) and this one, in that order."""
    baseline = getattr(args, "baseline_bin", None)
    return ([("baseline", baseline)] if baseline else []) + [("this", BIN)]


def use(binary: str) -> None:
    """Points this script and the stack helper at `binary` (and its treeinstruct-bench)."""
    global BENCH
    treeinstruct_stack.BIN = binary
    BENCH = str(Path(binary).parent / "treeinstruct-bench")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time (user and system) of one process, with its reaped children's when asked."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds(stack: Stack) -> float:
    """The server's CPU so far: the postmaster with the backends it reaped, and those alive."""
    processes = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    rows = [line.split(None, 2) for line in processes]
    postmaster = next(int(pid) for pid, _, command in rows if str(stack.data) in command and "postgres" in command)
    total = cpu_seconds(postmaster, children=True)
    for pid, parent, _ in rows:
        if int(parent) == postmaster:
            try:
                total += cpu_seconds(int(pid))
            except (FileNotFoundError, ProcessLookupError):
                pass  # a backend that ended between the two reads is in the postmaster's children
    return total


def machine_ticks() -> tuple[int, int]:
    """All CPU ticks of the machine so far, and the idle ones among them (/proc/stat)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values), values[3] + values[4]


def queue(args) -> None:
    """Each round runs every build on a fresh server, one after the other (the peer once, on this
    build's server): side by side, on the same machine in the same minutes. Odd rounds reverse
    the order of the builds and of the end-to-end lines (4, 2, 1 workers), so that the machine's
    drift within a round favours no build and no worker count (an even number of rounds balances
    it fully). Ends with each end-to-end line's
    median and, round by round, 2 and 4 workers against 1 (issue 15, goal 1)."""
    end_to_end: dict[tuple[str, str, int], list[float]] = {}
    for round_index in range(args.rounds):
        reverse = round_index % 2 == 1
        for label, binary in builds(args)[::-1] if reverse else builds(args):
            use(binary)
            for key, rate in queue_once(args, label, peer=not args.no_peer and label == "this", reverse=reverse).items():
                end_to_end.setdefault(key, []).append(rate)
    # In the order given (--e2e-concurrency), builds as they ran in the first round.
    for (label, concurrency, workers), rates in sorted(end_to_end.items(), key=lambda item: (
            [label for label, _ in builds(args)].index(item[0][0]), str(args.e2e_concurrency).split(",").index(item[0][1]), item[0][2])):
        line = (f"summary build={label} end-to-end concurrency={concurrency} workers={workers} "
                f"rounds={' '.join(f'{r:.0f}' for r in rates)} median={statistics.median(rates):.0f}")
        alone = end_to_end.get((label, concurrency, 1), [])
        if workers != 1 and len(alone) == len(rates) and all(alone):
            ratios = [rate / one for rate, one in zip(rates, alone)]
            line += f" against_1_worker={' '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})"
        print(line, flush=True)


def sql(stack: Stack, statement: str) -> str:
    """Runs one statement (or psql meta-command), unaligned and tab-separated; a failure stops the
    bench rather than printing a figure for work that did not happen."""
    result = stack.psql("-At", "-F", "\t", "-c", statement)
    if result.returncode != 0:
        raise RuntimeError(f"{statement[:200]}: {result.stderr.strip()}")
    return result.stdout


def settle(stack: Stack) -> None:
    """Vacuums the whole database and checkpoints, so that a store-only or peer line does not
    share the cores with autovacuum cleaning up after the line before (the end-to-end lines leave
    120,000 updated tasks; a store-only line 100,000) or pay for a checkpoint's page images that
    another line's writes made due."""
    for statement in ("VACUUM ANALYZE", "CHECKPOINT"):
        sql(stack, statement)


def noop(stack: Stack, bench: str, tasks: int, loops: int) -> subprocess.CompletedProcess:
    """One run of the store-only bench, settled first: 200 tasks a claim, as the peer's best."""
    settle(stack)
    return subprocess.run([bench, "noop", "--tasks", str(tasks), "--loops", str(loops), "--batch", "200"],
                          env=stack.env, capture_output=True, text=True)


def queue_once(args, build: str, peer: bool, reverse: bool = False) -> dict[tuple[str, str, int], float]:
    """One build's lines on a fresh server; returns the end-to-end tasks/s by (build, concurrency,
    workers)."""
    rates: dict[tuple[str, str, int], float] = {}
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        stack = Stack(work)
        try:
            base_url = stack.simulator("--latency-ms", "0", "--jitter-ms", "0")
            simulator = stack.processes[-1].pid
            env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
            lines = [(c, w) for c in str(args.e2e_concurrency).split(",") if c for w in (1, 2, 4)]
            for concurrency, workers in lines[::-1] if reverse else lines:
                run = f"queue-{concurrency}-{workers}"
                stack.seed_text_run(run, args.tasks, "--rounds", "1", "--no-respond")
                # Each line starts from a vacuumed, analyzed table: without it, autovacuum took on the
                # previous line's updates during the next line, which then measured lower whatever its
                # number of workers.
                settle(stack)
                simulator_before, database_before, ticks_before = cpu_seconds(simulator), database_cpu_seconds(stack), machine_ticks()
                workers_before = os.times()
                started = time.time()
                pool = [stack.spawn("work", "--concurrency", concurrency, "--rate-scope", "local", "--run", run, "--exit-when-done", **env)
                        for _ in range(workers)]
                for process in pool:
                    process.wait(timeout=1800)
                elapsed = time.time() - started
                workers_after, ticks_after = os.times(), machine_ticks()
                worker_cpu = (workers_after.children_user + workers_after.children_system
                              - workers_before.children_user - workers_before.children_system)
                simulator_cpu, database_cpu = cpu_seconds(simulator) - simulator_before, database_cpu_seconds(stack) - database_before
                busy = 1 - (ticks_after[1] - ticks_before[1]) / max(1, ticks_after[0] - ticks_before[0])
                done = stack.scalar("SELECT count(*) FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id "
                                    "WHERE r.name = :'run' AND t.state = 'succeeded'", run=run)
                # The pace between the first and the last result, without the processes' start and
                # their leaving: what the command's wall time adds to it is what they cost.
                span = float(stack.scalar("SELECT extract(epoch FROM max(t.finished_at) - min(t.finished_at)) FROM treeinstruct.tasks t "
                                          "JOIN treeinstruct.runs r ON r.id = t.run_id WHERE r.name = :'run'", run=run) or 0)
                per_task = 1000 / max(1, done)
                rates[(build, concurrency, workers)] = done / elapsed
                print(f"build={build} end-to-end concurrency={concurrency} workers={workers} tasks={done} seconds={elapsed:.1f} tasks_per_second={done / elapsed:.0f} "
                      f"first_to_last_result={span:.1f}s at {(done - 1) / max(span, 1e-3):.0f}/s "
                      f"cpu_ms_per_task worker={worker_cpu * per_task:.3f} simulator={simulator_cpu * per_task:.3f} database={database_cpu * per_task:.3f} "
                      f"cores_busy={busy:.2f} (each: claim, HTTP call to the simulator, validation, complete)", flush=True)
            # The same shape as the peer below: 200 tasks per claim, 1 and 4 concurrent consumers.
            sizes = [int(size) for size in str(args.noop_tasks).split(",") if size]
            for size in sizes:
                for loops in (1, 4):
                    result = noop(stack, BENCH, size, loops)
                    print(f"build={build} store-only {result.stdout.strip() or result.stderr.strip()}", flush=True)
            if peer:
                if not (VENV / "bin/python").exists():
                    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
                    subprocess.run([str(VENV / "bin/pip"), "install", "--quiet", "pgqueuer", "asyncpg"], check=True)
                for size in sizes:
                    for consumers in (1, 4):
                        settle(stack)
                        result = subprocess.run([str(VENV / "bin/python"), str(ROOT / "Ops/bench/peer_pgqueuer.py"), "--jobs", str(size),
                                                 "--consumers", str(consumers)], env=stack.env, capture_output=True, text=True)
                        print(f"peer {result.stdout.strip() or result.stderr.strip()[-500:]}", flush=True)
        finally:
            stack.close()
    return rates


def ingest(args) -> None:
    """Each round: every build submits the corpus into a fresh server, then submits it again
    (nothing new: the resubmit's time), then psql copies the same rows into a bare table there."""
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        corpus, csv = work / "corpus.jsonl", work / "corpus.csv"
        with corpus.open("w") as out, csv.open("w") as flat:
            for i in range(args.lines):
                row = {"instruction": f"Explain idea number {i} to a curious twelve-year-old, with one example.",
                       "input": f"context {i}" if i % 3 == 0 else "", "output": "An answer."}
                out.write(json.dumps(row) + "\n")
                flat.write(f"\"{row['instruction']}\",\"{row['input']}\",\"{row['output']}\"\n")
        size_mb = corpus.stat().st_size / 2**20
        for _ in range(args.rounds):
            for label, binary in builds(args):
                use(binary)
                ingest_once(args, label, work, corpus, csv, size_mb)


def pairs(args) -> None:
    """The no-op bench of both builds on one server, alternately (baseline first in odd pairs,
    this build first in even ones), with a checkpoint before each run; each run makes its schema
    afresh. Prints every run, each build's median and the median of this ÷ baseline per pair."""
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))
        try:
            benches = [(label, str(Path(binary).parent / "treeinstruct-bench")) for label, binary in builds(args)]
            figures: dict[str, list[float]] = {label: [] for label, _ in benches}
            for pair in range(args.pairs):
                for label, bench in benches if pair % 2 == 0 else benches[::-1]:
                    result = noop(stack, bench, args.tasks, args.loops)
                    found = re.search(r"tasks_per_second=(\d+)", result.stdout)
                    if not found:
                        raise RuntimeError(f"{bench} noop: {result.stderr.strip()[-500:]}")
                    figures[label].append(float(found.group(1)))
                    print(f"pair={pair + 1} build={label} {result.stdout.strip()}", flush=True)
            for label, values in figures.items():
                print(f"build={label} tasks={args.tasks} loops={args.loops} median_tasks_per_second={statistics.median(values):.0f}")
            if len(figures) == 2:
                ratios = [after / before for before, after in zip(*figures.values())]
                print(f"this/baseline per pair: median {statistics.median(ratios):.3f} ({' '.join(f'{r:.2f}' for r in ratios)})")
        finally:
            stack.close()


def ingest_once(args, build: str, work: Path, corpus: Path, csv: Path, size_mb: float) -> None:
    (work / f"stack-{build}").mkdir()
    stack = Stack(work / f"stack-{build}")
    try:
        timings = []
        for attempt in ("first", "again"):
            started = time.time()
            output = work / "submit.json"
            with output.open("w") as out:
                process = subprocess.Popen([treeinstruct_stack.BIN, "submit", "--corpus", str(corpus), "--run", "ingest",
                                            "--shard-size", "10000", "--json"], env=stack.env, stdout=out, stderr=subprocess.STDOUT)
                _, status, usage = os.wait4(process.pid, 0)  # this process's own peak, not the other children's
            elapsed = time.time() - started
            timings.append(elapsed)
            summary = json.loads(output.read_text()) if status == 0 else {"error": output.read_text()[-500:]}
            print(f"build={build} ingest={attempt} lines={args.lines} size_mb={size_mb:.0f} seconds={elapsed:.1f} "
                  f"lines_per_second={args.lines / elapsed:.0f} peak_rss_mb={usage.ru_maxrss / 1024:.0f} "
                  f"created={summary.get('tasks_created')} duplicates={summary.get('duplicates')}", flush=True)
        stack.psql("-c", "CREATE TABLE copy_floor (instruction text, input text, output text)")
        started = time.time()
        copied = stack.psql("-c", f"\\copy copy_floor FROM '{csv}' WITH (FORMAT csv)")
        floor = time.time() - started
        print(f"build={build} copy-floor lines={args.lines} seconds={floor:.1f} lines_per_second={args.lines / floor:.0f} "
              f"ratio_submit_to_copy={timings[0] / floor:.1f}x {copied.stderr.strip()}", flush=True)
    finally:
        stack.close()
        subprocess.run(["rm", "-rf", str(work / f"stack-{build}")])


def indexes(args) -> None:
    """psql \\copy of the same task rows (as submit stores a new run's: run, shard, content hash,
    stage, round, line, texts) into a copy of the task table: bare, with each of the table's own
    indexes alone (read from pg_indexes, so the figures follow the schema), with all of them, and
    with all of them and the rows in content-hash order. Each load starts after a CHECKPOINT."""
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        stack = Stack(work)

        try:
            rows, by_hash = work / "rows.tsv", work / "rows-by-hash.tsv"
            columns = "run_id, shard_id, content_hash, stage, round, stages_left, source_line, instruction, input, max_attempts"
            sql(stack, f"""CREATE TABLE layout_rows AS
                SELECT 1::int8 AS run_id, (g / 10000)::int8 AS shard_id, sha256(('row ' || g)::bytea) AS content_hash,
                       'rewrite'::treeinstruct.task_stage AS stage, 1 AS round, 1 AS stages_left, g AS source_line,
                       'Explain idea number ' || g || ' to a curious twelve-year-old, with one example.' AS instruction,
                       CASE WHEN g % 3 = 0 THEN 'context ' || g ELSE '' END AS input, 3 AS max_attempts
                FROM generate_series(1, {args.rows}) g""")
            sql(stack, f"\\copy layout_rows TO '{rows}'")
            sql(stack, f"\\copy (SELECT * FROM layout_rows ORDER BY content_hash) TO '{by_hash}'")
            listed = sql(stack, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'treeinstruct' AND tablename = 'tasks' "
                         "ORDER BY indexname")
            definitions = dict(line.split("\t", 1) for line in listed.splitlines() if line)
            storage = sql(stack, "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = 'treeinstruct.tasks'::regclass").strip()

            def load(names: list[str], source: Path) -> float:
                sql(stack, "DROP TABLE IF EXISTS layout_copy")
                sql(stack, "CREATE TABLE layout_copy (LIKE treeinstruct.tasks INCLUDING DEFAULTS INCLUDING IDENTITY)")
                if storage:  # LIKE copies no storage parameters: the pages are filled as the task table's are
                    sql(stack, f"ALTER TABLE layout_copy SET ({storage})")
                for name in names:
                    sql(stack, definitions[name].replace(" ON treeinstruct.tasks ", " ON layout_copy ").replace(name, f"copy_{name}", 1))
                sql(stack, "CHECKPOINT")
                started = time.time()
                sql(stack, f"\\copy layout_copy ({columns}) FROM '{source}'")
                return time.time() - started

            bare = load([], rows)
            print(f"indexes load=bare rows={args.rows} seconds={bare:.2f}", flush=True)
            for name in definitions:
                seconds = load([name], rows)
                print(f"indexes load=with:{name} rows={args.rows} seconds={seconds:.2f} index_adds={seconds - bare:.2f}", flush=True)
            for label, source in (("all", rows), ("all-in-hash-order", by_hash)):
                seconds = load(list(definitions), source)
                print(f"indexes load={label} rows={args.rows} seconds={seconds:.2f} ratio_to_bare={seconds / bare:.1f}x", flush=True)
        finally:
            stack.close()


def claims(args) -> None:
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory), migrate=False)  # the bench tool migrates its own schema
        try:
            process = subprocess.Popen([BENCH, "claims", "--finished", args.finished], env=stack.env, stdout=subprocess.PIPE, text=True)
            for line in process.stdout:
                print(line.rstrip(), flush=True)
            process.wait()
        finally:
            stack.close()


def memory(args) -> None:
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        stack = Stack(work)
        try:
            stack.seed_text_run("memory", 3000, "--rounds", "1", "--no-respond")
            base_url = stack.simulator("--latency-ms", "30000", "--jitter-ms", "0")
            port = free_port()
            # 512 connections too: with the default 64, the other calls would wait for one.
            worker = stack.spawn("work", "--concurrency", "512", "--max-connections", "512", "--rate-scope", "local",
                                 "--metrics-port", str(port),
                                 OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
            time.sleep(12)
            metrics = http_get(f"http://127.0.0.1:{port}/metrics") or ""
            in_flight = re.search(r"^treeinstruct_llm_calls_in_flight\S* (\S+)$", metrics, re.M)
            status = Path(f"/proc/{worker.pid}/status").read_text()
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
            hwm = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
            print(f"memory in_flight={in_flight.group(1) if in_flight else '?'} rss_mb={rss:.0f} peak_rss_mb={hwm:.0f}", flush=True)
        finally:
            stack.close()


RLS_POLICIES = """
CREATE ROLE rls_worker LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}';
GRANT USAGE ON SCHEMA rls TO rls_worker;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA rls TO rls_worker;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA rls TO rls_worker;
ALTER TABLE rls.tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE rls.results ENABLE ROW LEVEL SECURITY;
ALTER TABLE rls.attempts ENABLE ROW LEVEL SECURITY;
-- What row-level security can say of the worker's rule: open tasks only (it cannot tie a row to
-- the session's lease tokens or forbid a transition), follow-ups only of existing tasks, results
-- only for tasks that exist.
CREATE POLICY read ON rls.tasks FOR SELECT USING (true);
CREATE POLICY open_tasks ON rls.tasks FOR UPDATE USING (state IN ('pending', 'running')) WITH CHECK (true);
CREATE POLICY follow_ups ON rls.tasks FOR INSERT WITH CHECK (parent_task_id IS NULL OR EXISTS (SELECT 1 FROM rls.tasks p WHERE p.id = parent_task_id));
CREATE POLICY read ON rls.results FOR SELECT USING (true);
CREATE POLICY known_tasks ON rls.results FOR INSERT WITH CHECK (EXISTS (SELECT 1 FROM rls.tasks t WHERE t.id = task_id));
CREATE POLICY read ON rls.attempts FOR SELECT USING (true);
CREATE POLICY anything ON rls.attempts FOR INSERT WITH CHECK (true);
"""


def privilege(args) -> None:
    """The worker privilege designs side by side (issue 14): each in its own schema of one server."""
    baseline = str(Path(args.baseline_bin).resolve())
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        stack = Stack(work, migrate=False)
        try:
            base_url = stack.simulator("--latency-ms", "0", "--jitter-ms", "0")
            # name: (binary, schema, role)
            variants = {"direct": (baseline, "direct", None), "rls": (baseline, "rls", "rls_worker"),
                        "functions": (BIN, "functions", None), "worker-role": (BIN, "functions_role", "treeinstruct_worker")}
            for binary, schema, _ in variants.values():
                subprocess.run([binary, "migrate", "--schema", schema], env=stack.env, check=True, capture_output=True)
            roles = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(ROOT / "Ops/sql/roles.sql")],
                                   env=dict(stack.env, PGOPTIONS="-c treeinstruct.schema=functions_role"), capture_output=True, text=True)
            if roles.returncode != 0:
                raise RuntimeError(roles.stderr)
            stack.psql("-c", f"ALTER ROLE treeinstruct_worker PASSWORD '{stack.role_password}'")
            policies = stack.psql(stdin=RLS_POLICIES.format(password=stack.role_password))
            if policies.returncode != 0:
                raise RuntimeError(policies.stderr)
            rates: dict[str, list[float]] = {name: [] for name in variants}
            for round_number in range(args.rounds):
                for name, (binary, schema, role) in variants.items():
                    run = f"{name}-{round_number}"
                    path = work / f"{run}.txt"
                    with path.open("w") as out:
                        for i in range(args.tasks):
                            out.write(f"Describe the place visitor number {i} of {run} should see first, in three sentences.\n")
                    subprocess.run([binary, "submit", "--schema", schema, "--corpus", str(path), "--run", run, "--format", "text",
                                    "--model", "treeinstruct-simulator", "--max-words", "250", "--rounds", "1", "--no-respond"],
                                   env=stack.env, check=True, capture_output=True)
                    env = dict(stack.role_env(role), OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
                    started = time.time()
                    pool = [subprocess.Popen([binary, "work", "--schema", schema, "--concurrency", "64", "--rate-scope", "local",
                                              "--run", run, "--exit-when-done"], env=env, stdout=subprocess.DEVNULL,
                                             stderr=open(work / f"{run}.log", "a")) for _ in range(4)]
                    for process in pool:
                        process.wait(timeout=1800)
                    elapsed = time.time() - started
                    done = stack.scalar(f"SELECT count(*) FROM {schema}.tasks t JOIN {schema}.runs r ON r.id = t.run_id "
                                        "WHERE r.name = :'run' AND t.state = 'succeeded'", run=run)
                    if done != args.tasks:
                        raise RuntimeError(f"{run}: {done} of {args.tasks} succeeded; see {work / (run + '.log')}: "
                                           + (work / f"{run}.log").read_text()[-1000:])
                    rates[name].append(done / elapsed)
                    print(f"privilege round={round_number + 1} design={name} workers=4 tasks={done} seconds={elapsed:.1f} "
                          f"tasks_per_second={done / elapsed:.0f}", flush=True)
            direct = sum(rates["direct"]) / len(rates["direct"])
            for name, values in rates.items():
                mean = sum(values) / len(values)
                print(f"privilege design={name} mean_tasks_per_second={mean:.0f} vs_direct={100 * (mean / direct - 1):+.1f}%", flush=True)
        finally:
            stack.close()


def concurrency(args) -> None:
    def one_run(stack, env, run: str, rows: int, setting: str, timeout: str | None) -> tuple[int, float, int]:
        stack.seed_text_run(run, rows, "--rounds", "1", "--no-respond")
        flags = ["--request-timeout", timeout] if timeout else []
        started = time.time()
        stack.spawn("work", "--concurrency", setting, "--rate-scope", "local", "--run", run, "--exit-when-done", *flags,
                    log=f"{run}.log", **env).wait(timeout=3600)
        elapsed = time.time() - started
        done = stack.scalar("SELECT count(*) FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id "
                            "WHERE r.name = :'run' AND t.state = 'succeeded'", run=run)
        timeouts = stack.scalar("SELECT count(*) FROM treeinstruct.attempts a JOIN treeinstruct.runs r ON r.id = a.run_id "
                                "WHERE r.name = :'run' AND a.code = 'timeout'", run=run)
        return done, elapsed, timeouts

    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))
        try:
            fast = dict(OPENAI_BASE_URL=stack.simulator("--latency-ms", "0", "--jitter-ms", "0"), OPENAI_API_KEY="unused")
            rates: dict[str, list[float]] = {}
            for round_number in range(args.rounds):
                settings = args.settings.split(",")
                for setting in settings if round_number % 2 == 0 else reversed(settings):
                    run = f"fast-{setting}-{round_number}"
                    done, elapsed, _ = one_run(stack, fast, run, args.tasks, setting, None)
                    rates.setdefault(setting, []).append(done / elapsed)
                    print(f"concurrency server=zero-latency round={round_number + 1} setting={setting} tasks={done} "
                          f"seconds={elapsed:.1f} tasks_per_second={done / elapsed:.0f}", flush=True)
            for setting, values in rates.items():
                print(f"concurrency server=zero-latency setting={setting} mean_tasks_per_second={sum(values) / len(values):.0f}", flush=True)
            if args.slot_tasks == 0:
                return
            port = free_port()
            stack.spawn("sim", "--port", str(port), "--latency-ms", "2000", "--jitter-ms", "0", "--slots", "1", log="slot-sim.log")
            if http_get(f"http://127.0.0.1:{port}/healthz") is None:
                raise RuntimeError("the one-slot simulator did not start")
            slow = dict(OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_API_KEY="unused")
            for setting in ("1", "2", "8", "auto"):
                run = f"one-slot-{setting}"
                done, elapsed, timeouts = one_run(stack, slow, run, args.slot_tasks, setting, "10")
                span = stack.scalar("SELECT extract(epoch FROM max(a.finished_at) - min(a.started_at)) FROM treeinstruct.attempts a "
                                    "JOIN treeinstruct.runs r ON r.id = a.run_id WHERE r.name = :'run'", run=run)
                print(f"concurrency server=one-slot-2s setting={setting} tasks={done} seconds={elapsed:.1f} "
                      f"calls_span={float(span):.1f} ideal={done * 2.0:.1f} of_ideal={100 * done * 2.0 / float(span):.0f}% "
                      f"timeouts={timeouts}", flush=True)
        finally:
            stack.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    q = sub.add_parser("queue")
    q.add_argument("--tasks", type=int, default=20_000)
    q.add_argument("--e2e-concurrency", default="64,auto",
                   help="each worker's --concurrency for the end-to-end lines, each in turn (auto: the adaptive mode)")
    q.add_argument("--noop-tasks", default="20000,100000", help="tasks (jobs) for the store-only and peer runs, each size in turn")
    q.add_argument("--no-peer", action="store_true")
    q.add_argument("--baseline-bin", help="another build's treeinstruct (its treeinstruct-bench beside it), run before this one in even rounds and after it in odd ones")
    q.add_argument("--rounds", type=int, default=1)
    i = sub.add_parser("ingest")
    i.add_argument("--lines", type=int, default=1_000_000)
    i.add_argument("--baseline-bin", help="another build's treeinstruct, run before this one each round")
    i.add_argument("--rounds", type=int, default=1)
    x = sub.add_parser("indexes")
    x.add_argument("--rows", type=int, default=1_000_000)
    c = sub.add_parser("claims")
    c.add_argument("--finished", default="10000,1000000,10000000")
    r = sub.add_parser("pairs")
    r.add_argument("--baseline-bin", required=True, help="another build's treeinstruct (its treeinstruct-bench beside it)")
    r.add_argument("--tasks", type=int, default=20_000)
    r.add_argument("--loops", type=int, default=4)
    r.add_argument("--pairs", type=int, default=8)
    sub.add_parser("memory")
    p = sub.add_parser("privilege")
    p.add_argument("--baseline-bin", required=True, help="a treeinstruct built before the worker functions (e.g. dd9f3dc)")
    p.add_argument("--tasks", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=2)
    n = sub.add_parser("concurrency")
    n.add_argument("--tasks", type=int, default=20_000)
    n.add_argument("--rounds", type=int, default=2)
    n.add_argument("--slot-tasks", type=int, default=20, help="tasks for the one-slot part (0 skips it)")
    n.add_argument("--settings", default="16,32,64,128,auto", help="the settings compared on the zero-latency simulator")
    args = parser.parse_args()
    # The store-only lines and the claims bench run treeinstruct-bench; end-to-end lines alone do not.
    needs_bench = args.benchmark in ("claims", "pairs") or (args.benchmark == "queue" and args.noop_tasks)
    for tool in (BIN, BENCH) if needs_bench else (BIN,):
        if not os.access(tool, os.X_OK):
            print(f"missing {tool}: swift build -c release", file=sys.stderr)
            return 1
    {"queue": queue, "ingest": ingest, "claims": claims, "indexes": indexes, "memory": memory, "privilege": privilege,
     "concurrency": concurrency, "pairs": pairs}[args.benchmark](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
