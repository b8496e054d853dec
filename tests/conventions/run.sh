#!/usr/bin/env bash
# The conventions users expect, checked as users meet them (scripts/check.sh conventions):
# - bash completion: the script `sqsbench completions bash` prints is sourced and its function
#   called with COMP_WORDS/COMP_CWORD set; zsh's and fish's scripts are syntax-checked;
# - man pages: the main page and every `man --dir` page render with `man --warnings` silent;
# - `sqsbench init`: every template validates, the schema is written beside it, and an
#   existing file is refused (exit 2) and left as it was;
# - check.sh --list: every suite, with its typical time;
# - the JSON Schema: every example scenario and every init template validates with Python's
#   jsonschema over tomllib, and the bad corpus is rejected as tests/schema/bad-corpus.md says.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

ensure_sqsbench
work=$(mktemp -d)
trap 'rm -rf "$work"; stop_started' EXIT
fail() { log "FAIL: $*"; exit 1; }

# bash: the words so far, the word being completed, and what COMPREPLY must then hold.
"$SQSBENCH" completions bash > "$work/sqsbench.bash"
complete_bash() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _sqsbench sqsbench "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$work/sqsbench.bash" "$@"
}
[[ "$(complete_bash sqsbench va)" == "validate" ]] || fail "sqsbench va completes to: $(complete_bash sqsbench va)"
[[ "$(complete_bash sqsbench run --ta)" == "--target" ]] || fail "sqsbench run --ta completes to: $(complete_bash sqsbench run --ta)"
complete_bash sqsbench "" | grep -qx init || fail "the subcommands do not include init"
log "bash completes 'sqsbench va' to validate and 'sqsbench run --ta' to --target"

# The control: a completion for a word no command starts with is empty.
[[ -z "$(complete_bash sqsbench zz)" ]] || fail "sqsbench zz completes to something"

"$SQSBENCH" completions zsh > "$work/_sqsbench"
zsh -n "$work/_sqsbench" || fail "the zsh script does not parse"
"$SQSBENCH" completions fish > "$work/sqsbench.fish"
fish --no-execute "$work/sqsbench.fish" || fail "the fish script does not parse"
log "zsh -n and fish --no-execute accept their scripts"

# man: warnings go to stderr; a page with none renders silently.
"$SQSBENCH" man > "$work/sqsbench.1"
"$SQSBENCH" man --dir "$work/man"
pages=0
for page in "$work/sqsbench.1" "$work"/man/*.1; do
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [[ -z "$warnings" ]] || fail "$(basename "$page"): $warnings"
  pages=$((pages + 1))
done
((pages >= 10)) || fail "only $pages man pages"
# The control: a page with a broken request does warn.
printf '.TH X 1\n.SH NAME\nx \\- y\n.BOGUS\n' > "$work/broken.1"
[[ -n "$(man --warnings -l "$work/broken.1" 2>&1 >/dev/null)" ]] || fail "man --warnings missed a broken page"
log "$pages man pages render with no warning"

# init: each template, then a refusal to overwrite.
templates=(quickstart throughput fifo-limits lambda fanout distributed)
mkdir "$work/init"
for t in "${templates[@]}"; do
  "$SQSBENCH" init "$work/init/$t.toml" --template "$t" >/dev/null
  "$SQSBENCH" validate "$work/init/$t.toml" >/dev/null || fail "init --template $t does not validate"
done
[[ -f "$work/init/sqsbench.schema.json" ]] || fail "init wrote no schema beside the scenario"
cmp -s "$work/init/sqsbench.schema.json" "$ROOT/scenarios/sqsbench.schema.json" || fail "init's schema is not the stored one"
before=$(sha256sum "$work/init/lambda.toml")
set +e
"$SQSBENCH" init "$work/init/lambda.toml" --template quickstart 2> "$work/refused"
code=$?
set -e
((code == 2)) || fail "init over an existing file exited $code, not 2"
grep -q 'already exists' "$work/refused" || fail "the refusal does not say why: $(cat "$work/refused")"
[[ "$(sha256sum "$work/init/lambda.toml")" == "$before" ]] || fail "init changed the existing file"
log "every init template validates; an existing file is refused with exit 2 and left as it was"

# check.sh --list: every suite, each with its typical time in seconds.
listed=$("$ROOT/scripts/check.sh" --list)
suites=$(grep -c '^  "' <(sed -n '/^SUITES=(/,/^)/p' "$ROOT/scripts/check.sh"))
[[ $(wc -l <<<"$listed") -eq $suites ]] || fail "check.sh --list shows $(wc -l <<<"$listed") of $suites suites"
grep -qvE '^[a-z0-9-]+ +[0-9]+s  .+' <<<"$listed" && fail "a --list line without its time: $(grep -vE '^[a-z0-9-]+ +[0-9]+s  .+' <<<"$listed")"
log "check.sh --list names all $suites suites with their typical times"

# The schema, as an editor reads it.
ensure_venv "$PEERS_DIR/venv-schema" "$(find_python 11)" jsonschema==4.26.0
"$PEERS_DIR/venv-schema/bin/python" "$ROOT/tests/schema/check_schema.py" "$ROOT" "$work"/init/*.toml
