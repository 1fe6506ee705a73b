#!/usr/bin/env bash
# Load test of `cf-scale serve --http` on loopback: 50 concurrent connections calling
# estimate_cost for 10 seconds with wrk (Debian package `wrk`). Bounded in time; sends traffic
# only to 127.0.0.1. Fails on any socket error or non-2xx response; prints the latency
# percentiles (README's Performance section records them).
set -euo pipefail
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked --manifest-path "$root/Cargo.toml" >&2
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/target/release/cf-scale" serve --http 127.0.0.1:0 2>"$work/server.log" &
pid=$!
for _ in $(seq 50); do grep -q 'serving MCP at' "$work/server.log" && break; sleep 0.1; done
url=$(sed -n 's/^cf-scale: serving MCP at \(http:[^ ]*\)$/\1/p' "$work/server.log" | head -n 1)
[ -n "$url" ] || { cat "$work/server.log" >&2; exit 1; }
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"estimate_cost","arguments":{"workers":{"requests":100000000,"cpu_ms_per_request":7},"kv":{"reads":50000000},"d1":{"rows_read":3000000000}}}}'
LUA
wrk --threads 2 --connections 50 --duration 10s --latency --script "$work/post.lua" "$url" | tee "$work/wrk.txt"
if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt"; then
  echo "loadtest: FAILED: errors under load" >&2
  exit 1
fi
echo "loadtest: 0 errors; p99 $(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
