"""Asking cargo for the dependency graph: shared by scripts/audit-map.py and
scripts/sbom.py (python3 standard library only). Both run from this folder,
so `import cargo_graph` finds this file."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# One line of `cargo tree --prefix depth --format {p}`: depth, name, version,
# then an optional source or path, an optional "(proc-macro)" and "(*)".
TREE_LINE_RE = re.compile(r"^(\d*)(\S+) v(\S+)(?: \(([^)]*)\))?(?: \(([^)]*)\))?(?: \(\*\))?$")


def run(args, **kw):
    """Run a command in the repository; its standard output (raises if it fails)."""
    return subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True, **kw).stdout


def cargo(args, tool):
    """Run a cargo command offline; if a crate is missing, fetch and retry.
    `tool` names the calling script in the message about fetching."""
    try:
        return run(["cargo", *args, "--offline"], stderr=subprocess.PIPE)
    except subprocess.CalledProcessError:
        print(f"{tool}: running `cargo fetch --locked` (crate sources missing)", file=sys.stderr)
        run(["cargo", "fetch", "--locked"])
        return run(["cargo", *args])


def tree(args, tool, fail):
    """The graph `cargo tree ARGS` prints (the feature-resolved one `cargo build`
    uses): ({(name, ver)}, {(name, ver): {children}}). A line it cannot parse
    is handed to `fail` as a message, which must not return."""
    out = cargo(["tree", *args, "--prefix", "depth", "--format", "{p}"], tool)
    nodes, children, stack = set(), {}, []
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("["):  # "[build-dependencies]" headers
            continue
        m = TREE_LINE_RE.match(line)
        if not m:
            fail(f"cannot parse cargo tree line: {line!r}")
        depth, key = int(m.group(1)), (m.group(2), m.group(3))
        nodes.add(key)
        children.setdefault(key, set())
        del stack[depth:]
        if stack:
            children[stack[-1]].add(key)
        stack.append(key)
    return nodes, children
