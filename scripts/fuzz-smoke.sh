#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target (cargo fuzz), as CI's smoke test; long runs are
# recorded in FUZZING.md. The machine has only the stable toolchain: RUSTC_BOOTSTRAP lets
# cargo fuzz pass its -Z flags, and --sanitizer none needs no sanitizer runtime.
# Usage: scripts/fuzz-smoke.sh [seconds per target, default 10]
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.2
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
seconds=${1:-10}
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi
export RUSTC_BOOTSTRAP=1
cd "$root/fuzz"
for target in $(cargo fuzz list); do
  echo "== fuzz $target for ${seconds}s"
  cargo fuzz run --sanitizer none -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 | grep -E '^Done|panicked|ERROR' || true
  # cargo fuzz exits non-zero on a crash; pipefail carries it.
done
echo "fuzz-smoke: no crashes"
