#!/usr/bin/env python3
"""Latency of the viewer's row pages on a large run (issue 16: p99 under 100 ms at 1M tasks).

Submits --rows source rows (default 1,000,000) into a fresh private server, ends them in SQL as
workers would leave them (90% succeeded with a result, 5% failed with a code and an attempt, 5%
still pending), starts `treeinstruct serve` (the release build: TREEINSTRUCT_BIN) and asks each
kind of row page --requests times (default 200) at random places: the list from the start and from
a random line, the list filtered by difficulty, failure code, shard and text, and a row's own page.
Prints p50, p95, p99 and max per kind, in milliseconds, over one keep-alive connection."""
import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import treeinstruct_stack  # noqa: E402
from treeinstruct_stack import Stack  # noqa: E402

WORDS = ["river", "engine", "library", "forest", "market", "bridge", "vaccine", "poem", "budget", "harbor", "glacier", "orchard"]

FINISH = """
UPDATE treeinstruct.tasks SET state = CASE WHEN source_line % 20 = 0 THEN 'failed'::treeinstruct.task_state
                                           WHEN source_line % 20 = 1 THEN 'pending'::treeinstruct.task_state
                                           ELSE 'succeeded'::treeinstruct.task_state END,
       last_error_code = CASE WHEN source_line % 20 = 0 THEN (ARRAY['too_short', 'leaked_procedure', 'url_introduced'])[source_line % 3 + 1] END,
       attempts = CASE WHEN source_line % 20 = 1 THEN 0 ELSE 1 END,
       finished_at = CASE WHEN source_line % 20 <> 1 THEN now() END;
INSERT INTO treeinstruct.results (task_id, run_id, stage, round, difficulty, new_instruction, original_tree, expanded_tree, added_nodes, word_count, model)
SELECT id, run_id, stage, round, 3, instruction || ' Compare two seasons, cite one local record and end with a checklist.',
       '{"label": "describe", "children": [{"label": "place", "children": []}]}',
       '{"label": "describe", "children": [{"label": "place", "children": []}, {"label": "seasons", "children": []}, {"label": "record", "children": []}, {"label": "checklist", "children": []}]}',
       '["seasons", "record", "checklist"]', 30, 'bench'
FROM treeinstruct.tasks WHERE state = 'succeeded';
INSERT INTO treeinstruct.attempt_log (task_id, run_id, attempt, lease_token, worker_id, started_at, finished_at, outcome, code, detail)
SELECT id, run_id, 1, 0, 'bench', now(), now(), CASE WHEN state = 'failed' THEN 'rejected' ELSE 'succeeded' END, last_error_code,
       CASE WHEN state = 'failed' THEN '9 words, at least 21 needed' END
FROM treeinstruct.tasks WHERE state IN ('succeeded', 'failed');
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        corpus = work / "corpus.jsonl"
        with corpus.open("w") as out:
            for i in range(args.rows):
                out.write(json.dumps({"instruction": f"Describe the {WORDS[i % len(WORDS)]} number {i} for a visitor who has one afternoon.",
                                      "input": "", "output": ""}) + "\n")
        stack = Stack(work / "stack")
        serve = None
        try:
            started = time.time()
            summary = stack.submit(corpus, "big", "--rounds", "1", "--no-respond", "--shard-size", "10000")
            print(f"submitted {summary['tasks_created']} tasks in {time.time() - started:.1f} s", flush=True)
            started = time.time()
            finished = stack.psql("-c", FINISH, "-c", "VACUUM ANALYZE treeinstruct.tasks, treeinstruct.results, treeinstruct.attempt_log")
            if finished.returncode != 0:
                raise RuntimeError(finished.stderr)
            print(f"ended them in SQL in {time.time() - started:.1f} s", flush=True)
            run = stack.scalar("SELECT id FROM treeinstruct.runs WHERE name = 'big'")
            shards = [int(x) for x in stack.psql("-At", "-c", f"SELECT id FROM treeinstruct.shards WHERE run_id = {run}").stdout.split()]
            serve = subprocess.Popen([treeinstruct_stack.BIN, "serve", "--port", "0"], env=stack.env, stdout=subprocess.PIPE, text=True)
            port = int(re.search(r":(\d+)/", serve.stdout.readline()).group(1))
            connection = http.client.HTTPConnection("127.0.0.1", port)

            def get(path: str) -> float:
                began = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
                return (time.perf_counter() - began) * 1000

            line = lambda: random.randint(1, args.rows)  # noqa: E731
            kinds = {
                "list, first page": lambda: f"/runs/{run}/rows",
                "list, from a random line": lambda: f"/runs/{run}/rows?after={line()}.0",
                "list, difficulty 3": lambda: f"/runs/{run}/rows?difficulty=3&after={line()}.0",
                "list, failure code": lambda: f"/runs/{run}/rows?code=too_short&after={line()}.0",
                "list, one shard": lambda: f"/runs/{run}/rows?shard={random.choice(shards)}",
                "list, text search": lambda: f"/runs/{run}/rows?q={random.choice(WORDS)}+number+{random.randint(1, 9)}&after={line()}.0",
                "one row": lambda: f"/runs/{run}/rows/{line()}",
            }
            random.seed(16)
            for _ in range(20):
                get(kinds["one row"]())
            for kind, path in kinds.items():
                times = [get(path()) for _ in range(args.requests)]
                print(f"viewer rows={args.rows} page=\"{kind}\" requests={args.requests} p50_ms={percentile(times, 0.5):.1f} "
                      f"p95_ms={percentile(times, 0.95):.1f} p99_ms={percentile(times, 0.99):.1f} max_ms={max(times):.1f}", flush=True)
        finally:
            if serve:
                serve.terminate()
                serve.wait(timeout=20)
            stack.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
