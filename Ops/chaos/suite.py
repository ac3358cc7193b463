#!/usr/bin/env python3
"""Fault and chaos suite (issue 7). Each scenario runs a private stack on 127.0.0.1, stops by
itself, checks its invariants in SQL, and prints one line per check and a closing
'N passed, N failed'. `.ci/run` runs the short forms; the long forms are for people:

  Ops/chaos/suite.py all --short           # CI: a few minutes in all
  Ops/chaos/suite.py chaos                 # 20,000 tasks, 4 workers, SIGKILL every 3 s, one PostgreSQL crash (immediate stop)
  Ops/chaos/suite.py faults                # 10% 500s, 5% 503s, 2% hangs, 5% malformed, 5% invalid output
  Ops/chaos/suite.py outage                # the endpoint's port closed for 3 minutes mid-run: every task succeeds, one attempt each
  Ops/chaos/suite.py limits                # a stated limit below the configured one, and admission-time token charging: the
                                           # issue 13 targets asserted on Ops/bench/rate-limit.sh (minutes; not in --short)
  Ops/chaos/suite.py shutdown              # SIGTERM under load (20,000 tasks): no task left running after the grace period
  Ops/chaos/suite.py bad-input             # a 2 GB corpus with every kind of bad line, submitted: every good line a task, located errors, flat memory
  Ops/chaos/suite.py batch                 # 10,000 rows in batch mode, 3 workers, one SIGKILLed while applying a batch, 5% of
                                           # requests failed by the provider, batches expired: exactly once, export equal to live
"""
import argparse
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from treeinstruct_stack import BIN, Stack, http_get  # noqa: E402

results = {"passed": 0, "failed": 0}


def check(condition: bool, what: str) -> None:
    results["passed" if condition else "failed"] += 1
    print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)


@contextlib.contextmanager
def seeded_stack(run: str, rows: int, *submit_flags: str):
    """A private stack with run `run` of `rows` distinct instructions submitted; closed after."""
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))
        try:
            stack.seed_text_run(run, rows, *submit_flags)
            yield stack
        finally:
            stack.close()


def invariants(stack: Stack, run: str, rows: int, max_attempts: int, min_success: float = 1.0) -> None:
    """Every task terminal, none lost, none answered twice, attempts bounded, no lease left.

    A run's tasks are one per submitted row plus one follow-up per succeeded task that had
    stages left; a task that failed for good has no follow-up, so the total is not fixed."""
    q = lambda sql: stack.scalar(sql, run=run)  # noqa: E731
    where = "FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id WHERE r.name = :'run'"
    total = q(f"SELECT count(*) {where}")
    succeeded = q(f"SELECT count(*) {where} AND t.state = 'succeeded'")
    roots = q(f"SELECT count(*) {where} AND t.parent_task_id IS NULL")
    check(roots == rows, f"no row lost: {roots} first-stage tasks of {rows} submitted rows")
    orphans = q(f"SELECT count(*) {where} AND t.state = 'succeeded' AND t.stages_left > 1 "
                "AND (SELECT count(*) FROM treeinstruct.tasks c WHERE c.parent_task_id = t.id) <> 1")
    check(orphans == 0, f"no follow-up lost or doubled: {orphans} succeeded tasks without exactly one next stage ({total} tasks)")
    check(q(f"SELECT count(*) {where} AND t.state NOT IN ('succeeded', 'failed', 'cancelled')") == 0, "every task terminal")
    check(q(f"SELECT count(*) {where} AND (t.lease_owner IS NOT NULL OR t.lease_expires_at IS NOT NULL)") == 0, "no lease left behind")
    results_count = q(f"SELECT count(*) FROM treeinstruct.results x JOIN treeinstruct.runs r ON r.id = x.run_id WHERE r.name = :'run'")
    check(results_count == succeeded, f"one result per succeeded task ({results_count} results, {succeeded} succeeded)")
    twice = q("SELECT count(*) FROM (SELECT a.task_id FROM treeinstruct.attempts a JOIN treeinstruct.runs r ON r.id = a.run_id "
              "WHERE r.name = :'run' AND a.outcome = 'succeeded' GROUP BY a.task_id HAVING count(*) > 1) d")
    check(twice == 0, f"no task answered twice ({twice})")
    most = q(f"SELECT coalesce(max(t.attempts), 0) {where}")
    check(most <= max_attempts, f"attempts bounded: at most {most} of {max_attempts}")
    share = succeeded / max(total, 1)
    check(share >= min_success, f"succeeded: {succeeded} of {total} ({100 * share:.2f}%, at least {100 * min_success:.0f}% required)")
    stale = q("SELECT count(*) FROM treeinstruct.attempts a JOIN treeinstruct.runs r ON r.id = a.run_id WHERE r.name = :'run' AND a.outcome = 'stale'")
    lost = q("SELECT count(*) FROM treeinstruct.attempts a JOIN treeinstruct.runs r ON r.id = a.run_id WHERE r.name = :'run' AND a.outcome = 'lost'")
    print(f"  info: {stale} stale completions refused, {lost} leases recovered from killed workers")


