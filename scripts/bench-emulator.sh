#!/usr/bin/env bash
# Emulator benchmark: server CPU per message of `sqsbench serve` versus fauxqs under the same
# aws-sdk-sqs load, measured in one run, and receive cost as the queue grows to 1,000,000; then
# server CPU per delivered message through EventBridge against SNS.
# Installs fauxqs (npm) first. Extra arguments go to the benchmark binary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/peers.sh"
install_fauxqs
cd "$ROOT"
cargo bench --bench emulator_server_cpu -- "$@"
# EventBridge's delivery cost beside SNS's, on the same server (benches/fanout_cpu.rs).
cargo bench --bench fanout_cpu
