#!/usr/bin/env bash
# The runtime matrix: the packed tarball installed as a user would, and the same scenario
# (scripts/runtimes/scenario.mjs: every vendor against its simulator, createProvider,
# listAcross, failover past a refused connection, guard, test numbers, the User-Agent) run on
# Node, Bun and Deno. Bun and Deno come from the npm registry (their packages carry the
# binaries); a runtime that cannot be installed fails the check, loudly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && mkdir runtimes app && cd runtimes && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error bun@1.4.4 deno@2.9.6 >/dev/null) || { echo "cannot install bun and deno from the npm registry" >&2; exit 1; }
bun="$work/runtimes/node_modules/.bin/bun"
deno="$work/runtimes/node_modules/.bin/deno"
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "../$tarball" >/dev/null
cp "$root/scripts/runtimes/scenario.mjs" .
status=0
for runtime in node bun deno; do
  case $runtime in
    node) cmd=(node scenario.mjs); version=$(node --version) ;;
    bun) cmd=("$bun" scenario.mjs); version=$("$bun" --version) ;;
    deno) cmd=("$deno" run -A scenario.mjs); version=$("$deno" --version | head -1) ;;
  esac
  echo "== $runtime $version"
  if ! "${cmd[@]}" > "$work/$runtime.log" 2>&1; then status=1; cat "$work/$runtime.log"; else grep -v '^ok' "$work/$runtime.log"; fi
done
exit $status
