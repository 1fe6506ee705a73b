#!/usr/bin/env bash
# Real MCP clients against `cf-scale serve` on stdio:
#   1. the official Python SDK (scripts/clients/python_client.py, pinned in requirements.txt): every
#      tool called with realistic arguments in both detail forms, each answer validated by the SDK
#      against the tool's outputSchema, the tool references and prompts listed and read;
#   2. the MCP Inspector CLI (pinned in scripts/clients/package.json): tools/list, a tools/call,
#      a resources/read of a tool reference, prompts/list.
#
#   bash scripts/e2e-clients.sh [BINARY]      (default: target/release/cf-scale)
#
# Needs node, npm and python3; reaches only the npm registry and PyPI (once: the pinned tools are
# cached outside the checkout, beside scripts/e2e.sh's).
set -euo pipefail

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
bin=${1:-$root/target/release/cf-scale}
[ -x "$bin" ] || { echo "e2e-clients: no cf-scale at $bin (cargo build --release --locked)" >&2; exit 1; }

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'e2e-clients: FAILED: %s\n' "$*" >&2; exit 1; }

step "Python SDK ($(cat "$root/scripts/clients/requirements.txt"))"
py_dir="$cache/py-mcp-$(sha256sum "$root/scripts/clients/requirements.txt" | cut -c1-16)"
if ! [ -x "$py_dir/bin/python" ] || ! "$py_dir/bin/python" -c 'import mcp' 2>/dev/null; then
  rm -rf "$py_dir"
  python3 -m venv "$py_dir"
  "$py_dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/scripts/clients/requirements.txt"
fi
timeout 120 "$py_dir/bin/python" "$root/scripts/clients/python_client.py" "$bin" "$root"

step "MCP Inspector CLI (scripts/clients/package-lock.json)"
inspector_dir="$cache/inspector-$(sha256sum "$root/scripts/clients/package-lock.json" | cut -c1-16)"
if ! [ -x "$inspector_dir/node_modules/.bin/mcp-inspector" ]; then
  rm -rf "$inspector_dir"
  mkdir -p "$inspector_dir"
  cp "$root/scripts/clients/package.json" "$root/scripts/clients/package-lock.json" "$inspector_dir/"
  (cd "$inspector_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
inspect() { timeout 60 "$inspector_dir/node_modules/.bin/mcp-inspector" --cli "$bin" serve "$@" 2>/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

inspect --method tools/list >"$work/tools.json" || fail "inspector tools/list"
python3 - "$work/tools.json" <<'PY' || fail "inspector tools/list: unexpected tools"
import json, sys
tools = {t["name"]: t for t in json.load(open(sys.argv[1]))["tools"]}
need = {"recommend_scaling", "estimate_cost", "shard_plan", "analyze_config", "import_usage", "analyze_project"}
assert need <= set(tools), sorted(tools)
for t in tools.values():
    s = t["inputSchema"]
    assert s["type"] == "object" and not {"oneOf", "anyOf", "allOf"} & set(s), t["name"]
    assert "outputSchema" in t, t["name"]
print("inspector tools/list:", ", ".join(sorted(tools)))
PY

inspect --method tools/call --tool-name estimate_cost \
  --tool-arg 'workers={"requests":100000000,"cpu_ms_per_request":7}' >"$work/call.json" ||
  fail "inspector tools/call"
python3 - "$work/call.json" <<'PY' || fail "inspector tools/call: unexpected answer"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["structuredContent"]
assert list(s)[0] == "summary" and s["total_usd"] == 45.4, s
assert not r.get("isError"), r
print("inspector tools/call estimate_cost:", s["summary"])
PY

inspect --method resources/read --uri scale://docs/tools/shard_plan >"$work/doc.json" ||
  fail "inspector resources/read"
grep -q 'strategy `kv_key`' "$work/doc.json" || fail "inspector resources/read: no shard_plan reference"
echo "inspector resources/read scale://docs/tools/shard_plan: ok"

inspect --method prompts/list >"$work/prompts.json" || fail "inspector prompts/list"
grep -q '"scaling_review"' "$work/prompts.json" || fail "inspector prompts/list: no scaling_review"
echo "inspector prompts/list: ok"

printf '\ne2e-clients: all checks passed\n'
