#!/usr/bin/env python3
"""Browser tests of the viewer (issue 16), in headless Chromium through Playwright, against a
real PostgreSQL, the simulator and a real worker, all on 127.0.0.1 (run by Ops/check/viewer).

Checked: every page loads with its token; live progress advances while a worker runs, without a
reload; the marked words of a row are its added nodes' words; filters and paging; hostile rows
(markup, scripts, right-to-left text) render as text and no script of theirs runs; a wrong token
gets nothing. Screenshots of each page are saved as artifacts. Exit status 0 when all hold; each
failed check prints one line."""
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from playwright.sync_api import sync_playwright  # noqa: E402

import treeinstruct_stack  # noqa: E402
from treeinstruct_stack import CORPORA, Stack  # noqa: E402

ARTIFACTS = Path(os.environ.get("TREEINSTRUCT_ARTIFACTS", "/tmp/treeinstruct-artifacts")) / "viewer"
# Each payload would set window.__pwned if the browser ran it.
HOSTILE = [
    {"instruction": "Explain what <script>window.__pwned = 'script'</script> does on a web page.", "input": ""},
    {"instruction": "Describe the tag \"><img src=x onerror=\"window.__pwned='img'\"> and why quoting matters.",
     "input": "<svg onload=\"window.__pwned='svg'\"></svg>"},
    {"instruction": "Translate \u202etxet desrever\u202c and \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd into English with notes.",
     "input": "</textarea><iframe src=\"javascript:window.parent.__pwned='iframe'\"></iframe>"},
    {"instruction": "Summarize why <a href=\"javascript:window.__pwned='link'\">this link</a> is unsafe.", "input": ""},
]

failures: list[str] = []


def check(condition: bool, what: str) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
    if not condition:
        failures.append(what)


