#!/usr/bin/env bash
# Packs polyverify, installs the tarball in an empty folder, and uses it the way a user
# would: ESM import and CommonJS require() of every entry, a whole flow against the
# packaged simulator, and error class names as built (bundlers may rename classes).
# NODE=/path/to/node runs all of it (npm install included) under that Node.
set -euo pipefail
if [ -n "${NODE:-}" ]; then export PATH="$(dirname "$NODE"):$PATH"; fi
echo "tarball check on node $(node --version)"
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" >/dev/null

cat > esm.mjs <<'JS'
import { TimeoutError, ValidationError, isVerifyError, sumCosts } from 'polyverify';
import { lox24 } from 'polyverify/lox24';
import { notificore } from 'polyverify/notificore';
import { messagebird } from 'polyverify/messagebird';
import { twilio } from 'polyverify/twilio';
import { startSimulator } from 'polyverify/testing';
const sim = await startSimulator('lox24');
const verify = lox24({ token: sim.token, secret: 'tarball-check-secret', baseUrl: sim.url });
const v = await verify.start({ to: '+491701234567' });
const result = await verify.check(v.id, sim.lastCode(v.id));
await sim.close();
if (!result.verified) throw new Error('flow failed');
const nsim = await startSimulator('notificore');
const nc = notificore({ apiKey: nsim.apiKey, sender: 'MyApp', templateId: 1, baseUrl: nsim.url });
const a = await nc.start({ to: '+61401629754' });
const ncResult = await nc.check(a.id, nsim.lastCode(a.id));
await nsim.close();
if (!ncResult.verified) throw new Error('notificore flow failed');
const bsim = await startSimulator('messagebird');
const bird = messagebird({ accessKey: bsim.accessKey, workspaceId: bsim.workspaceId, baseUrl: bsim.url, channels: { sms: { navigatorId: bsim.ids.smsNavigatorId } } });
const b = await bird.start({ to: '+31612345678' });
const birdResult = await bird.check(b.id, bsim.lastCode(b.id));
await bsim.close();
if (!birdResult.verified) throw new Error('bird flow failed');
const tsim = await startSimulator('twilio');
const tw = twilio({ ...tsim.credentials, baseUrl: tsim.url });
const t = await tw.start({ to: '+14155552671' });
const twResult = await tw.check(t.id, tsim.lastCode(t.id));
await tsim.close();
if (!twResult.verified) throw new Error('twilio flow failed');
if (new TimeoutError('x', { provider: 'p', operation: 'get' }).name !== 'TimeoutError') throw new Error('class name changed in the build');
const error = await verify.get('bad').catch((e) => e);
if (!(error instanceof ValidationError) || !isVerifyError(error)) throw new Error('typed errors broken');
if (sumCosts([{ cost: { amount: '1.20', currency: 'EUR' } }]).totals[0].amount !== '1.20') throw new Error('money broken');
console.log('esm import: ok');
JS
node esm.mjs

cat > cjs.cjs <<'JS'
const core = require('polyverify');
const { lox24 } = require('polyverify/lox24');
const { notificore } = require('polyverify/notificore');
const { messagebird } = require('polyverify/messagebird');
const { twilio } = require('polyverify/twilio');
const { startSimulator } = require('polyverify/testing');
if (typeof core.isVerifyError !== 'function' || typeof lox24 !== 'function' || typeof notificore !== 'function' || typeof messagebird !== 'function' || typeof twilio !== 'function' || typeof startSimulator !== 'function') {
  throw new Error('require() of the package is missing exports');
}
lox24({ token: 't', secret: 'tarball-check-secret' });
console.log('cjs require: ok');
JS
node --no-warnings cjs.cjs
# polyverify/otel: without its optional peer @opentelemetry/api, a sentence that says what to install;
# with it, spans of a whole flow (the API's no-op tracer unless an SDK is registered: nothing breaks).
cat > otel-missing.mjs <<'JS'
const error = await import('polyverify/otel').then(() => undefined, (e) => e);
if (!error || !error.message.startsWith('polyverify/otel needs the @opentelemetry/api package')) throw new Error(`expected a clear error, got ${error}`);
console.log('otel without @opentelemetry/api: clear error: ok');
JS
node otel-missing.mjs
npm install --silent --no-audit --no-fund @opentelemetry/api@1 >/dev/null
cat > otel.mjs <<'JS'
import { tracingChannel } from 'node:diagnostics_channel';
import { instrument } from 'polyverify/otel';
import { lox24 } from 'polyverify/lox24';
import { startSimulator } from 'polyverify/testing';
const seen = [];
const listener = { asyncEnd: (context) => seen.push(`${context.operation} ${context.provider} ${context.country}`) };
tracingChannel('polyverify:start').subscribe(listener);
const otel = instrument();
const sim = await startSimulator('lox24');
const verify = lox24({ token: sim.token, secret: 'tarball-check-secret', baseUrl: sim.url });
const v = await verify.start({ to: '+491701234567' });
const result = await verify.check(v.id, sim.lastCode(v.id));
await sim.close();
otel.close();
if (!result.verified || seen.join() !== 'start lox24 DE') throw new Error(`otel flow: ${seen.join()}`);
console.log('otel with @opentelemetry/api: ok');
JS
node otel.mjs
# TypeScript in a CommonJS project: `module: nodenext` types require() of the package (README).
cat > typed.cts <<'TS'
import { isVerifyError, type VerifyProvider } from 'polyverify';
import { lox24 } from 'polyverify/lox24';
const provider: VerifyProvider = lox24({ token: 't', secret: 'tarball-check-secret' });
export const checked: boolean = isVerifyError(provider);
TS
"$root/node_modules/.bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext --skipLibCheck typed.cts && echo 'typescript commonjs (nodenext): ok'
./node_modules/.bin/polyverify --help >/dev/null && echo 'bin: ok'
version=$(node -p "require('./node_modules/polyverify/package.json').version")
[ "$(./node_modules/.bin/polyverify --version)" = "polyverify $version" ] && echo 'bin --version: ok'
[ -f node_modules/polyverify/LICENSE ] && echo 'LICENSE: ok'
# Pipes closed early end the command quietly (no EPIPE trace, exit 0).
[ -z "$(./node_modules/.bin/polyverify demo --html "$work/demo.html" 2>&1 >/dev/null | head -c 1)" ]
out=$(./node_modules/.bin/polyverify demo --html "$work/demo.html" 2>"$work/err" | head -1)
[ ! -s "$work/err" ] && echo 'closed pipe: ok'
# createProvider loads adapters by the package's own name: only a real install proves it.
./node_modules/.bin/polyverify demo --html "$work/demo.html" | grep -q '^done:' && echo 'installed demo: ok'
