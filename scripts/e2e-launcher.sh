#!/usr/bin/env bash
# End-to-end checks of the plugin launcher scripts/cf-scale-mcp: its download, verify and install
# step against a loopback HTTP server (python3 -m http.server on 127.0.0.1) serving a release
# directory laid out like the project's releases, built from a local binary. No network beyond
# loopback; takes a few seconds.
#
#   bash scripts/e2e-launcher.sh [path/to/cf-scale]   (default: target/release/cf-scale)
#
# The launcher runs with an empty environment, a fresh CLAUDE_PLUGIN_DATA per case, and a PATH of
# symlinks to the tools it needs, without cf-scale and without cargo (a fake cargo is added
# where the build step is under test), so nothing but the download can rescue it.
# Needs bash, python3, curl, wget, sha256sum, shasum, tar, gzip and GNU timeout (optional).
set -euo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
launcher="$root/scripts/cf-scale-mcp"
bin=${1:-$root/target/release/cf-scale}

fail() {
  printf 'e2e-launcher: FAILED: %s\n' "$*" >&2
  if [ -n "${err:-}" ] && [ -f "$err" ]; then
    printf -- '--- launcher stderr (%s)\n' "$case" >&2
    cat "$err" >&2
    printf -- '--- launcher stdout\n' >&2
    cat "$out" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}
ok() { printf 'e2e-launcher: ok: %s\n' "$*"; }

[ -x "$bin" ] || fail "no binary at $bin (build it with cargo build --release, or pass its path)"
bin=$(CDPATH='' cd -- "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")
version=$("$bin" --version)
v=${version#cf-scale }
plugin_v=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
  "$root/.claude-plugin/plugin.json" | head -n 1)
[ "$version" = "cf-scale $plugin_v" ] ||
  fail "$bin reports '$version' but the plugin is $plugin_v"

work=$(mktemp -d)
server_pid=
stall_pid=
cleanup() {
  local pid
  for pid in $server_pid $stall_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- PATHs for the launcher: symlinks to the tools it uses, never cf-scale or cargo.
base_tools=(dirname sed head uname mkdir mktemp rm mv chmod tar gzip find awk tr cat grep)
mkpath() { # $1: name; then extra tools
  local d="$work/path/$1" t p
  shift
  mkdir -p "$d"
  for t in "${base_tools[@]}" "$@"; do
    p=$(type -P "$t") || fail "this test needs $t"
    ln -s "$p" "$d/$t"
  done
  printf '%s' "$d"
}
p_curl=$(mkpath curl curl sha256sum)
p_wget=$(mkpath wget wget sha256sum)
p_shasum=$(mkpath shasum curl shasum)
p_nosha=$(mkpath nosha curl)
p_nodl=$(mkpath nodl sha256sum)
for p in "$p_curl" "$p_wget" "$p_shasum" "$p_nosha" "$p_nodl"; do
  if PATH="$p" type -P cargo cf-scale >/dev/null 2>&1; then fail "$p has cargo or cf-scale"; fi
done

# Fake commands, each in a directory of its own to put in front of a PATH.
fake() { # $1: directory name, $2: command name, stdin: its script
  mkdir -p "$work/fake/$1"
  cat >"$work/fake/$1/$2"
  chmod +x "$work/fake/$1/$2"
  printf '%s' "$work/fake/$1"
}
cp_=$(type -P cp)
mkdir_=$(type -P mkdir)
# A cargo whose `install --root R` puts the local binary at R/bin/cf-scale, as cargo does.
f_cargo=$(fake cargo cargo <<EOF
#!/bin/sh
echo "cargo \$*" >>"$work/cargo.calls"
root=
while [ \$# -gt 0 ]; do
  case \$1 in --root) root=\$2; shift ;; esac
  shift
done
[ -n "\$root" ] || exit 2
"$mkdir_" -p "\$root/bin" && "$cp_" "$bin" "\$root/bin/cf-scale"
EOF
)
f_cargo_fails=$(fake cargo-fails cargo <<EOF
#!/bin/sh
echo "cargo \$*" >>"$work/cargo.calls"
echo "error: could not compile cf-scale" >&2
exit 101
EOF
)
old_script='#!/bin/sh
echo "cf-scale 0.0.1"'
f_old=$(fake old cf-scale <<<"$old_script")
f_broken=$(fake broken cf-scale <<<'#!/bin/sh
exit 1')
f_right=$(fake right cf-scale <<EOF
#!/bin/sh
exec "$bin" "\$@"
EOF
)
fake_uname() { # $1: uname -s, $2: uname -m, $3: what sysctl -n hw.optional.arm64 prints (or none)
  local d
  d=$(fake "uname-$1-$2-${3:-none}" uname <<EOF
#!/bin/sh
case \$1 in -s) echo "$1" ;; -m) echo "$2" ;; *) echo "$1" ;; esac
EOF
  )
  if [ -n "${3:-}" ]; then
    fake "uname-$1-$2-$3" sysctl <<<"#!/bin/sh