def wait_until_done(stack: Stack, run: str, seconds: float, tick=None) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if stack.open_tasks(run) == 0:
                return True
        except RuntimeError:
            pass  # the database is restarting

        if tick:
            tick()
        time.sleep(0.5)
    return False


def terminal_tasks(stack: Stack, run: str) -> int:
    return stack.scalar("SELECT count(*) FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id "
                        "WHERE r.name = :'run' AND t.state IN ('succeeded', 'failed', 'cancelled')", run=run)


def worker_args(concurrency: int = 16, lease: float = 5) -> list[str]:
    return ["work", "--concurrency", str(concurrency), "--lease-seconds", str(lease), "--rate-scope", "local"]


def chaos(short: bool) -> None:
    rows = 1500 if short else 10_000  # two tasks per row: a rewrite and its answer
    workers, kill_every = 4, (2.0 if short else 3.0)
    print(f"chaos: {2 * rows} tasks, {workers} workers, SIGKILL every {kill_every:.0f} s, one PostgreSQL crash (immediate stop)")
    with seeded_stack("chaos", rows, "--rounds", "1", "--respond", "--max-attempts", "6") as stack:
        base_url = stack.simulator("--latency-ms", "30", "--jitter-ms", "20")
        env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
        pool = [stack.spawn(*worker_args(), **env) for _ in range(workers)]
        rng = random.Random(7)
        state = {"kills": 0, "next_kill": time.time() + kill_every, "restarted": False, "exited": 0}
        started = time.time()

        def tick():
            now = time.time()
            if now >= state["next_kill"]:
                victim = rng.randrange(workers)
                pool[victim].send_signal(signal.SIGKILL)
                pool[victim].wait()
                pool[victim] = stack.spawn(*worker_args(), **env)
                state["kills"] += 1
                state["next_kill"] = now + kill_every
            # Crash the database once about a third of the work is done (mid-run whatever the build's
            # speed), as `pg_ctl stop -m immediate` does: no last flush, so claims that had not reached
            # the disk yet (they commit without waiting for it) are lost, and their late answers must
            # be refused as stale, never stored twice.
            if not state["restarted"] and terminal_tasks(stack, "chaos") >= 2 * rows // 3:
                stack.crash_database()
                time.sleep(1)
                stack.start_database()
                state["restarted"] = True
                print("  info: PostgreSQL crashed (immediate stop) and restarted", flush=True)
            # A worker that died of the database going away is restarted, as a supervisor would.
            for i, process in enumerate(pool):
                if process.poll() is not None:
                    state["exited"] += 1
                    pool[i] = stack.spawn(*worker_args(), **env)

        finished = wait_until_done(stack, "chaos", 600 if short else 1800, tick)
        elapsed = time.time() - started
        print(f"  info: {state['kills']} workers killed with SIGKILL, {state['exited']} exited by themselves "
              f"(and were restarted), finished in {elapsed:.0f} s")
        check(finished, "the run finished")
        check(state["restarted"], "PostgreSQL crashed and was restarted mid-run")
        invariants(stack, "chaos", rows, max_attempts=6, min_success=1.0)


