#!/usr/bin/env python3
"""The package's module graph, checked (issue 12):
- every module a target's sources import is declared in Package.swift (no module leans on a
  dependency of a dependency);
- the middle stays in the middle: TreeInstructCore, TaskStore, RateLimiting, LLMClient and
  Workers depend only on the modules and libraries listed in LAYERS below;
- README.md's dependency diagram says exactly what Package.swift says.
Exit status 0 when all hold; each finding is one line."""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Musl", "Darwin",
          "Synchronization", "Testing", "XCTest", "_Concurrency", "os"}
# Internal modules and external packages each layer of the middle may use; nothing else.
LAYERS = {
    "TreeInstructCore": (set(), {"swift-crypto"}),
    "TaskStore": ({"TreeInstructCore"}, {"postgres-nio", "swift-nio", "swift-nio-ssl", "swift-log", "swift-crypto"}),
    "RateLimiting": ({"TreeInstructCore"}, {"swift-log"}),
    "LLMClient": ({"TreeInstructCore"}, {"async-http-client", "swift-nio", "swift-log"}),
    "Workers": ({"TreeInstructCore", "RateLimiting"}, {"swift-service-lifecycle", "swift-metrics", "swift-log"}),
}


def package() -> dict:
    out = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def dependencies(target: dict) -> tuple[set[str], set[str], set[str]]:
    """Internal targets, product names, and the packages those products come from."""
    internal, products, packages = set(), set(), set()
    for entry in target.get("dependencies", []):
        kind, value = next(iter(entry.items()))
        if kind == "product":
            products.add(value[0])
            packages.add(value[1])
        else:
            internal.add(value[0])
    return internal, products, packages


def imports(folder: Path) -> set[str]:
    found = set()
    for source in folder.rglob("*.swift"):
        for match in re.finditer(r"^\s*(?:@testable |@preconcurrency |(?:internal|public|package|private) )*import (\w+)",
                                 source.read_text(), re.M):
            found.add(match.group(1))
    return found


def readme_graph() -> dict[str, set[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### How the modules depend on each other", 1)
    if len(section) < 2:
        return {}
    block = re.search(r"```\n(.*?)```", section[1], re.S).group(1)
    graph = {}
    for line in block.splitlines():
        if ":" in line:
            name, uses = line.split(":", 1)
            graph[name.strip()] = {part.strip() for part in uses.split(",") if part.strip() and part.strip() != "-"}
    return graph


def main() -> int:
    findings = []
    manifest = package()
    targets = {t["name"]: t for t in manifest["targets"]}
    for name, target in targets.items():
        if target["type"] in ("system", "plugin"):
            continue
        folder = ROOT / ("Tests" if target["type"] == "test" else "Sources") / (target.get("path") or name)
        internal, products, packages = dependencies(target)
        undeclared = imports(folder) - internal - products - SYSTEM - {name}
        for module in sorted(undeclared):
            findings.append(f"{name} imports {module} without declaring it in Package.swift")
        if name in LAYERS:
            allowed_internal, allowed_packages = LAYERS[name]
            for extra in sorted(internal - allowed_internal):
                findings.append(f"{name} depends on {extra}: the middle may use only {sorted(allowed_internal) or 'nothing internal'}")
            for extra in sorted(packages - allowed_packages):
                findings.append(f"{name} depends on the package {extra}, outside its layer ({sorted(allowed_packages)})")
    graph = readme_graph()
    if not graph:
        findings.append("README.md has no '### How the modules depend on each other' diagram")
    for name, target in targets.items():
        if target["type"] not in ("regular", "executable"):
            continue
        internal = {dep for dep in dependencies(target)[0] if targets.get(dep, {}).get("type") not in ("plugin",)}
        if graph and graph.get(name) != internal:
            findings.append(f"README.md's diagram says {name}: {sorted(graph.get(name, []))}; Package.swift says {sorted(internal)}")
    for line in findings:
        print(f"dependencies: {line}")
    print(f"dependencies: {len(targets)} targets checked, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
