// Benchmarks: `npm run bench` (builds first). Writes bench/results/*.json and prints Markdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runListing } from './listing.mjs';
import { runRoundTrips } from './roundtrip.mjs';

const only = process.argv[2];
const benches = { roundtrip: runRoundTrips, listing: runListing };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  const results = await run();
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), JSON.stringify(results, null, 2) + '\n');
  console.log(results.markdown + '\n');
}