echo $3" >/dev/null
  fi
  printf '%s' "$d"
}

# --- the loopback release server.
srv="$work/srv"
mkdir -p "$srv"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$srv" >"$work/http.out" 2>"$work/http.log" &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^Serving HTTP on [^ ]* port \([0-9]*\) .*/\1/p' "$work/http.out")
  if [ -n "$port" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/"; then break; fi
  port=
  sleep 0.1
done
[ -n "$port" ] || fail "the HTTP server did not start: $(cat "$work/http.out" "$work/http.log")"
http="http://127.0.0.1:$port"
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
requests() { grep -c '"GET ' "$work/http.log" || true; }

# --- running the launcher.
initialize='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"0"}}}'
printf '%s\n' "$initialize" >"$work/initialize.jsonl"
if type -P timeout >/dev/null; then limit=(timeout 60); else limit=(); fi

# run CASE PATH BASE [VAR=value...]: runs the launcher with a fresh data dir $work/data/CASE
# (unless $keep_data is set) and stdin from $stdin (default /dev/null); sets rc, out, err, data,
# elapsed.
run() {
  case=$1
  local path=$2 base=$3 start
  shift 3
  data="$work/data/$case"
  out="$work/out/$case.stdout"
  err="$work/out/$case.stderr"
  mkdir -p "$work/out"
  [ -n "${keep_data:-}" ] || rm -rf "$data"
  start=$SECONDS
  rc=0
  "${limit[@]}" env -i HOME="$work/home" PATH="$path" CLAUDE_PLUGIN_ROOT="$root" \
    CLAUDE_PLUGIN_DATA="$data" CF_SCALE_RELEASE_BASE="$base" "$@" \
    "$launcher" <"${stdin:-/dev/null}" >"$out" 2>"$err" || rc=$?
  elapsed=$((SECONDS - start))
  [ "$rc" -ne 124 ] || fail "$case: the launcher did not finish within 60 s"
}
has() { grep -qF -- "$1" "$err" || fail "$case: stderr lacks: $1"; }
lacks() { if grep -qF -- "$1" "$err"; then fail "$case: stderr has: $1"; fi; }
succeeded() { [ "$rc" -eq 0 ] || fail "$case: exit code $rc, expected 0"; }
gave_up() {
  [ "$rc" -ne 0 ] || fail "$case: exit code 0, expected a failure"
  has "cannot find cf-scale $v. Any of these installs it:"
  has "cargo install --locked --path \"$root\""
  has "set CF_SCALE_BIN to a cf-scale $v binary"
}
installed() { # the downloaded binary is in place, is the local one, and nothing else is left
  local cached="$data/bin/$v/cf-scale"
  [ -x "$cached" ] || fail "$case: no $cached"
  [ "$("$cached" --version)" = "$version" ] || fail "$case: $cached is not $version"
  cmp -s "$cached" "$bin" || fail "$case: $cached differs from $bin"
  has "installed cf-scale $v as $cached"
  [ "$(find "$data" -mindepth 1 | sort | tr '\n' ' ')" = "$data/bin $data/bin/$v $cached " ] ||
    fail "$case: more than the binary in $data: $(find "$data" -mindepth 1)"
}
left_nothing() { # the data dir holds no file and no bin/
  if [ -e "$data/bin" ] || [ -n "$(find "$data" -mindepth 1 -print 2>/dev/null)" ]; then
    fail "$case: something was left in $data: $(find "$data" -mindepth 1)"
  fi
}
served_mcp() { # stdout is the server's answer to initialize
  python3 - "$out" <<'EOF' || fail "$case: no MCP initialize response from cf-scale on stdout"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
r = json.loads(lines[0])
assert r["id"] == 1 and r["result"]["serverInfo"]["name"] == "cf-scale", r
EOF
}

# --- 3. missing archive (404); this run also tells which target the launcher asks for.
run missing "$p_curl" "$http/missing"
gave_up
has "downloading cf-scale $v for "
has "could not download $http/missing/v$v/cf-scale-"
has "404"
left_nothing
target=$(sed -n "s/^cf-scale-mcp: downloading cf-scale $v for \([^ ]*\) from .*/\1/p" "$err")
name="cf-scale-$target.tar.gz"
has "downloading cf-scale $v for $target from $http/missing/v$v/$name"
expected_target() {
  local arch
  case $(uname -m) in x86_64 | amd64) arch=x86_64 ;; aarch64 | arm64) arch=aarch64 ;; *) return 1 ;; esac
  case $(uname -s) in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin)
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null)" = 1 ]; then arch=aarch64; fi
      echo "$arch-apple-darwin"
      ;;
    *) return 1 ;;
  esac
}
host=$(expected_target) || fail "no release target for this host ($(uname -sm)); the download cannot be tested here"
[ "$target" = "$host" ] || fail "the launcher asks for $target, expected $host"
ok "missing archive: 404 reported, final error, nothing left (target $target)"

