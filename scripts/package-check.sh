#!/usr/bin/env bash
# crates.io readiness: `cargo package` packs the crate exactly as crates.io would receive it and
# builds it from that archive alone; then the unpacked package's own test suite runs, so a file
# the build or the tests need but `include` (Cargo.toml) leaves out fails here, not for users.
set -euo pipefail
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# --allow-dirty: CI runs on a clean clone; locally, what is checked is the working tree.
cargo package --locked --allow-dirty
package="${CARGO_TARGET_DIR:-$root/target}/package/cf-scale-$version"
[ -f "$package.crate" ] || { echo "package-check: no $package.crate" >&2; exit 1; }
# The packaged crate's tests, built in the shared target directory (dependencies stay warm).
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" cargo test --locked \
  --manifest-path "$package/Cargo.toml"
echo "package-check: cf-scale-$version.crate builds and passes its tests on its own"
