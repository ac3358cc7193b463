#!/usr/bin/env python3
"""Checks Deploy/ and Ops/ as far as this machine can (issue 6): files parse, manifests validate,
every flag and variable they use exists in the CLI, the SQL runs against a real PostgreSQL with
the least-privilege roles, and every metric the dashboard and alerts use is really served.

Run through Ops/check/run (which installs the Python packages). Exit status 0 means all passed;
each failure is printed with the file it concerns."""
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import kubernetes_validate
import promql_parser
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from treeinstruct_stack import BIN, CORPORA, ROOT, Stack, free_port, http_get  # noqa: E402
failures: list[str] = []
passed = 0
quiet = False


def check(condition: bool, what: str) -> bool:
    global passed
    if condition:
        passed += 1
    else:
        failures.append(what)
        if not quiet:
            print(f"FAIL {what}", file=sys.stderr)
    return condition


# ---------------------------------------------------------------- files parse
def load_documents() -> dict[Path, list]:
    documents = {}
    for path in sorted([*ROOT.glob("Deploy/**/*"), *ROOT.glob("Ops/**/*")]):
        if path.suffix in (".yml", ".yaml"):
            try:
                documents[path] = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
                check(True, "")
            except yaml.YAMLError as error:
                check(False, f"{path.relative_to(ROOT)}: YAML does not parse: {error}")
        elif path.suffix == ".json":
            try:
                documents[path] = [json.loads(path.read_text())]
                check(True, "")
            except json.JSONDecodeError as error:
                check(False, f"{path.relative_to(ROOT)}: JSON does not parse: {error}")
    return documents


# ---------------------------------------------------------------- the CLI's surface
def cli_surface():
    def flags_of(*command):
        text = subprocess.run([BIN, *command, "--help"], capture_output=True, text=True, check=True).stdout
        return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) | {"-h", "--help"}
    top = subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout
    subcommands = set(re.findall(r"^  ([a-z]+) {2,}", top.split("SUBCOMMANDS:")[1], re.M))
    flags = {name: flags_of(name) for name in subcommands}
    variables = set()
    for source in ROOT.glob("Sources/**/*.swift"):
        variables |= set(re.findall(r'"((?:TREEINSTRUCT|OPENAI)_[A-Z_]+|DATABASE_URL(?:_FILE)?|PG[A-Z]+)"', source.read_text()))
    return subcommands, flags, variables


def check_invocation(where: str, argv: list[str], surface) -> None:
    subcommands, flags, _ = surface
    if not argv:
        return
    if argv[0] in ("treeinstruct", "/usr/local/bin/treeinstruct"):
        argv = argv[1:]
    if not check(bool(argv) and argv[0] in subcommands, f"{where}: `{' '.join(argv)}`: no such subcommand"):
        return
    for argument in argv[1:]:
        if argument.startswith("--"):
            name = argument.split("=")[0]
            check(name in flags[argv[0]], f"{where}: `treeinstruct {argv[0]}` has no flag {name}")


def check_variables(where: str, names, surface, allowed_other=()) -> None:
    for name in names:
        if name in allowed_other:
            continue
        check(name in surface[2], f"{where}: the CLI reads no environment variable {name}")