# --- archives, and release directories serving them, one per base URL.
# archive NAME BINARY LAYOUT: $work/archives/NAME.tar.gz holding BINARY as cf-scale, in
# cf-scale-<target>/ next to the docs (dir), alone at the top (flat), or no binary (nobin).
archive() {
  local stage="$work/stage/$1"
  mkdir -p "$stage/cf-scale-$target" "$work/archives"
  cp "$root/README.md" "$root"/LICENSE-* "$root/CHANGELOG.md" "$stage/cf-scale-$target/"
  case $3 in
    dir) cp "$2" "$stage/cf-scale-$target/cf-scale" ;;
    flat) cp "$2" "$stage/cf-scale" && rm -r "$stage/cf-scale-$target" ;;
    nobin) ;;
  esac
  (cd "$stage" && tar -cf - -- *) | gzip -1 >"$work/archives/$1.tar.gz"
}
# release BASE ARCHIVE SUMFORMAT: serves ARCHIVE as $name under $http/BASE/v$v/, with a .sha256
# file in SUMFORMAT.
release() {
  local d="$srv/$1/v$v" sum
  mkdir -p "$d"
  cp "$2" "$d/$name"
  sum=$(sha256sum "$d/$name" | cut -d ' ' -f 1)
  case $3 in
    text) printf '%s  %s\n' "$sum" "$name" ;;
    binary) printf '%s *%s\n' "$sum" "$name" ;;
    bare) printf '%s\n' "$sum" | tr a-f A-F ;;
    crlf) printf '%s  %s\r\n' "$sum" "$name" ;;
    wrong) printf '%s  %s\n' "$(printf '%s' "$sum" | tr 0-9a-f 1-9a-f0)" "$name" ;;
    other) printf '%s  %s\n' "$sum" "cf-scale-other.tar.gz" ;;
    garbage) printf 'not a checksum\n' ;;
    none) ;;
  esac >"$d/$name.sha256"
  if [ "$3" = none ]; then rm "$d/$name.sha256"; fi
}
wrong_version="$work/cf-scale-9.9.9"
printf '#!/bin/sh\necho "cf-scale 9.9.9"\n' >"$wrong_version"
chmod +x "$wrong_version"
archive main "$bin" dir
archive flat "$bin" flat
archive wrongversion "$wrong_version" dir
archive nobin "" nobin
head -c 4000 "$work/archives/main.tar.gz" >"$work/archives/corrupt.tar.gz"
good_sum=$(sha256sum "$work/archives/main.tar.gz" | cut -d ' ' -f 1)
bad_sum=$(printf '%s' "$good_sum" | tr 0-9a-f 1-9a-f0)
for format in text binary bare crlf; do
  release "$format" "$work/archives/main.tar.gz" "$format"