def faults(short: bool) -> None:
    rows = 500 if short else 5000
    print(f"faults: {2 * rows} tasks against 10% 500s, 5% 503s, 2% hangs, 5% malformed bodies, 5% invalid output")
    with seeded_stack("faults", rows, "--rounds", "1", "--respond", "--max-attempts", "6") as stack:
        base_url = stack.simulator("--latency-ms", "20", "--jitter-ms", "10", "--fail-500", "0.10", "--fail-503", "0.05",
                                   "--hang", "0.02", "--hang-seconds", "30", "--malformed", "0.05", "--invalid-output", "0.05",
                                   "--seed", "11")
        env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused", TREEINSTRUCT_REQUEST_TIMEOUT="2")
        pool = [stack.spawn(*worker_args(32), "--exit-when-done", **env) for _ in range(2)]
        finished = wait_until_done(stack, "faults", 600 if short else 1800)
        check(finished, "the run finished")
        for process in pool:
            process.wait(timeout=60)
        invariants(stack, "faults", rows, max_attempts=6, min_success=0.99)
        # Junk answers of the respond stage were refused, none kept as a training target.
        junk = stack.scalar("SELECT count(*) FROM treeinstruct.results x JOIN treeinstruct.tasks t ON t.id = x.task_id "
                            "WHERE x.response IS NOT NULL AND (lower(trim(x.response)) = lower(trim(t.instruction)) "
                            "OR x.response ILIKE '%old instruction%' OR x.response !~ '[[:alnum:]]')")
        check(junk == 0, f"no junk response kept ({junk})")
        refused = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE code IN ('echoed_instruction', 'degenerate', 'leaked_procedure', 'empty')")
        check(refused > 0, f"junk responses refused: {refused}")
        codes = stack.psql("-At", "-c", "SELECT code || ' ' || count(*) FROM treeinstruct.attempts WHERE outcome <> 'succeeded' GROUP BY code ORDER BY 1")
        print("  info: failed attempts by code: " + ", ".join(codes.stdout.split("\n")).strip(", "))


def outage(short: bool) -> None:
    rows, down = (600, 20) if short else (3000, 180)
    print(f"outage: {rows} tasks, 4 workers, the endpoint's port closed for {down} s once a quarter is done")
    with seeded_stack("outage", rows, "--rounds", "1", "--no-respond", "--max-attempts", "3") as stack:
        base_url = stack.simulator("--latency-ms", "100", "--jitter-ms", "50")
        port = base_url.split(":")[2].split("/")[0]
        simulator = stack.processes[-1]
        env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused", TREEINSTRUCT_LOG_LEVEL="notice")
        pool = [stack.spawn(*worker_args(8), "--exit-when-done", "--probe-interval", "2", "--connect-timeout", "1", **env)
                for _ in range(4)]
        deadline = time.time() + 120
        while terminal_tasks(stack, "outage") < rows // 4 and time.time() < deadline:
            time.sleep(0.1)
        simulator.send_signal(signal.SIGKILL)
        simulator.wait()
        went_down = time.time()
        time.sleep(down)
        open_at_restart = stack.open_tasks("outage")
        state = stack.psql("-At", "-c", "SELECT state FROM treeinstruct.endpoint_status").stdout.strip()
        check(state == "down", f"the cluster holds the endpoint down: {state or 'no row'}")
        stack.spawn("sim", "--port", port, "--latency-ms", "100", "--jitter-ms", "50", log="sim.log")
        check(http_get(f"http://127.0.0.1:{port}/healthz") is not None, f"the endpoint is back after {time.time() - went_down:.0f} s")
        finished = wait_until_done(stack, "outage", 300)
        check(finished, f"the run finished ({open_at_restart} tasks were waiting when the endpoint came back)")
        for process in pool:
            process.wait(timeout=60)
        check(all(p.returncode == 0 for p in pool), f"every worker exited 0: {[p.returncode for p in pool]}")
        invariants(stack, "outage", rows, max_attempts=3)
        spent = stack.scalar("SELECT count(*) FROM treeinstruct.tasks WHERE attempts <> 1")
        check(spent == 0, f"attempts used only by real answers: {spent} tasks with other than one")
        refused = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE code = 'connection'")
        print(f"  info: {refused} refused calls on record, none of them an attempt")
        logs = "".join((stack.work / "work.log").read_text(errors="replace"))
        check("endpoint down since" in logs and "endpoint answering again" in logs, "the workers said it went down and came back")


