#!/usr/bin/env node
// npm run mutate [-- FILE...]: StrykerJS over stryker.config.json, or over the files named.
import { spawnSync } from 'node:child_process';

const files = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('-'));
const args = ['stryker', 'run', ...(files.length ? ['--mutate', files.join(',')] : []), ...flags];
const result = spawnSync('npx', args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
