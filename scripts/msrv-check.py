#!/usr/bin/env python3
"""Check that the declared minimum Rust version is true (python3 stdlib only).

    scripts/msrv-check.py

Reads `cargo metadata` (every package of Cargo.lock the workspace can
build, for every platform: Windows-only crates count too) and fails when
the `rust-version` of `[workspace.package]` in Cargo.toml is lower than the
highest `rust-version` any dependency declares, naming the crates that need
more. Every workspace crate must inherit that one value
(`rust-version.workspace = true`), and the README's Install section must
state it. Older toolchains cannot be installed here to build with them, so
this is the check; clippy's `incompatible_msrv` lint (on by default, and
CI denies warnings) adds that our own code calls no standard-library API
newer than the declared version.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def version_key(text):
    return tuple(int(part) for part in text.split("."))


def metadata():
    args = ["cargo", "metadata", "--format-version", "1", "--locked"]
    done = subprocess.run(args + ["--offline"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        done = subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout)


def main():
    manifest = tomllib.loads((REPO / "Cargo.toml").read_text())
    declared = manifest["workspace"]["package"]["rust-version"]
    meta = metadata()
    members = set(meta["workspace_members"])
    errors = []
    needs = []
    for package in meta["packages"]:
        version = package.get("rust_version")
        if package["id"] in members:
            if version != declared:
                errors.append(
                    f"{package['name']} declares rust-version {version}, not the workspace's "
                    f"{declared}: use `rust-version.workspace = true`"
                )
        elif version:
            needs.append((version_key(version), version, f"{package['name']} {package['version']}"))
    needs.sort(reverse=True)
    highest = needs[0][1] if needs else "0"
    too_new = [f"{name} (rust-version {v})" for key, v, name in needs if key > version_key(declared)]
    if too_new:
        errors.append(
            f"Cargo.toml declares rust-version {declared}, but these dependencies need more: "
            + ", ".join(too_new)
            + f". Set [workspace.package] rust-version = \"{highest}\"."
        )
    readme = (REPO / "README.md").read_text()
    if not re.search(rf"\bRust {re.escape(declared)}\b", readme):
        errors.append(f"README.md does not say `Rust {declared}` (the Install section's requirement)")
    top = ", ".join(f"{name} {v}" for _, v, name in needs[:3])
    print(f"declared rust-version {declared}; highest in the graph {highest} ({top})")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
