#!/usr/bin/env bash
# A test step that leaks on purpose (the negative control of scripts/leftovers.py): it starts a
# bounded sleep in the background, writes its PID to $1 and exits without stopping it, so the
# sleep is reparented and outlives the step, as the Kubernetes rehearsal's emulator once did.
set -euo pipefail
sleep 600 &
echo "$!" >"$1"