done
mv "$srv/text" "$srv/good"
release flat "$work/archives/flat.tar.gz" text
release badsum "$work/archives/main.tar.gz" wrong
release othername "$work/archives/main.tar.gz" other
release nosum "$work/archives/main.tar.gz" none
release garbagesum "$work/archives/main.tar.gz" garbage
release wrongversion "$work/archives/wrongversion.tar.gz" text
release nobin "$work/archives/nobin.tar.gz" text
release corrupt "$work/archives/corrupt.tar.gz" text

# --- 1. good archive: downloaded, verified, installed, and the server answers initialize.
stdin="$work/initialize.jsonl" run good "$p_curl" "$http/good"
succeeded
has "downloading cf-scale $v for $target from $http/good/v$v/$name"
has "checksum ok: sha256 $good_sum"
installed
served_mcp
ok "good archive: installed $data/bin/$v/cf-scale and served initialize"

before=$(requests)
keep_data=1 stdin="$work/initialize.jsonl" run good "$p_curl" "$http/good"
succeeded
lacks "downloading"
[ ! -s "$err" ] || fail "$case (cached): the launcher said something: $(cat "$err")"
[ "$(requests)" = "$before" ] || fail "$case (cached): the launcher made HTTP requests"
served_mcp
ok "good archive, second start: the cached binary, no download"

for format in binary bare crlf flat; do
  run "$format" "$p_curl" "$http/$format"
  succeeded
  installed
  ok "good archive ($format): installed"
done
run wget "$p_wget" "$http/good"
succeeded
has "downloading cf-scale $v for $target"
installed
ok "good archive with wget instead of curl: installed"
run shasum "$p_shasum" "$http/good"
succeeded
installed
ok "good archive with shasum instead of sha256sum: installed"

# --- 2. bad checksum, and other unverifiable downloads.
run badsum "$p_curl" "$http/badsum"
gave_up
has "checksum mismatch for $name: expected $bad_sum got $good_sum; removed the download"
left_nothing
ok "bad checksum: refused and removed, final error"

run othername "$p_curl" "$http/othername"
gave_up
has "$name.sha256 is the checksum of cf-scale-other.tar.gz, not of $name; removed the download"
left_nothing
ok "checksum of another file: refused and removed"

run nosum "$p_curl" "$http/nosum"
gave_up
has "could not download $http/nosum/v$v/$name.sha256"
has "refusing a download without its checksum; removed it"
left_nothing
ok "no checksum published: refused and removed"

run garbagesum "$p_curl" "$http/garbagesum"
gave_up
has "$name.sha256 holds no SHA-256; removed the download"
left_nothing
ok "unreadable checksum: refused and removed"

before=$(requests)
run nosha "$p_nosha" "$http/good"
gave_up
has "neither sha256sum nor shasum found to verify a download; not downloading"
[ "$(requests)" = "$before" ] || fail "$case: downloaded although it cannot verify"
left_nothing
ok "no sha256sum or shasum: no download"

run nodl "$p_nodl" "$http/good"
gave_up
has "neither curl nor wget found; not downloading"
left_nothing
ok "no curl or wget: no download"

