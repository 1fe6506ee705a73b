#!/usr/bin/env bash
# The model-view test: what the model actually receives from cf-scale in Claude Code.
#
# The pinned Claude Code CLI (scripts/model-view/package.json) runs `-p` with the plugin loaded
# in place (`--plugin-dir .`) against a scripted stand-in for the Messages API on 127.0.0.1
# (scripts/model-view/messages-api.mjs). The script loads every cf-scale tool through ToolSearch,
# calls each with realistic arguments (the example project, the saas profile, every shard
# strategy, a Wrangler config), then ends. scripts/model-view/check.mjs reads the request bodies
# Claude Code sent and checks, with the Claude tokenizer: every tool is sent to the model and
# none skipped; each definition and each answer is within its budget; each answer begins with
# its summary; no number is in exponent notation; no valid call is an error. It prints the token
# table that README shows (also written to $CF_SCALE_MODEL_VIEW_TABLE when set).
#
#   bash scripts/e2e-model.sh [BINARY]      (default: target/release/cf-scale, built if missing)
#
# Needs node, npm and python3; reaches only the npm registry (once: the pinned tools are cached
# outside the checkout). Loopback only, at most 5 minutes, and the stand-in server is stopped on
# every exit path.
set -euo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
bin=${1:-$root/target/release/cf-scale}
prefix=mcp__plugin_cloudflare-scale_cf-scale__

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'e2e-model: FAILED: %s\n' "$*" >&2; exit 1; }

if ! [ -x "$bin" ]; then
  step "building the release binary"
  cargo build --release --locked --manifest-path "$root/Cargo.toml"
fi
bin=$(CDPATH='' cd -- "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")

step "pinned tools (scripts/model-view/package-lock.json)"
lock_hash=$(sha256sum "$root/scripts/model-view/package-lock.json" | cut -c1-16)
tools="$cache/model-view-$lock_hash"
if ! [ -x "$tools/node_modules/.bin/claude" ] || ! [ -d "$tools/node_modules/@anthropic-ai/tokenizer" ]; then
  rm -rf "$tools"
  mkdir -p "$tools"
  cp "$root/scripts/model-view/package.json" "$root/scripts/model-view/package-lock.json" "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
claude="$tools/node_modules/.bin/claude"
"$claude" --version

work=$(mktemp -d)
api_pid=
cleanup() {
  if [ -n "$api_pid" ]; then kill -TERM "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "the tools cf-scale lists, and the script that calls each"
python3 - "$bin" "$work/expected.json" <<'PY'
import json, subprocess, sys
binary, out = sys.argv[1:]
p = subprocess.Popen([binary, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
def send(m):
    p.stdin.write(json.dumps(m) + "\n"); p.stdin.flush()
def answer(i):
    while True:
        m = json.loads(p.stdout.readline())
        if m.get("id") == i:
            return m
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e-model", "version": "1"}}})
answer(1)
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
names = [t["name"] for t in answer(2)["result"]["tools"]]
p.stdin.close(); p.wait(timeout=10)
json.dump(names, open(out, "w"))
print("tools/list:", ", ".join(names))
PY
# The example usage documents go where the server's working directory will be, so that
# import_usage reads them by path as a user's agent would after saving the API's answers.
mkdir -p "$work/project/usage"
cp "$root"/examples/usage/*.json "$work/project/usage/"
cp -r "$root/examples/app" "$work/project/app"
(cd "$work/project" && "$bin" usage import usage/*.json --start 2026-11-24 --end 2026-11-30 --format json >"$work/imported.json" 2>/dev/null)
python3 - "$root" "$prefix" "$work/script.json" "$work/imported.json" <<'PY'
import glob, json, os, sys, tomllib
root, prefix, out, imported = sys.argv[1:]
toml = lambda p: tomllib.load(open(f"{root}/{p}", "rb"))
fixture = lambda p: json.load(open(f"{root}/tests/fixtures/{p}"))
calls = [
    {"tool": "recommend_scaling", "label": "examples/project.toml", "input": toml("examples/project.toml"), "budget": 1500},
    {"tool": "estimate_cost", "label": "examples/saas.toml", "input": toml("examples/saas.toml"), "budget": 800},
]
for name in ["kv_key", "d1_time_monthly", "d1_tenant", "durable_object", "queue"]:
    calls.append({"tool": "shard_plan", "label": name, "input": fixture(f"shard/{name}.json"), "budget": 1200})
calls.append({"tool": "analyze_config", "label": "full.jsonc",
              "input": {"content": open(f"{root}/tests/fixtures/wrangler/full.jsonc").read(), "stale_before": "2026-01-01"},
              "budget": 1200})
paths = sorted("usage/" + os.path.basename(p) for p in glob.glob(f"{root}/examples/usage/*.json"))
calls.append({"tool": "import_usage", "label": "examples/usage (7 days, by path)",
              "input": {"paths": paths, "start": "2026-11-24", "end": "2026-11-30"}, "budget": 1500})
calls.append({"tool": "recommend_scaling", "label": "usage: the import",
              "input": {"usage": json.load(open(imported))}, "budget": 1500})
calls.append({"tool": "analyze_project", "label": "examples/app (by path)",
              "input": {"path": "app", "table_rows": {"links": 500000}}, "budget": 1500})
calls.append({"tool": "recommend_scaling", "label": "project: examples/app",
              "input": {"project": "app", "requests_per_day": 2000000}, "budget": 1500})
json.dump({"prefix": prefix, "calls": calls}, open(out, "w"))
print(f"{len(calls)} calls")
PY

step "the stand-in Messages API on 127.0.0.1"
node "$root/scripts/model-view/messages-api.mjs" "$work/script.json" "$work/requests.jsonl" "$work/port" &
api_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the stand-in API did not start"
port=$(cat "$work/port")
echo "listening on 127.0.0.1:$port"

step "claude -p --plugin-dir . (throwaway HOME, the stand-in API)"
allowed=$(python3 -c 'import json,sys; print(",".join(sys.argv[1] + n for n in json.load(open(sys.argv[2]))))' "$prefix" "$work/expected.json")
mkdir -p "$work/home" "$work/project"
set +e
(cd "$work/project" && HOME="$work/home" ANTHROPIC_BASE_URL="http://127.0.0.1:$port" \
  ANTHROPIC_API_KEY=sk-ant-stand-in CF_SCALE_BIN="$bin" CF_SCALE_NO_DOWNLOAD=1 \
  DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 \
  timeout 300 "$claude" -p "Review my Cloudflare project's scaling and cost with the cf-scale tools." \
    --plugin-dir "$root" --debug --allowedTools "$allowed" </dev/null >"$work/claude.out" 2>"$work/claude.err")
rc=$?
set -e
echo "claude exited $rc; $(wc -l <"$work/requests.jsonl") requests to the stand-in API"
if [ "$rc" -ne 0 ]; then
  tail -n 20 "$work/claude.err" >&2
  fail "claude -p exited $rc"
fi
cat "$work/claude.out"

step "what the model received"
debug="$work/home/.claude/debug"
[ -d "$debug" ] || fail "no debug log under $debug"
# The checker imports the pinned tokenizer: run it beside the pinned node_modules.
cp "$root/scripts/model-view/check.mjs" "$work/check.mjs"
ln -s "$tools/node_modules" "$work/node_modules"
node "$work/check.mjs" "$work/script.json" "$work/requests.jsonl" "$debug" "$work/expected.json" \
  "${CF_SCALE_MODEL_VIEW_TABLE:-}"
