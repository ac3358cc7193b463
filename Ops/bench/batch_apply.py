#!/usr/bin/env python3
"""Time to apply a provider batch's output file (issue 17: BENCHMARKS.md records it for 50,000
lines).

On a fresh private server (the release build: TREEINSTRUCT_BIN), submits --rows distinct
instructions (default 50,000) as one batch-mode run with one rewrite round and no respond stage,
starts the simulator (its Batch API answering after --delay seconds) and one worker with
--batch-requests equal to the rows, so the whole run is one batch and one output file of that many
lines. The worker packs, uploads, polls and applies it; the times come from the batch's own row:
packing and sending (created_at to submitted_at), the provider's wait, and applying (ended_at,
when a worker saw the batch end, to applied_at: downloading the file, reading every line,
validating every answer and storing it fenced by its lease, 500 per statement). Prints them and
the worker's peak resident memory."""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from treeinstruct_stack import Stack  # noqa: E402


def peak_rss_mb(pid: int, stop: threading.Event, peak: list) -> None:
    while not stop.is_set():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    peak[0] = max(peak[0], int(line.split()[1]) / 1024)
        except OSError:
            return
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--delay", type=float, default=5.0, help="seconds the simulator takes to answer the batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))
        try:
            corpus = stack.work / "corpus.txt"
            corpus.write_text("".join(f"Describe a lighthouse that you would show visitor number {i}, in three sentences.\n"
                                      for i in range(args.rows)))
            stack.submit(corpus, "apply", "--format", "text", "--max-words", "250", "--rounds", "1", "--no-respond",
                         "--mode", "batch")
            base_url = stack.simulator("--seed", "9", "--batch-delay-seconds", str(args.delay))
            env = dict(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
            worker = stack.spawn("work", "--rate-scope", "local", "--batch-requests", str(args.rows), "--batch-poll-seconds", "0.5",
                                 "--exit-when-done", log="worker.log", **env)
            stop, peak = threading.Event(), [0.0]
            watcher = threading.Thread(target=peak_rss_mb, args=(worker.pid, stop, peak))
            watcher.start()
            started = time.time()
            worker.wait(timeout=3600)
            stop.set()
            watcher.join()
            total = time.time() - started
            q = lambda sql: stack.scalar(sql)  # noqa: E731
            batches = q("SELECT count(*) FROM treeinstruct.batches")
            lines = q("SELECT max(request_count) FROM treeinstruct.batches")
            applied = q("SELECT sum(applied_count) FROM treeinstruct.batches")
            pack = q("SELECT extract(epoch FROM max(submitted_at - created_at))::float8 FROM treeinstruct.batches")
            wait = q("SELECT extract(epoch FROM max(ended_at - submitted_at))::float8 FROM treeinstruct.batches")
            apply = q("SELECT extract(epoch FROM max(applied_at - ended_at))::float8 FROM treeinstruct.batches")
            print(f"{batches} batch of {lines} requests: {applied} answers stored")
            print(f"pack and send {float(pack):.2f} s, provider {float(wait):.2f} s, apply {float(apply):.2f} s "
                  f"({lines / float(apply):.0f} lines/s); worker peak RSS {peak[0]:.0f} MB; {total:.1f} s in all")
            return 0 if worker.returncode == 0 and applied == args.rows else 1
        finally:
            stack.close()


if __name__ == "__main__":
    sys.exit(main())