# --- a verified archive whose binary is not the plugin's version, or is missing, or won't unpack.
run wrongversion "$p_curl" "$http/wrongversion"
gave_up
has "checksum ok"
has "the cf-scale in $name reports 'cf-scale 9.9.9', not 'cf-scale $v'; removed it"
left_nothing
ok "binary of the wrong version: refused and removed"

run nobin "$p_curl" "$http/nobin"
gave_up
has "no cf-scale binary in $name; removed it"
left_nothing
ok "archive without cf-scale: refused and removed"

run corrupt "$p_curl" "$http/corrupt"
gave_up
has "could not unpack $name"
left_nothing
ok "truncated archive: refused and removed"

# --- 4. no network: nothing listens on the port.
for dl in curl wget; do
  p=$p_curl
  [ "$dl" = curl ] || p=$p_wget
  run "nonet-$dl" "$p" "http://127.0.0.1:$closed_port"
  gave_up
  has "could not download http://127.0.0.1:$closed_port/v$v/$name"
  if [ "$dl" = curl ]; then has "(7)"; else has "network failure"; fi
  [ "$elapsed" -lt 15 ] || fail "$case: took ${elapsed}s"
  left_nothing
  ok "no network ($dl): reported in ${elapsed}s, final error"
done

# --- a server that accepts connections and never answers: SIGTERM stops the launcher at once,
# and it stops its download and removes it.
python3 -u -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1]); time.sleep(600)' >"$work/stall.out" &
stall_pid=$!
stall_port=
for _ in $(seq 100); do
  stall_port=$(cat "$work/stall.out")
  [ -z "$stall_port" ] || break
  sleep 0.1
done
[ -n "$stall_port" ] || fail "the stalling server did not start"
case=signal
data="$work/data/$case"
err="$work/out/$case.stderr"
out="$work/out/$case.stdout"
env -i HOME="$work/home" PATH="$p_curl" CLAUDE_PLUGIN_ROOT="$root" CLAUDE_PLUGIN_DATA="$data" \
  CF_SCALE_RELEASE_BASE="http://127.0.0.1:$stall_port" "$launcher" </dev/null >"$out" 2>"$err" &
launcher_pid=$!
for _ in $(seq 100); do
  if grep -q downloading "$err" && [ -n "$(find "$data" -name '.cf-scale-tmp.*' 2>/dev/null)" ]; then break; fi
  sleep 0.1
done
has "downloading cf-scale $v for $target from http://127.0.0.1:$stall_port/"
sleep 0.5 # let curl connect and wait for an answer
kill -TERM "$launcher_pid"
start=$SECONDS
rc=0
for _ in $(seq 50); do
  kill -0 "$launcher_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$launcher_pid" 2>/dev/null; then
  kill -KILL "$launcher_pid"
  fail "$case: the launcher was still running 5 s after SIGTERM"
fi
wait "$launcher_pid" || rc=$?
[ "$rc" -eq 143 ] || fail "$case: exit code $rc after SIGTERM, expected 143"
left_nothing
if pgrep -f "127.0.0.1:$stall_port/" >/dev/null 2>&1; then fail "$case: curl is still running"; fi
ok "SIGTERM during a download: stopped in $((SECONDS - start))s, download removed"

# --- the order of the steps.
before=$(requests)
run optout "$p_curl" "$http/good" CF_SCALE_NO_DOWNLOAD=1
gave_up
has "CF_SCALE_NO_DOWNLOAD is set: not downloading"
[ "$(requests)" = "$before" ] || fail "$case: downloaded although told not to"
ok "CF_SCALE_NO_DOWNLOAD=1: no download"

