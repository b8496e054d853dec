"""The scenario schema (scenarios/sqsbench.schema.json) as an editor would use it: read with
Python's jsonschema (the draft the schema names) over tomllib.

- every example scenario in scenarios/ validates;
- every `sqsbench init` template validates (the files are given on the command line);
- tests/schema/bad-corpus.md lists every file of tests/scenarios/bad with whether the schema can
  express its problem; each marked "yes" must be rejected by the schema, each marked "no"
  accepted (or not TOML at all), so the table stays true.

Usage: check_schema.py ROOT [INIT_OUTPUT.toml ...]
"""

import pathlib
import sys
import tomllib

import jsonschema


def validator(root):
    schema = __import__("json").loads((root / "scenarios/sqsbench.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def problems(v, path):
    """The schema's complaints about a TOML file, or None when it is not TOML."""
    try:
        doc = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError:
        return None
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in v.iter_errors(doc)]


def table(root):
    """tests/schema/bad-corpus.md's rows: file -> (expressible, why)."""
    rows = {}
    for line in (root / "tests/schema/bad-corpus.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].endswith(".toml`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    v = validator(root)
    failed = []
    examples = sorted((root / "scenarios").glob("*.toml"))
    for path in examples + [pathlib.Path(p) for p in sys.argv[2:]]:
        said = problems(v, path)
        if said:
            failed.append(f"{path}: rejected by the schema: {said}")
        elif said is None:
            failed.append(f"{path}: not TOML")
    rows = table(root)
    corpus = sorted(p.name for p in (root / "tests/scenarios/bad").glob("*.toml"))
    if sorted(rows) != corpus:
        failed.append(f"bad-corpus.md lists {sorted(rows)}, the corpus has {corpus}")
    rejected = 0
    for name, (expressible, why) in sorted(rows.items()):
        said = problems(v, root / "tests/scenarios/bad" / name)
        if expressible == "yes" and not said:
            failed.append(f"{name}: marked expressible, but the schema accepts it")
        if expressible == "no" and said:
            failed.append(f"{name}: marked not expressible, but the schema rejects it: {said}")
        if expressible not in ("yes", "no"):
            failed.append(f"{name}: expressible must be yes or no, not {expressible!r}")
        rejected += bool(said)
    for f in failed:
        print("FAIL", f)
    print(f"{len(examples)} examples and {len(sys.argv) - 2} init templates valid; "
          f"{rejected} of {len(rows)} bad-corpus files rejected by the schema, as the table says")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
