#!/usr/bin/env bash
# Times README's Quick start on a fresh clone: `cargo run --release -- review`, then `cargo test`,
# each from a cold target/ (the cargo registry stays warm, as on a machine that has built Rust
# before). README's Quick start figures come from this command.
#
#   bash scripts/quickstart-time.sh [COMMIT]     (default: HEAD of this checkout)
set -euo pipefail
root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
commit=${1:-HEAD}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/clone"
git -C "$work/clone" checkout -q "$commit"
cd "$work/clone"
unset CARGO_TARGET_DIR
time_it() { # $1: label; the rest: the command
  local label=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/$label.err" || { tail -n 20 "$work/$label.err" >&2; exit 1; }
  end=$(date +%s.%N)
  printf '%-32s %6.0f s\n' "$label" "$(echo "$end - $start" | bc)"
}
echo "fresh clone of $(git rev-parse --short HEAD), $(nproc) cores"
time_it "cargo run --release -- review" cargo run --release --locked -- review
time_it "cargo test" cargo test --locked
