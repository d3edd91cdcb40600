// Benchmarks: `npm run bench` (builds first). Writes bench/results/*.json and prints Markdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runRoundTrips } from './roundtrip.mjs';

const results = await runRoundTrips();
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/lox24-roundtrip.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log(results.markdown);
