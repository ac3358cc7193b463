#!/usr/bin/env python3
"""Peer benchmark: throughput of pgqueuer on no-op jobs.

Puts TreeInstruct's queue figures next to an established PostgreSQL queue library on the same
database server. Requires Python 3.11+ with `pgqueuer` and `asyncpg` installed (uvloop comes
with pgqueuer and is used, as pgqueuer's own `pgq run` does):

    python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install pgqueuer asyncpg
    /tmp/peer-venv/bin/python Ops/bench/peer_pgqueuer.py --jobs 20000 --consumers 1
    /tmp/peer-venv/bin/python Ops/bench/peer_pgqueuer.py --jobs 20000 --consumers 4

Connection: libpq environment variables only (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
PGSSLMODE), read by asyncpg. No password on the command line.

Isolation: every pgqueuer object lives in its own schema (default `peer_pgqueuer`, set through
pgqueuer's PGQUEUER_SCHEMA setting) and uses its own NOTIFY channel, so nothing touches schema
"treeinstruct". The schema is installed with pgqueuer's own Queries.install() when missing
(what `pgq install` runs) and converged with Queries.upgrade() otherwise; its jobs, log and
statistics are truncated before every run. `--drop` removes the schema afterwards.

Steps: install if missing -> apply pgqueuer's recommended autovacuum/fillfactor settings
(`pgq autovac`) -> clear old jobs -> enqueue --jobs no-op jobs in bulk (timed on its own) ->
start --consumers consumer processes, each with one asyncpg connection running pgqueuer's normal
consumer loop (PgQueuer.run, continuous mode) -> time from the moment all consumers are released
until the queue table is empty (a job row is deleted by the same statement that logs its
completion) -> stop the consumers through pgqueuer's shutdown event and join them.

The consumer processes import pgqueuer, connect and register the entrypoint before the clock
starts and wait for a common "go" signal, so Python start-up is not counted; pgqueuer's own
start-up inside PgQueuer.run (schema verification, LISTEN) is counted.

stdout: exactly two lines,
    pgqueuer consumers=4 jobs=20000 seconds=12.3 jobs_per_second=1626
    pgqueuer version 1.6.0 (asyncpg 0.32.0, ...settings...)
Everything else (enqueue timing, progress, warnings) goes to stderr. Exit status 1 on failure or
timeout (default 600 s for the whole run).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import os
import re
import sys
import time
from datetime import timedelta
from importlib import metadata

ENTRYPOINT = "noop"


def log(msg: str) -> None:
    print(f"[peer_pgqueuer] {msg}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=20000, help="number of no-op jobs (default 20000)")
    p.add_argument("--consumers", type=int, default=1, help="consumer processes (default 1)")
    p.add_argument(
        "--batch-size",
        type=int,
        default=200,
        help="PgQueuer.run(batch_size=...): jobs fetched per dequeue round trip; also the size "
        "at which the completion-log buffer flushes (default 200: pgqueuer's tuning guide says "
        "to raise it from its default 10 for short jobs; 200 was fastest of 10..500 here)",
    )
    p.add_argument(
        "--enqueue-batch",
        type=int,
        default=5000,
        help="jobs per Queries.enqueue() call (one INSERT ... UNNEST each; default 5000)",
    )
    p.add_argument(
        "--schema", default="peer_pgqueuer", help="PostgreSQL schema for pgqueuer's objects"
    )
    p.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    p.add_argument("--drop", action="store_true", help="drop the schema after the run")
    a = p.parse_args()
    if a.jobs < 1 or a.consumers < 1 or a.batch_size < 1 or a.enqueue_batch < 1:
        p.error("--jobs, --consumers, --batch-size and --enqueue-batch must be >= 1")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.schema) or a.schema == "treeinstruct":
        p.error("--schema must be a lower-case identifier other than 'treeinstruct'")
    return a


def configure_pgqueuer_env(schema: str) -> None:
    """pgqueuer reads its object names from PGQUEUER_* variables (DBSettings); set them before
    pgqueuer is imported. Spawned consumer processes inherit them."""
    for key in [k for k in os.environ if k.startswith("PGQUEUER_")]:
        del os.environ[key]  # no stray table/prefix/durability overrides from the caller
    os.environ["PGQUEUER_SCHEMA"] = schema
    os.environ["PGQUEUER_CHANNEL"] = f"{schema}_ch"  # NOTIFY channels are database-global


# --------------------------------------------------------------------------- consumer process


def consumer_main(
    index: int, batch_size: int, ready: mp.Queue, go: mp.Event, stop: mp.Event
) -> None:
    try:
        import uvloop

        uvloop.run(consumer(index, batch_size, ready, go, stop))
    except BaseException as exc:  # report, then fail the process
        ready.put(("error", index, repr(exc)))
        raise


async def consumer(index: int, batch_size: int, ready: mp.Queue, go: mp.Event, stop: mp.Event):
    import asyncpg

    from pgqueuer import PgQueuer
    from pgqueuer.db import AsyncpgDriver
    from pgqueuer.models import Job

    logging.getLogger("pgqueuer").setLevel(logging.WARNING)
    # One dedicated connection per consumer, as pgqueuer's performance guide recommends for the
    # QueueManager (LISTEN stays on it).
    conn = await asyncpg.connect()
    pgq = PgQueuer(AsyncpgDriver(conn))

    @pgq.entrypoint(ENTRYPOINT)
    async def noop(job: Job) -> None:
        pass

    ready.put(("ready", index, os.getpid()))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait)

    async def stopper() -> None:
        await loop.run_in_executor(None, stop.wait)
        pgq.shutdown.set()

    stop_task = asyncio.create_task(stopper())
    try:
        # Everything else at pgqueuer's defaults: unlimited concurrency (max_concurrent_tasks=None,
        # the cheapest dequeue query), per-entrypoint concurrency_limit=0, durable tables.
        await pgq.run(batch_size=batch_size)
    finally:
        stop_task.cancel()
        if not conn.is_closed():
            await conn.close()


# --------------------------------------------------------------------------- parent


async def prepare(args: argparse.Namespace) -> float:
    """Install/upgrade, clear, enqueue. Returns enqueue seconds."""
    import asyncpg

    from pgqueuer.db import AsyncpgDriver
    from pgqueuer.queries import Queries

    conn = await asyncpg.connect()
    try:
        q = Queries(AsyncpgDriver(conn))
        if not await q.schema_is_installed():
            log(f"installing pgqueuer schema in {args.schema!r} (Queries.install, = pgq install)")
            await q.install()
        else:
            await q.upgrade()  # no-op when the installed schema already matches this version
        await q.optimize_autovacuum()  # = `pgq autovac`, recommended in the performance guide

        await q.clear_queue()  # TRUNCATE, as pgqueuer's own benchmark does
        await q.clear_queue_log()
        await q.clear_statistics_log()

        t0 = time.perf_counter()
        left = args.jobs
        while left:
            n = min(left, args.enqueue_batch)
            await q.enqueue([ENTRYPOINT] * n, [None] * n, [0] * n)
            left -= n
        enqueue_s = time.perf_counter() - t0
        queued = await conn.fetchval(f"SELECT count(*) FROM {q.qbe.settings.qualified.queue_table}")
        if queued != args.jobs:
            raise RuntimeError(f"expected {args.jobs} queued jobs, found {queued}")
        return enqueue_s
    finally:
        await conn.close()


async def wait_until_drained(args, procs, deadline: float) -> None:
    import asyncpg

    from pgqueuer.domain.settings import db_settings

    table = db_settings().qualified.queue_table
    conn = await asyncpg.connect()
    try:
        last_report = time.perf_counter()
        while True:
            left = await conn.fetchval(f"SELECT count(*) FROM {table}")
            if left == 0:
                return
            now = time.perf_counter()
            if now > deadline:
                raise TimeoutError(f"timed out with {left} jobs left")
            dead = [p for p in procs if p.exitcode is not None]
            if dead:
                raise RuntimeError(
                    f"consumer exited early (exit codes {[p.exitcode for p in dead]}), "
                    f"{left} jobs left"
                )
            if now - last_report > 10:
                log(f"{left} jobs left")
                last_report = now
            await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def verify(args) -> tuple[int, str]:
    """Successful jobs in pgqueuer's log, and the durability actually installed."""
    import asyncpg

    from pgqueuer.domain.settings import db_settings

    conn = await asyncpg.connect()
    try:
        s = db_settings().qualified
        done = await conn.fetchval(
            f"SELECT count(*) FROM {s.queue_table_log} WHERE status = 'successful'"
        )
        unlogged = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relpersistence = 'u' ORDER BY 1",
            args.schema,
        )
        durability = (
            "durable (all tables logged)"
            if not unlogged
            else "unlogged: " + ",".join(r["relname"] for r in unlogged)
        )
        return done, durability
    finally:
        await conn.close()


