#!/usr/bin/env python3
"""README.md's quick start, as a new user meets it (issue 11): clone this repository into an
empty directory, with nothing beside it, and run the quick start's first command there exactly
as written, with no database or endpoint settings in the environment. It must build, run the
whole job on the embedded PostgreSQL and write the dataset; run again, it must resume (nothing
new to do) and write the same rows.

The clone is of HEAD: commit before running this on a working tree."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = int(os.environ.get("QUICKSTART_TIMEOUT", "2400"))


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    if not block:
        sys.exit("quickstart: README.md's Quick start has no ```sh block")
    commands = [line.strip() for line in block.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]
    if len(commands) != 2:
        sys.exit(f"quickstart: the Quick start must have exactly two commands, found {len(commands)}: {commands}")
    return commands


def clean_environment() -> dict:
    drop = re.compile(r"^(DATABASE_URL.*|PG[A-Z]+|OPENAI_.*|TREEINSTRUCT_.*)$")
    return {key: value for key, value in os.environ.items() if not drop.match(key)}


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    print(f"quickstart: $ {command}   (in {cwd})", flush=True)
    result = subprocess.run(shlex.split(command), cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:], sep="\n", file=sys.stderr)
        sys.exit(f"quickstart: exit {result.returncode}")
    return result


def written(result: subprocess.CompletedProcess, clone: Path) -> tuple[int, Path]:
    match = re.search(r"wrote (\d+) rows to (\S+)", result.stdout)
    if not match:
        sys.exit(f"quickstart: no 'wrote N rows' line in:\n{result.stdout[-3000:]}")
    return int(match.group(1)), clone / match.group(2)


def main() -> None:
    first, _ = quick_start_commands()
    with tempfile.TemporaryDirectory(prefix="treeinstruct-quickstart-") as empty:
        clone = Path(empty) / "treeinstruct"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        result = run(first, clone)
        rows, output = written(result, clone)
        lines = output.read_text().splitlines()
        if rows == 0 or len(lines) != rows:
            sys.exit(f"quickstart: {output} has {len(lines)} lines, the command said {rows}")
        for number, line in enumerate(lines, 1):
            record = json.loads(line)
            if not record.get("instruction") or not record.get("output"):
                sys.exit(f"quickstart: {output}:{number} lacks an instruction or an output")
        print(f"quickstart: {rows} rows written to {output.name}", flush=True)

        again = run(first, clone)
        resumed = re.search(r"resuming run \S+: (\d+) of (\d+) rows already done", again.stdout)
        if not resumed or resumed.group(1) != resumed.group(2):
            sys.exit("quickstart: the second run did not resume a finished run (expected 'resuming run ...: N of N rows already done'):\n"
                     + again.stdout[-2000:])
        rows_again, _ = written(again, clone)
        if rows_again != rows:
            sys.exit(f"quickstart: the second run wrote {rows_again} rows, the first {rows}")
        print(f"quickstart: passed (resumed: {rows_again} rows again)", flush=True)


if __name__ == "__main__":
    main()
