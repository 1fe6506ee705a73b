#!/usr/bin/env bash
# Release check: builds this host's release archive exactly as the tag-triggered
# .github/workflows/release.yml does (cargo-dist, configured in dist-workspace.toml and
# [profile.dist] in Cargo.toml) and checks what it produced:
#
#   1. installs the pinned cargo-dist (`dist`) into the cache outside the checkout if missing
#      (a `cargo install --locked` from crates.io: ~18 min on 2 cores, once);
#   2. adds the rustup target for the host's musl triple if missing (Linux archives are static
#      musl binaries);
#   3. `dist plan`: the config parses, and .github/workflows/release.yml is what `dist generate`
#      would write now (it fails if the workflow is out of date);
#   4. `dist build` for the host target only (a full `dist` profile build: ~8 min on 2 cores);
#   5. target/distrib/cf-scale-<target>.tar.gz and its .sha256 exist, the checksum matches,
#      the archive holds cf-scale-<target>/{cf-scale,README.md,CHANGELOG.md,LICENSE-MIT,
#      LICENSE-APACHE}, and the binary in it prints `cf-scale <version in Cargo.toml>`.
#
# Not part of .ci/run (which every change runs) because it is slow: run it before tagging a
# release, or after changing dist-workspace.toml, [profile.dist] or the cargo-dist version
# (then also run `dist generate` and commit the regenerated release.yml).
# Reaches crates.io (once) and static.rust-lang.org (rustup, once).
set -euo pipefail

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"

# The cargo-dist version is pinned in one place: dist-workspace.toml (CI installs the same one).
DIST_VERSION=$(sed -n 's/^cargo-dist-version = "\(.*\)"$/\1/p' dist-workspace.toml)
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
dist_root="$cache/cargo-dist-$DIST_VERSION"
dist="$dist_root/bin/dist"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'release-check: FAILED: %s\n' "$*" >&2; exit 1; }

[ -n "$DIST_VERSION" ] || fail "no cargo-dist-version in dist-workspace.toml"

if ! [ -x "$dist" ] || [ "$("$dist" --version 2>/dev/null)" != "cargo-dist $DIST_VERSION" ]; then
  step "installing cargo-dist $DIST_VERSION into $dist_root (slow: a full compile)"
  cargo install --locked cargo-dist --version "$DIST_VERSION" --root "$dist_root"
fi
"$dist" --version

# The archive target for this host: Linux archives are musl builds, macOS ones native.
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
  x86_64-unknown-linux-*) target=x86_64-unknown-linux-musl ;;
  aarch64-unknown-linux-*) target=aarch64-unknown-linux-musl ;;
  x86_64-apple-darwin | aarch64-apple-darwin) target=$host ;;
  *) fail "host $host: no archive target for it in this script (see dist-workspace.toml)" ;;
esac
grep -q "\"$target\"" dist-workspace.toml || fail "$target is not in dist-workspace.toml's targets"

if ! rustup target list --installed | grep -qx "$target"; then
  step "rustup target add $target"
  rustup target add "$target"
fi

step "dist plan"
"$dist" plan

archive="cf-scale-$target.tar.gz"
distrib="$root/target/distrib"
# No stale archive can pass: remove this target's outputs before building.
rm -rf "${distrib:?}/$archive" "${distrib:?}/$archive.sha256" "${distrib:?}/cf-scale-$target"

step "dist build --artifacts=local --target=$target"
start=$SECONDS
"$dist" build --artifacts=local --target="$target"
echo "dist build: $((SECONDS - start)) s"

step "checking $archive"
[ -f "$distrib/$archive" ] || fail "no $distrib/$archive"
[ -f "$distrib/$archive.sha256" ] || fail "no $distrib/$archive.sha256"
# The .sha256 file is `<hex> *<archive name>` (sha256sum's binary-mode line).
want=$(awk 'NF { print $1; exit }' "$distrib/$archive.sha256")
name=$(awk 'NF { sub(/^\*/, "", $2); print $2; exit }' "$distrib/$archive.sha256")
got=$(sha256sum "$distrib/$archive" | awk '{ print $1 }')
[ "$name" = "$archive" ] || fail "$archive.sha256 names '$name'"
[ "$want" = "$got" ] || fail "checksum mismatch: $archive.sha256 says $want, the archive is $got"
(cd "$distrib" && sha256sum -c "$archive.sha256")

listing=$(tar tzf "$distrib/$archive")
printf '%s\n' "$listing"
for f in cf-scale README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE; do
  printf '%s\n' "$listing" | grep -qx "cf-scale-$target/$f" || fail "$archive has no cf-scale-$target/$f"
done

pkgid=$(cargo pkgid --manifest-path "$root/Cargo.toml")
version=${pkgid##*[#@]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$distrib/$archive" -C "$tmp"
out=$("$tmp/cf-scale-$target/cf-scale" --version)
echo "$out"
[ "$out" = "cf-scale $version" ] || fail "the archived binary printed '$out', want 'cf-scale $version'"

step "release check passed: $archive (cargo-dist $DIST_VERSION, cf-scale $version)"