async def drop_schema(schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect()
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        await conn.close()


def main() -> int:
    args = parse_args()
    configure_pgqueuer_env(args.schema)
    import uvloop

    start = time.perf_counter()
    deadline = start + args.timeout
    version = metadata.version("pgqueuer")
    asyncpg_version = metadata.version("asyncpg")

    enqueue_s = uvloop.run(prepare(args))
    log(
        f"enqueue jobs={args.jobs} seconds={enqueue_s:.3f} "
        f"jobs_per_second={args.jobs / enqueue_s:.0f} (batches of {args.enqueue_batch})"
    )

    ctx = mp.get_context("spawn")  # fresh interpreters: no event loop or sockets inherited
    ready, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    procs = [
        ctx.Process(
            target=consumer_main,
            args=(i, args.batch_size, ready, go, stop),
            name=f"pgq-consumer-{i}",
        )
        for i in range(args.consumers)
    ]
    for p in procs:
        p.start()

    status = 0
    try:
        pending = set(range(args.consumers))
        while pending:
            kind, index, detail = ready.get(timeout=max(1.0, deadline - time.perf_counter()))
            if kind != "ready":
                raise RuntimeError(f"consumer {index} failed to start: {detail}")
            pending.discard(index)

        t0 = time.perf_counter()
        go.set()
        uvloop.run(wait_until_drained(args, procs, deadline))
        seconds = time.perf_counter() - t0
    except BaseException as exc:
        log(f"FAILED: {exc!r}")
        status = 1
    finally:
        stop.set()
        go.set()  # release consumers still waiting, so they can see stop
        for p in procs:
            p.join(timeout=max(5.0, min(30.0, deadline + 30 - time.perf_counter())))
        for p in procs:
            if p.is_alive():
                log(f"{p.name} (pid {p.pid}) did not stop within the grace period; terminating")
                p.terminate()
                p.join(timeout=5)
                status = 1
        bad = [p.exitcode for p in procs if p.exitcode not in (0, None)]
        if bad and status == 0:
            log(f"consumer exit codes after stop: {bad}")

    if status == 0:
        done, durability = uvloop.run(verify(args))
        if done != args.jobs:
            log(f"FAILED: pgqueuer_log has {done} successful jobs, expected {args.jobs}")
            status = 1
    if args.drop:
        uvloop.run(drop_schema(args.schema))
    if status:
        return status

    print(
        f"pgqueuer consumers={args.consumers} jobs={args.jobs} "
        f"seconds={seconds:.2f} jobs_per_second={args.jobs / seconds:.0f}",
        flush=True,
    )
    print(
        f"pgqueuer version {version} (asyncpg {asyncpg_version}, uvloop, batch_size="
        f"{args.batch_size}, durability={durability}, max_concurrent_tasks=unlimited, "
        f"schema={args.schema})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
