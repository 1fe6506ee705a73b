#!/usr/bin/env bash
# Measures cf-scale next to a bare rmcp server (examples/bare_server.rs) in one run: cold start
# over many spawns, warm tools/call latency per tool, pipelined throughput, peak RSS and binary
# size, with the ratios. Both are built with the dist profile, the shipped binaries' settings.
# Not a CI check (timings need a quiet machine); README's performance table comes from this
# command.
#
#   scripts/bench.sh [--spawns N] [--calls N]     (defaults: 30 spawns, 1000 calls per tool)
set -euo pipefail
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
cargo build --profile dist --locked --bin cf-scale --example bare_server --example mcp_bench >&2
target=${CARGO_TARGET_DIR:-$root/target}/dist
"$target/examples/mcp_bench" "$target/cf-scale" "$target/examples/bare_server" "$@"