# ---------------------------------------------------------------- Kubernetes
def check_kubernetes(documents, surface) -> None:
    keda = json.loads((ROOT / "Ops/check/keda-schemas.json").read_text())
    version = kubernetes_validate.latest_version()
    folder = ROOT / "Deploy/kubernetes"
    config = {}
    listed = set()
    for path, docs in documents.items():
        if path.parent != folder:
            continue
        for doc in docs:
            where = f"{path.relative_to(ROOT)} ({doc.get('kind')} {doc.get('metadata', {}).get('name', '')})"
            if doc.get("kind") == "Kustomization":
                listed = set(doc.get("resources", []))
                for resource in listed:
                    check((folder / resource).exists(), f"{where}: lists missing file {resource}")
                continue
            if doc.get("apiVersion", "").startswith("keda.sh/"):
                schema = dict(keda[doc["kind"]], definitions=keda["definitions"])
                errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
                check(not errors, f"{where}: not a valid KEDA object: {errors}")
            else:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                    check(True, "")
                except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as error:
                    check(False, f"{where}: fails Kubernetes {version} schema: {error}")
            if doc.get("kind") == "ConfigMap":
                config = doc["data"]
                check_variables(where, config.keys(), surface)
            pod = doc.get("spec", {}).get("template", {}).get("spec")
            if pod:
                for container in pod["containers"]:
                    check_invocation(where, container.get("args", []), surface)
                    check_variables(where, [e["name"] for e in container.get("env", [])], surface)
                    secret_files = {f"/var/run/secrets/treeinstruct/{i['path']}"
                                    for v in pod.get("volumes", []) if "secret" in v for i in v["secret"].get("items", [])}
                    for env in container.get("env", []):
                        if env["name"].endswith("_FILE"):
                            check(env["value"] in secret_files, f"{where}: {env['name']} points at {env['value']}, which no secret volume provides")
                    if doc["kind"] == "Deployment":
                        grace = int(config.get("TREEINSTRUCT_GRACE", "30"))
                        check(pod.get("terminationGracePeriodSeconds", 30) > grace,
                              f"{where}: terminationGracePeriodSeconds must exceed TREEINSTRUCT_GRACE ({grace})")
                        port = int(config.get("TREEINSTRUCT_METRICS_PORT", "0"))
                        check(any(p["containerPort"] == port for p in container.get("ports", [])),
                              f"{where}: no container port {port} (TREEINSTRUCT_METRICS_PORT)")
                        check(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", f"{where}: readiness is not /readyz")
                        check(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", f"{where}: liveness is not /healthz")
                        check("requests" in container.get("resources", {}), f"{where}: no resource requests")
    for manifest in folder.glob("*.yaml"):
        if manifest.name not in ("kustomization.yaml", "submit-job.yaml"):
            check(manifest.name in listed, f"Deploy/kubernetes/kustomization.yaml: does not list {manifest.name}")


# ---------------------------------------------------------------- Compose, Docker, systemd
def check_compose(documents, surface) -> None:
    path = ROOT / "Deploy/compose/docker-compose.yml"
    compose = documents[path][0]
    for name, service in compose["services"].items():
        where = f"Deploy/compose/docker-compose.yml (service {name})"
        if not service.get("image", "").startswith("treeinstruct"):
            continue
        entry = service.get("entrypoint", ["treeinstruct"])
        command = service.get("command", [])
        argv = [*entry[1:], *command] if entry[0] == "treeinstruct" else command
        check_invocation(where, argv, surface)
        check_variables(where, service.get("environment", {}).keys(), surface)
        for secret in service.get("secrets", []):
            check(secret in compose["secrets"], f"{where}: secret {secret} is not declared")
        if name == "worker":
            grace = int(service["environment"].get("TREEINSTRUCT_GRACE", "30"))
            check(int(service["stop_grace_period"].rstrip("s")) > grace, f"{where}: stop_grace_period must exceed TREEINSTRUCT_GRACE")
            check_invocation(where, service["healthcheck"]["test"][1:], surface)
    for secret in compose["secrets"].values():
        check(secret["file"].startswith("./secrets/"), f"{path}: secret files belong in ./secrets (git-ignored by make-secrets.sh)")


def check_dockerfile(surface) -> None:
    path = ROOT / "Deploy/docker/Dockerfile"
    text = path.read_text()
    check(re.search(r"^USER (?!root|0\b)", text, re.M) is not None, f"{path}: runs as root")
    check("HEALTHCHECK" in text and text.count("FROM ") >= 2, f"{path}: needs a HEALTHCHECK and two stages")
    for match in re.finditer(r'CMD (\[.*\])', text):
        argv = json.loads(match.group(1))
        check_invocation(str(path.relative_to(ROOT)), argv if argv[0] == "treeinstruct" else ["treeinstruct", *argv], surface)
    for block in re.findall(r"^ENV (.*?)(?<!\\)$", text, re.M | re.S):
        check_variables(str(path.relative_to(ROOT)), re.findall(r"([A-Z_]+)=", block), surface)
    check((ROOT / ".dockerignore").exists(), ".dockerignore missing: the build context would carry .build/")


def check_systemd(surface) -> None:
    unit = ROOT / "Deploy/systemd/treeinstruct-worker@.service"
    text = unit.read_text()
    where = str(unit.relative_to(ROOT))
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1).split()
    check_invocation(where, exec_start, surface)
    check_variables(where, re.findall(r"^Environment=([A-Z_]+)=", text, re.M), surface)
    env_file = ROOT / "Deploy/systemd/worker.env"
    names = re.findall(r"^([A-Z_]+)=", env_file.read_text(), re.M)
    check_variables(str(env_file.relative_to(ROOT)), names, surface)
    grace = int(dict(re.findall(r"^([A-Z_]+)=(.*)$", env_file.read_text(), re.M)).get("TREEINSTRUCT_GRACE", "30"))
    check(int(re.search(r"^TimeoutStopSec=(\d+)", text, re.M).group(1)) > grace, f"{where}: TimeoutStopSec must exceed TREEINSTRUCT_GRACE")
    check(not re.search(r"(API_KEY|PASSWORD|DATABASE_URL)=", env_file.read_text()), f"{env_file}: secrets belong in credential files")


# ---------------------------------------------------------------- Prometheus and Grafana
def exporter_metrics(documents) -> tuple[set[str], list[str]]:
    queries = documents[ROOT / "Ops/prometheus/postgres-exporter-queries.yaml"][0]
    names, sql = set(), []
    for prefix, spec in queries.items():
        sql.append(spec["query"])
        for column in spec["metrics"]:
            (name, info), = column.items()
            if info["usage"] != "LABEL":
                names.add(f"{prefix}_{name}")
    return names, sql


def promql_metrics(expr: str) -> set[str]:
    return set(re.findall(r"\btreeinstruct_[a-z_]+\b", expr))


def check_promql(documents, served: set[str]) -> None:
    expressions = []
    rules = documents[ROOT / "Ops/prometheus/alerts.yml"][0]
    for group in rules["groups"]:
        for rule in group["rules"]:
            where = f"Ops/prometheus/alerts.yml ({rule.get('alert')})"
            check(all(k in rule for k in ("alert", "expr", "for", "labels", "annotations")), f"{where}: incomplete rule")
            check("severity" in rule.get("labels", {}) and "summary" in rule.get("annotations", {}), f"{where}: needs severity and summary")
            expressions.append((where, rule["expr"]))
    dashboard = documents[ROOT / "Ops/grafana/treeinstruct-dashboard.json"][0]
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expressions.append((f"Ops/grafana/treeinstruct-dashboard.json (panel {panel['title']!r})", target["expr"]))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            expressions.append((f"dashboard variable {variable['name']}", re.sub(r"label_values\((\w+), \w+\)", r"\1", variable["query"])))
    for where, expr in expressions:
        concrete = expr.replace("$__rate_interval", "5m").replace("$instance", ".*").replace("$run", ".*")
        try:
            promql_parser.parse(concrete)
            check(True, "")
        except Exception as error:  # the parser raises its own error types
            check(False, f"{where}: PromQL does not parse: {error}")
        for metric in promql_metrics(expr):
            check(metric in served, f"{where}: uses {metric}, which neither a worker nor the exporter queries serve")


# ---------------------------------------------------------------- a real database, worker and simulator
def check_live(documents) -> set[str]:
    """Runs the SQL, the roles and a worker; returns the metric names a worker serves."""
    served: set[str] = set()
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(Path(directory))  # migrated as the schema's owner
        try:
            result = stack.psql("-f", str(ROOT / "Ops/sql/roles.sql"))
            check(result.returncode == 0, f"Ops/sql/roles.sql does not run: {result.stderr}")
            roles = ["treeinstruct_worker", "treeinstruct_coordinator", "treeinstruct_monitor"]
            stack.psql(stdin="".join(f"ALTER ROLE {r} PASSWORD '{stack.role_password}';\n" for r in roles))
            check(stack.psql("-f", str(ROOT / "Ops/sql/roles.sql")).returncode == 0, "Ops/sql/roles.sql is not idempotent")

            # Some answers fail validation, so the failure counters are served too.
            base_url = stack.simulator("--latency-ms", "20", "--jitter-ms", "10", "--invalid-output", "0.05", "--seed", "3")
            stack.submit(CORPORA / "self-instruct-seed-175.jsonl", "check", "--rounds", "1", "--respond", "--max-words", "250",
                         role="treeinstruct_coordinator")
            metrics_port = free_port()
            stack.spawn("work", "--concurrency", "16", "--metrics-port", str(metrics_port), role="treeinstruct_worker",
                        OPENAI_BASE_URL=base_url, OPENAI_API_KEY="unused")
            deadline = time.time() + 120
            while time.time() < deadline and stack.open_tasks("check") > 0:
                time.sleep(1)
            check(stack.open_tasks("check") == 0, "the worker (as treeinstruct_worker) did not finish the check run in 120 s; see work.log")
            status = stack.run("status", "--run", "check", "--json", role="treeinstruct_monitor")
            check(status.returncode == 0 and json.loads(status.stdout)[0]["succeeded"] >= 340,
                  f"`status` as treeinstruct_monitor: {status.stderr or status.stdout}")
            metrics = http_get(f"http://127.0.0.1:{metrics_port}/metrics") or ""
            served = {re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0) for line in metrics.splitlines() if line and not line.startswith("#")}
            check("treeinstruct_tasks_succeeded_total" in served, "the worker's /metrics lacks treeinstruct_tasks_succeeded_total")

            for script in ["progress.sql", "failures.sql", "slowest-shards.sql", "worker-throughput.sql", "stuck-leases.sql", "cleanup.sql"]:
                result = stack.psql("-f", str(ROOT / "Ops/sql" / script))
                check(result.returncode == 0, f"Ops/sql/{script} fails: {result.stderr.strip()}")
            result = stack.psql("-f", str(ROOT / "Ops/sql/progress.sql"))
            check("check" in result.stdout and "100.00" in result.stdout, f"Ops/sql/progress.sql does not show the finished run: {result.stdout}")
            _, exporter_sql = exporter_metrics(documents)
            keda = [d for d in documents[ROOT / "Deploy/kubernetes/keda-scaledobject.yaml"] if d["kind"] == "ScaledObject"][0]
            for sql in [*exporter_sql, keda["spec"]["triggers"][0]["metadata"]["query"]]:
                result = stack.psql("-c", sql, role="treeinstruct_monitor")
                check(result.returncode == 0, f"as treeinstruct_monitor, fails: {sql}: {result.stderr.strip()}")
            result = stack.psql("-c", "SELECT count(*) FROM treeinstruct.tasks", role="treeinstruct_monitor")
            check(result.returncode != 0 and "permission denied" in result.stderr, "treeinstruct_monitor can read tasks")

            result = stack.psql("-v", "run=check", "-f", str(ROOT / "Ops/sql/archive-run.sql"), cwd=Path(directory))
            check(result.returncode == 0, f"Ops/sql/archive-run.sql fails: {result.stderr}")
            csv = Path(directory) / "check.results.csv"
            check(csv.exists() and len(csv.read_text().splitlines()) > 175, "archive-run.sql wrote no results CSV")
            check(stack.scalar("SELECT count(*) FROM treeinstruct.runs WHERE name = 'check'") == 0, "archive-run.sql did not delete the run")
            # Tasks leave with their shards (0013's trigger), results and attempts with their tasks.
            for table in ("shards", "tasks", "results", "attempts"):
                left = stack.scalar(f"SELECT count(*) FROM treeinstruct.{table} WHERE run_id NOT IN (SELECT id FROM treeinstruct.runs)")
                check(left == 0, f"archive-run.sql left {left} rows of the deleted run in {table}")
        finally:
            stack.close()
    return served


def self_test(surface) -> None:
    """The checkers must be able to fail."""
    global quiet
    quiet = True
    before = len(failures)
    check_invocation("self-test", ["treeinstruct", "work", "--no-such-flag"], surface)
    check_invocation("self-test", ["treeinstruct", "no-such-command"], surface)
    check_variables("self-test", ["TREEINSTRUCT_NO_SUCH_VARIABLE"], surface)
    caught = len(failures) - before
    del failures[before:]
    quiet = False
    check(caught == 3, f"self-test: the checkers caught {caught} of 3 planted mistakes")


def main() -> int:
    documents = load_documents()
    surface = cli_surface()
    self_test(surface)
    check_kubernetes(documents, surface)
    check_compose(documents, surface)
    check_dockerfile(surface)
    check_systemd(surface)
    served = check_live(documents)
    exporter, _ = exporter_metrics(documents)
    check_promql(documents, served | exporter)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