def main() -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"treeinstruct-viewer-{os.getpid()}"
    subprocess.run(["rm", "-rf", str(work)])
    work.mkdir(parents=True)
    stack = Stack(work)
    serve = None
    try:
        token = secrets.token_urlsafe(24)
        hostile = work / "hostile.jsonl"
        hostile.write_text("".join(json.dumps(row) + "\n" for row in HOSTILE))
        stack.submit(hostile, "<b>hostile</b> run")
        # Slow enough to watch: 175 rows at 4 calls at a time, each ~150 ms.
        base = stack.simulator("--latency-ms", "150", "--jitter-ms", "20", "--invalid-output", "0.25")
        env = dict(OPENAI_BASE_URL=base, OPENAI_API_KEY="unused")
        stack.submit(CORPORA / "self-instruct-seed-175.jsonl", "live", "--rounds", "2", "--max-attempts", "2")
        serve = subprocess.Popen([treeinstruct_stack.BIN, "serve", "--port", "0"], env=dict(stack.env, TREEINSTRUCT_VIEWER_TOKEN=token),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = re.search(r"http://\S+?(?=/)", serve.stdout.readline()).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

            print("token", flush=True)
            check(page.goto(url + "/").status == 401, "without the token the viewer answers 401")
            check(page.goto(url + "/?token=wrong-" + token).status == 401, "a wrong token is refused")
            page.goto(url + "/?token=" + token)
            check(page.url == url + "/", f"the token is dropped from the address after login ({page.url})")
            check(token not in page.content(), "the page does not show the token")
            errors.clear()  # the refused visits above logged their 401s

            print("live progress", flush=True)
            worker = stack.spawn("work", "--run", "live", "--concurrency", "4", "--exit-when-done", **env)
            page.goto(url + "/")
            page.evaluate("window.__sameDocument = true")
            live_row = page.locator("tr", has=page.locator("a", has_text=re.compile("^live$")))
            first = live_row.locator("[data-field=percent]").inner_text()
            rect = live_row.locator("rect[data-seg=succeeded]")
            first_width = float(rect.get_attribute("width"))
            advanced, deadline = False, time.time() + 60
            while time.time() < deadline and not advanced:
                page.wait_for_timeout(1000)
                advanced = live_row.locator("[data-field=percent]").inner_text() != first and float(rect.get_attribute("width")) > first_width
            check(advanced, f"progress advances in place while the worker runs ({first} -> {live_row.locator('[data-field=percent]').inner_text()})")
            check(page.evaluate("window.__sameDocument === true"), "no reload happened (the same document updated itself)")
            page.screenshot(path=str(ARTIFACTS / "runs-live.png"), full_page=True)
            worker.wait(timeout=600)
            page.wait_for_timeout(2500)  # the viewer reads progress at most every 2 s
            runs = json.loads(page.goto(url + "/api/runs").text())
            check(any(run["segments"]["open"]["width"] == 0 and run["rows"].startswith(("1", "2")) for run in runs),
                  f"the live run ends with no open row ({[run['rows'] for run in runs]})")

            run_ids = {name: stack.scalar("SELECT id FROM treeinstruct.runs WHERE name = :'n'", n=name) for name in ("live", "<b>hostile</b> run")}
            live_id, hostile_id = run_ids["live"], run_ids["<b>hostile</b> run"]

            print("run page", flush=True)
            page.goto(f"{url}/runs/{live_id}")
            check(page.locator("svg.chart rect").count() > 0, "the run page draws attempts per minute")
            check(page.locator("h2", has_text="Failure codes").count() == 1 and page.locator("table a[href*='code=']").count() > 0,
                  "failure codes are listed with links to their rows")
            page.screenshot(path=str(ARTIFACTS / "run.png"), full_page=True)

            print("marked words", flush=True)
            line = stack.scalar("SELECT min(t.source_line) FROM treeinstruct.tasks t JOIN treeinstruct.results r ON r.task_id = t.id "
                                "WHERE t.run_id = :'run' AND t.stage = 'rewrite' AND t.round = 1 AND jsonb_array_length(r.added_nodes) > 0",
                                run=str(live_id))
            added = json.loads(stack.scalar("SELECT r.added_nodes::text FROM treeinstruct.tasks t JOIN treeinstruct.results r ON r.task_id = t.id "
                                            "WHERE t.run_id = :'run' AND t.source_line = :'line' AND t.stage = 'rewrite' AND t.round = 1",
                                            run=str(live_id), line=str(line)))
            page.goto(f"{url}/runs/{live_id}/rows/{line}")
            first_round = page.locator("section.step").first
            marked = [text.lower() for text in first_round.locator(".new mark").all_inner_texts()]
            label_words = {word for label in added for word in re.findall(r"[\w'-]+", label.lower())}
            check(bool(marked), f"line {line}: some words are marked")
            check(all(any(word == label or (len(label) >= 5 and word[:5] == label[:5]) for label in label_words) for word in marked),
                  f"line {line}: every marked word is an added node's word ({marked} vs {added})")
            marked_nodes = first_round.locator(".node.added").all_inner_texts()
            check(sorted(n.lower() for n in marked_nodes) == sorted(a.lower() for a in added),
                  f"line {line}: the expanded tree marks the added nodes ({marked_nodes} vs {added})")
            page.screenshot(path=str(ARTIFACTS / "row.png"), full_page=True)

            print("filters and paging", flush=True)
            page.goto(f"{url}/runs/{live_id}/rows")
            listed = [int(text) for text in page.locator("table.rows tbody tr td:first-child a").all_inner_texts()]
            check(listed == sorted(listed) and len(listed) == 50, f"the first page lists 50 rows in file order ({len(listed)})")
            page.click("a.next")
            second = [int(text) for text in page.locator("table.rows tbody tr td:first-child a").all_inner_texts()]
            check(bool(second) and min(second) > max(listed), "the next page goes on after the first")
            page.goto(f"{url}/runs/{live_id}/rows")
            page.fill("input[name=difficulty]", "6")
            page.click("button[type=submit]")
            check("difficulty=6" in page.url, f"the form filters by difficulty ({page.url})")
            difficulties = set(page.locator("table.rows tbody tr td:nth-child(4)").all_inner_texts())
            check(difficulties <= {"6"} and bool(difficulties), f"every row listed has difficulty 6 ({difficulties})")
            word = max(re.findall(r"[a-z]{6,}", stack.scalar(
                "SELECT lower(instruction) FROM treeinstruct.tasks WHERE run_id = :'run' AND source_line = 5", run=str(live_id))), key=len)
            page.goto(f"{url}/runs/{live_id}/rows")
            page.fill("input[name=q]", word.upper())
            page.click("button[type=submit]")
            texts = page.locator("table.rows tbody tr").all_inner_texts()
            lines = [int(text) for text in page.locator("table.rows tbody tr td:first-child a").all_inner_texts()]
            check(5 in lines and all(word in text.lower() for text in texts), f"text search for {word!r} lists only rows that say it, line 5 among them ({lines})")
            page.screenshot(path=str(ARTIFACTS / "rows.png"), full_page=True)

            print("hostile text", flush=True)
            for path in ["/", f"/runs/{hostile_id}", f"/runs/{hostile_id}/rows"] + [f"/runs/{hostile_id}/rows/{n}" for n in range(1, len(HOSTILE) + 1)]:
                page.goto(url + path)
                page.wait_for_timeout(300)
                check(page.evaluate("window.__pwned === undefined"), f"{path}: no script from the data ran")
                check(page.locator("main script, main img, main svg[onload], main iframe, main a[href^='javascript']").count() == 0,
                      f"{path}: no element came from the data")
            page.goto(f"{url}/runs/{hostile_id}/rows/1")
            check(HOSTILE[0]["instruction"] in page.locator("main").inner_text(), "the script row is shown as its text")
            page.goto(f"{url}/runs/{hostile_id}/rows/3")
            check("\u202etxet desrever\u202c" in page.locator("main").inner_text(), "right-to-left text is shown as written")
            page.screenshot(path=str(ARTIFACTS / "hostile-row.png"), full_page=True)
            check(not errors, f"no script error or refused resource in the console ({errors[:3]})")
            browser.close()
    finally:
        if serve and serve.poll() is None:
            serve.terminate()
            serve.wait(timeout=20)
        stack.close()
        subprocess.run(["rm", "-rf", str(work)])
    print(f"viewer: {'passed' if not failures else f'{len(failures)} failed'}; screenshots in {ARTIFACTS}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
