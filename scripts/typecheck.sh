#!/usr/bin/env bash
# Type-checks TypeScript with tsc --strict against @cloudflare/workers-types (pinned, installed
# into a cache outside the checkout):
#   - the code every shard_plan fixture in tests/fixtures/shard/ generates;
#   - every ```ts block of skills/scale/references/*.md, each as its own module.
# Usage: scripts/typecheck.sh [path/to/cf-scale]   (default: target/release/cf-scale)
set -euo pipefail

TYPESCRIPT_VERSION=5.9.3
WORKERS_TYPES_VERSION=5.20261117.1
AWS4FETCH_VERSION=1.0.20 # signs R2 presigned URLs in references/memory.md
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
bin=${1:-$root/target/release/cf-scale}
cache=${CF_SCALE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cf-scale-e2e}
tools="$cache/tsc-$TYPESCRIPT_VERSION-workers-types-$WORKERS_TYPES_VERSION-aws4fetch-$AWS4FETCH_VERSION"

if ! [ -x "$tools/node_modules/.bin/tsc" ] || ! [ -d "$tools/node_modules/aws4fetch" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
    "typescript@$TYPESCRIPT_VERSION" "@cloudflare/workers-types@$WORKERS_TYPES_VERSION" \
    "aws4fetch@$AWS4FETCH_VERSION"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
ln -s "$tools/node_modules" "$work/node_modules"
cat >"$work/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "es2022", "module": "esnext", "moduleResolution": "bundler", "lib": ["es2022"],
    "types": ["@cloudflare/workers-types"], "strict": true, "noEmit": true, "skipLibCheck": true
  },
  "include": ["src/**/*.ts"]
}
JSON

count=0
for fixture in "$root"/tests/fixtures/shard/*.json; do
  name=$(basename "$fixture" .json)
  "$bin" shard --input "$fixture" --format json |
    python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["code"]["typescript"])' \
      >"$work/src/plan_$name.ts"
  count=$((count + 1))
done

python3 - "$root/skills/scale/references" "$work/src" <<'PY'
import pathlib, re, sys
refs, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for md in sorted(refs.glob("*.md")):
    for i, block in enumerate(re.findall(r"^```(?:ts|typescript)\n(.*?)^```", md.read_text(), re.S | re.M)):
        # Each block is its own module, so names in different blocks do not collide. A block
        # that starts with "// some/path.ts" is written there, so examples spanning several
        # Workers can import each other by relative path.
        named = re.match(r"// ([\w./-]+\.ts)\b", block)
        path = out / f"ref_{md.stem}" / (named.group(1) if named else f"block_{i}.ts")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block + "\nexport {};\n")
        n += 1
print(f"{n} reference blocks")
PY

echo "type-checking $count generated plans and the reference blocks"
(cd "$work" && node_modules/.bin/tsc -p tsconfig.json)
echo "typecheck: all TypeScript compiles"
