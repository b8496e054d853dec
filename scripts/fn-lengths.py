#!/usr/bin/env python3
"""The longest non-test functions of a source tree, and its longest files.

A function's length is its lines from the `fn` line to the closing brace at the `fn` line's
indentation, both included (rustfmt style: the closing brace of an item sits at the item's
indentation). `#[cfg(test)]` modules and files named tests.rs are skipped.

    scripts/fn-lengths.py [DIR] [--top N]      (default: src, 10)
"""
import re
import sys
from pathlib import Path

FN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def functions(path):
    lines = path.read_text().splitlines()
    skip_until_indent = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if skip_until_indent is not None:
            if line.startswith(skip_until_indent + "}"):
                skip_until_indent = None
            i += 1
            continue
        if line.strip() == "#[cfg(test)]" and i + 1 < len(lines) and "mod " in lines[i + 1]:
            indent = re.match(r"^(\s*)", lines[i + 1]).group(1)
            if lines[i + 1].rstrip().endswith(";"):
                i += 2
                continue
            skip_until_indent = indent
            i += 2
            continue
        m = FN.match(line)
        if m and not line.rstrip().endswith(";"):
            indent = m.group(1)
            j = i
            while j < len(lines) and not (lines[j].startswith(indent + "}") and len(lines[j]) - len(lines[j].lstrip()) == len(indent)):
                j += 1
            yield m.group(7), i + 1, j - i + 1
        i += 1


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 10
    if "--top" in sys.argv:
        args = [a for a in args if a != str(top)]
    root = Path(args[0] if args else "src")
    found, sizes = [], []
    test_only = set()
    for path in root.rglob("*.rs"):
        text = path.read_text()
        for name in re.findall(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod (\w+);", text):
            folder = path.parent if path.name in ("mod.rs", "lib.rs", "main.rs") else path.with_suffix("")
            test_only.update({folder / f"{name}.rs", folder / name / "mod.rs"})
    for path in sorted(root.rglob("*.rs")):
        if path.name == "tests.rs" or path in test_only:
            continue
        sizes.append((len(path.read_text().splitlines()), str(path)))
        for name, line, length in functions(path):
            found.append((length, f"{path}:{line}", name))
    found.sort(reverse=True)
    sizes.sort(reverse=True)
    print(f"longest functions in {root}:")
    for length, at, name in found[:top]:
        print(f"  {length:4} {name:32} {at}")
    print(f"longest files in {root}:")
    for n, path in sizes[:top]:
        print(f"  {n:4} {path}")


main()