def limits(short: bool) -> None:
    if short:
        print("limits: skipped in the short form (each mode measures minutes; run `Ops/chaos/suite.py limits`)")
        return
    targets = {"over-limit": (95.0, 0.5, "180"), "tpm-admission": (97.0, 0.5, "300")}
    for mode, (least_use, most_throttled, seconds) in targets.items():
        print(f"limits: {mode}, 4 workers, {seconds} s measured")
        bench = Path(__file__).resolve().parents[1] / "bench" / "rate-limit.sh"
        result = subprocess.run(["bash", str(bench), mode], env=dict(os.environ, BIN=BIN, DURATION=seconds),
                                capture_output=True, text=True)
        out = result.stdout
        use = re.search(r"= ([0-9.]+)% of the limit", out)
        throttled = re.search(r"answered 429: \d+ = ([0-9.]+)%", out)
        check(result.returncode == 0 and use is not None and throttled is not None, f"{mode}: the benchmark ran")
        if use and throttled:
            check(float(use.group(1)) >= least_use, f"{mode}: {use.group(1)}% of the limit used (at least {least_use}%)")
            check(float(throttled.group(1)) < most_throttled, f"{mode}: {throttled.group(1)}% of requests answered 429 (under {most_throttled}%)")


def shutdown(short: bool) -> None:
    # Enough rows that work is left when the signal comes, however fast the build: 3 workers
    # finish about 200 tasks a second here.
    rows, grace = (5000 if short else 20_000), 10
    print(f"shutdown: SIGTERM to 3 loaded workers (latency 1 s), grace {grace} s")
    with seeded_stack("shutdown", rows, "--rounds", "1", "--no-respond") as stack:
        base_url = stack.simulator("--latency-ms", "1000", "--jitter-ms", "500")
        env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
        pool = [stack.spawn(*worker_args(64, lease=60), "--grace", str(grace), **env) for _ in range(3)]
        time.sleep(6)
        running = stack.scalar("SELECT count(*) FROM treeinstruct.tasks WHERE state = 'running'")
        check(running > 0, f"under load before the signal: {running} tasks running")
        sent = time.time()
        for process in pool:
            process.send_signal(signal.SIGTERM)
        for process in pool:
            process.wait(timeout=grace + 20)
        took = time.time() - sent
        check(took <= grace + 5, f"all workers exited {took:.1f} s after SIGTERM (grace {grace} s)")
        check(all(p.returncode == 0 for p in pool), f"clean exits: {[p.returncode for p in pool]}")
        check(stack.scalar("SELECT count(*) FROM treeinstruct.tasks WHERE state = 'running'") == 0, "no task left running")
        pending = stack.scalar("SELECT count(*) FROM treeinstruct.tasks WHERE state = 'pending'")
        released = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE outcome = 'released'")
        done = stack.scalar("SELECT count(*) FROM treeinstruct.tasks WHERE state = 'succeeded'")
        check(pending + done == rows and pending > 0,
              f"every task succeeded or pending again: {done} succeeded, {pending} pending ({released} released by the workers), of {rows}")


