#!/usr/bin/env bash
# The runtime matrix: the packed tarball installed as a user would, and one scenario
# (scripts/runtimes/steps.mjs: every vendor against its simulator — start, wrong and right check,
# get, createProvider —, listAcross, failover past a refused connection, guard, test numbers, the
# User-Agent, no secret in what is shown) run on Node, Bun and Deno in one process each; in
# Cloudflare's workerd as a Worker bundled for the browser platform, without and with
# nodejs_compat; and in Vercel's edge-runtime as an Edge Function. Bun, Deno, workerd and
# edge-runtime come from the npm registry (their packages carry the binaries); a runtime that
# cannot be installed fails the check, loudly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && mkdir runtimes app && cd runtimes && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error bun@1.4.4 deno@2.9.6 workerd@1.20261117.1 >/dev/null) || { echo "cannot install bun, deno and workerd from the npm registry" >&2; exit 1; }
bun="$work/runtimes/node_modules/.bin/bun"
deno="$work/runtimes/node_modules/.bin/deno"
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "../$tarball" edge-runtime@4.0.1 >/dev/null || { echo "cannot install the tarball and edge-runtime" >&2; exit 1; }
cp "$root"/scripts/runtimes/*.mjs .
status=0
run() { # name, command...: prints the failures, or the whole log when the run failed
  local name=$1; shift
  if ! "$@" > "$work/$name.log" 2>&1; then status=1; cat "$work/$name.log"; else grep -v '^ok' "$work/$name.log"; fi
}
run node node scenario.mjs
run bun "$bun" scenario.mjs
run deno "$deno" run -A scenario.mjs
# Bundled as a user's bundler would: esbuild for the browser platform, so no Node built-in can be
# needed. The size goal (<= 60 KB gzipped) is for polyverify + polyverify/lox24 with ky, valibot and
# @noble/hashes; guard() adds libphonenumber's metadata (loaded lazily where the bundle is split).
esbuild="$root/node_modules/.bin/esbuild"
size() { # imports from polyverify, label
  printf "import { %s } from 'polyverify';\nimport { lox24 } from 'polyverify/lox24';\nexport default { fetch: () => Response.json([typeof lox24, typeof %s]) };\n" "$1" "${1%%,*}" > size.mjs
  "$esbuild" size.mjs --bundle --format=esm --platform=browser --minify --outfile=size.js --log-level=error
  echo "bundle: $2, minified: $(node -e "console.log((require('zlib').gzipSync(require('fs').readFileSync('size.js')).length / 1024).toFixed(1))") KB gzipped"
}
size "failover, route, testNumbers, listAcross" "a Worker of polyverify (failover, route, testNumbers, listAcross) + polyverify/lox24"
size "guard, failover" "the same with guard (phone number metadata)"
"$esbuild" worker.mjs --bundle --format=esm --platform=browser --minify --outfile=worker.js --log-level=error
run workerd node workerd.mjs "$work/runtimes/node_modules/.bin/workerd"
"$esbuild" edge-function.mjs --bundle --format=iife --platform=browser --minify --outfile=edge.js --log-level=error
run edge node edge.mjs
# docs/runtimes.md's examples, as a user runs them: the Worker bundled (TypeScript) and served by
# workerd without nodejs_compat, the Deno server type-checked by `deno check` and run by Deno.
cp "$root/examples/cloudflare-worker.ts" "$root/examples/deno.ts" .
"$esbuild" cloudflare-worker.ts --bundle --format=esm --platform=browser --minify --outfile=cloudflare-worker.js --log-level=error
run deno-check "$deno" check deno.ts
run examples node examples.mjs "$work/runtimes/node_modules/.bin/workerd" "$deno"
exit $status