mkdir -p "$work/data/stale/bin/$v"
printf '%s\n' "$old_script" >"$work/data/stale/bin/$v/cf-scale"
chmod +x "$work/data/stale/bin/$v/cf-scale"
mkdir "$work/data/stale/.cf-scale-tmp.abandoned"
touch -d '2 days ago' "$work/data/stale/.cf-scale-tmp.abandoned"
keep_data=1 run stale "$p_curl" "$http/good"
succeeded
has "ignoring $data/bin/$v/cf-scale: it reports 'cf-scale 0.0.1', not 'cf-scale $v'"
installed
ok "a cached binary of another version: replaced by the download; an abandoned download removed"

run path-old "$f_old:$p_curl" "$http/good"
succeeded
has "ignoring $f_old/cf-scale: it reports 'cf-scale 0.0.1', not 'cf-scale $v'"
installed
ok "cf-scale of another version on PATH: ignored, downloaded"

run path-broken "$f_broken:$p_curl" "$http/good"
succeeded
has "ignoring $f_broken/cf-scale: it does not report a version, not 'cf-scale $v'"
installed
ok "a broken cf-scale on PATH: ignored, downloaded"

before=$(requests)
stdin="$work/initialize.jsonl" run path-right "$f_right:$p_curl" "$http/good"
succeeded
served_mcp
[ "$(requests)" = "$before" ] || fail "$case: downloaded although cf-scale $v is on PATH"
left_nothing
ok "cf-scale $v on PATH: used, no download"

before=$(requests)
stdin="$work/initialize.jsonl" run bin-env "$p_curl" "$http/good" CF_SCALE_BIN="$bin"
succeeded
served_mcp
[ "$(requests)" = "$before" ] || fail "$case: downloaded although CF_SCALE_BIN is set"
ok "CF_SCALE_BIN: used, no download"

rm -f "$work/cargo.calls"
run cargo-after-download "$f_cargo:$p_curl" "$http/good"
succeeded
installed
[ ! -e "$work/cargo.calls" ] || fail "$case: cargo ran although the download worked"
ok "download before cargo: cargo not run"

stdin="$work/initialize.jsonl" run cargo-build "$f_cargo:$p_curl" "$http/badsum"
succeeded
has "checksum mismatch"
has "building cf-scale $v from $root with cargo"
grep -q -- "--path $root --root $data/.cf-scale-tmp." "$work/cargo.calls" ||
  fail "$case: cargo was called as $(cat "$work/cargo.calls")"
installed
served_mcp
ok "failed download, then cargo: built into $data/bin/$v/cf-scale"

run cargo-fails "$f_cargo_fails:$p_curl" "$http/missing"
gave_up
has "error: could not compile cf-scale"
has "the build failed (see above)"
left_nothing
ok "failed download, failed build: final error, nothing left"

# --- target names for other hosts (fake uname and sysctl; the archives are missing).
while read -r s m arm64 want_target; do
  [ "$arm64" != - ] || arm64=
  case_path="$(fake_uname "$s" "$m" "$arm64"):$p_curl"
  run "target-$s-$m" "$case_path" "$http/missing"
  gave_up
  if [ "$want_target" = - ]; then
    has "no prebuilt cf-scale for $s $m; not downloading"
    lacks "downloading cf-scale"
    lacks "download cf-scale-"
  else
    has "download cf-scale-$want_target.tar.gz and its .sha256 from $http/missing/v$v/,"
    has "downloading cf-scale $v for $want_target from $http/missing/v$v/cf-scale-$want_target.tar.gz"
  fi
done <<'EOF'
Linux x86_64 - x86_64-unknown-linux-musl
Linux amd64 - x86_64-unknown-linux-musl
Linux aarch64 - aarch64-unknown-linux-musl
Linux arm64 - aarch64-unknown-linux-musl
Darwin x86_64 - x86_64-apple-darwin
Darwin x86_64 1 aarch64-apple-darwin
Darwin arm64 - aarch64-apple-darwin
Linux armv7l - -
Linux riscv64 - -
FreeBSD amd64 - -
EOF
ok "target names for Linux and macOS on x86_64 and aarch64; none elsewhere"

printf '\ne2e-launcher: all checks passed\n'