def bad_input(short: bool) -> None:
    target = (64 if short else 2048) << 20
    print(f"bad-input: a {target >> 20} MB corpus mixing good lines with every kind of bad one, submitted into a run")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "corpus.jsonl"
        bad_lines = [
            b'{"instruction": "Broken JSON", "input": \n',
            b'{"instruction": 42}\n',
            b'{"instruction": "Wrong input type", "input": ["a"]}\n',
            b'{"instruction": "   "}\n',
            b'{"input": "no instruction at all"}\n',
            b'{"instruction": "Bad \xc3\x28 bytes"}\n',
            b'{"instruction": "NUL \x00 byte"}\n',
            b'{"instruction": "escaped \\u0000 NUL"}\n',
        ]
        huge = b'{"instruction": "' + b"x" * (2 << 20) + b'"}\n'  # over the 1 MiB record limit, every 8th block
        filler = "and say which step matters most, why it matters, and what goes wrong without it. " * 2
        good_count = bad_count = written = block = 0
        with path.open("wb") as out:
            while written < target:
                lines = []
                for i in range(1000):  # distinct instructions: each good line must become its own task
                    n = good_count + i
                    if i % 3 == 0:
                        line = f'\ufeff{{"instruction": "Explain step {n} of photosynthesis to a child, {filler}", "input": "x"}}\r\n'
                    elif i % 3 == 1:
                        line = f'{{"instruction": "Traduis « bonjour {n} » 👋 en arabe : مرحبا, {filler}", "input": ""}}\n'
                    else:
                        line = f'{{"instruction": "Summarize report {n} in two sentences, {filler}", "input": "Sales rose."}}\n'
                    lines.append(line.encode())
                chunk = b"".join(lines) + b"".join(bad_lines) + (huge if block % 8 == 7 else b"")
                out.write(chunk)
                written += len(chunk)
                good_count += 1000
                bad_count += len(bad_lines) + (1 if block % 8 == 7 else 0)
                block += 1
            out.write(b'{"instruction": "truncated last line')
            bad_count += 1
        stack = Stack(Path(directory))
        try:
            started = time.time()
            with (Path(directory) / "submit.json").open("w+") as output:
                process = subprocess.Popen([BIN, "submit", "--corpus", str(path), "--run", "bad-input", "--json"], env=stack.env,
                                           stdout=output, stderr=subprocess.STDOUT)
                _, status, usage = os.wait4(process.pid, 0)  # the submit process's own peak
                output.seek(0)
                text = output.read()
            elapsed = time.time() - started
            peak_mb = usage.ru_maxrss / 1024
            summary = json.loads(text) if status == 0 else {}
            print(f"  info: {text.strip()[:300]}")
            print(f"  info: submitted {written / 2**20:.0f} MB ({good_count} good lines, {bad_count} bad) in {elapsed:.1f} s "
                  f"({written / 2**20 / max(elapsed, 1e-9):.1f} MB/s), peak resident {peak_mb:.0f} MB")
            check(status == 0, "submit finished")
            tasks = stack.scalar("SELECT count(*) FROM treeinstruct.tasks t JOIN treeinstruct.runs r ON r.id = t.run_id WHERE r.name = 'bad-input'")
            check(tasks == good_count == summary.get("tasks_created"), f"every good line ingested: {tasks} tasks of {good_count} good lines")
            errors = stack.scalar("SELECT count(*) FROM treeinstruct.ingest_errors e JOIN treeinstruct.runs r ON r.id = e.run_id "
                                  "WHERE r.name = 'bad-input'")
            check(errors == bad_count, f"one ingest_errors row per bad line: {errors} of {bad_count}")
            located = stack.scalar("SELECT count(*) FROM treeinstruct.ingest_errors e JOIN treeinstruct.runs r ON r.id = e.run_id "
                                   "WHERE r.name = 'bad-input' AND e.source_file = :'file' AND e.line > 0 AND e.reason <> ''", file=str(path))
            check(located == errors, f"errors name the file and line: {located} of {errors}")
            codes = stack.psql("-At", "-c", "SELECT code || ' ' || count(*) FROM treeinstruct.ingest_errors GROUP BY code ORDER BY code").stdout.split("\n")
            print(f"  info: errors by code: {', '.join(c for c in codes if c)}")
            check(peak_mb < 100, f"memory flat: peak {peak_mb:.0f} MB resident for a {target >> 20} MB file")
        finally:
            stack.close()


def batch(short: bool) -> None:
    rows, per_batch = (2000, 500) if short else (10_000, 2000)
    print(f"batch: {rows} rows in batch mode ({2 * rows} tasks) in batches of {per_batch}, 3 workers, one SIGKILLed while "
          "applying a batch, 5% of requests failed by the provider, every fourth batch expired")
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))
        try:
            corpus = stack.work / "corpus.txt"
            corpus.write_text("".join(f"Describe a harbour that you would show visitor number {i}, in three sentences.\n"
                                      for i in range(rows)))
            flags = ("--format", "text", "--max-words", "250", "--rounds", "1", "--respond", "--max-attempts", "6")
            stack.submit(corpus, "batch", *flags, "--mode", "batch")
            stack.submit(corpus, "live", *flags)
            base_url = stack.simulator("--seed", "5", "--latency-ms", "20", "--jitter-ms", "10", "--batch-delay-seconds", "1.5",
                                       "--batch-fail", "0.05", "--batch-expire-every", "4", "--batch-window-seconds", "5")
            env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused", TREEINSTRUCT_LOG_LEVEL="info")
            args = [*worker_args(), "--run", "batch", "--batch-requests", str(per_batch), "--batch-poll-seconds", "0.3",
                    "--batch-job-seconds", "5", "--exit-when-done"]
            pool = [stack.spawn(*args, log=f"batch-worker-{i}.log", **env) for i in range(3)]
            state = {"killed": None}
            started = time.time()

            def tick():
                # SIGKILL the first worker seen applying a batch, a moment into it.
                if state["killed"] is not None:
                    return
                for i in range(3):
                    if "applying batch" in (stack.work / f"batch-worker-{i}.log").read_text(errors="replace"):
                        time.sleep(0.15)
                        pool[i].send_signal(signal.SIGKILL)
                        pool[i].wait()
                        state["killed"] = i
                        print(f"  info: worker {i} killed with SIGKILL while applying a batch", flush=True)
                        return

            finished = wait_until_done(stack, "batch", 600 if short else 1800, tick)
            print(f"  info: finished in {time.time() - started:.0f} s")
            check(finished, "the batch run finished")
            check(state["killed"] is not None, "a worker was killed while applying a batch")
            invariants(stack, "batch", rows, max_attempts=6, min_success=1.0)
            made = stack.scalar("SELECT count(*) FROM treeinstruct.batches")
            print(f"  info: {made} batches made", flush=True)
            expired = stack.scalar("SELECT count(*) FROM treeinstruct.batches WHERE provider_status = 'expired'")
            check(expired >= 1, f"batches expired and their unanswered tasks came back: {expired}")
            returned = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE code = 'batch_expired'")
            failed = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE worker_id LIKE 'batch:%' AND outcome = 'error'")
            check(returned > 0 and failed > 0, f"{returned} tasks returned from expired batches, {failed} failed by the provider and retried")
            stats = json.loads(http_get(base_url.removesuffix("/v1") + "/sim/stats") or "{}").get("batches", {})
            answered = stack.scalar("SELECT count(*) FROM treeinstruct.attempts WHERE worker_id LIKE 'batch:%' AND outcome IN ('succeeded', 'stale')")
            print(f"  info: the provider answered {stats.get('requests_answered')} requests, {answered} answers applied or refused as stale")
            live = stack.spawn(*worker_args(64), "--run", "live", "--exit-when-done", log="live-worker.log", **env)
            live.wait(timeout=600)
            exports = []
            for run in ("batch", "live"):
                path = stack.work / f"{run}.jsonl"
                stack.run("export", "--run", run, "--output", str(path), check=True)
                exports.append(path.read_bytes())
            check(exports[0] == exports[1] and len(exports[0]) > 0, f"the export equals a live run's ({len(exports[0])} bytes)")
        finally:
            stack.close()


SCENARIOS = {"chaos": chaos, "faults": faults, "outage": outage, "limits": limits, "shutdown": shutdown, "bad-input": bad_input,
             "batch": batch}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--short", action="store_true", help="the CI sizes")
    args = parser.parse_args()
    for name, scenario in SCENARIOS.items():
        if args.scenario in (name, "all"):
            scenario(args.short)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
