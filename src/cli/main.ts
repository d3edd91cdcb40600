#!/usr/bin/env node
/**
 * The `polyverify` command.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad arguments.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isVerifyError } from '../errors.js';
import { runDemo } from './demo.js';

const USAGE = `usage: polyverify <command> [options]

commands:
  demo      run the main flow on the built-in LOX24 simulator (no credentials)
  help      show this help

options:
  -h, --help   show help for a command
  --debug      print stack traces of errors

exit codes: 0 success, 1 the operation failed, 2 bad arguments`;

const HELP: Record<string, string> = {
  demo: `usage: polyverify demo [--debug]

Starts the LOX24 simulator on 127.0.0.1 and walks through a verification: start, the code
from the simulator's inbox, a wrong and a right check, a replay, get, expiry, the list and
the exact cost total. Needs no credentials and exits 0 when every step worked.`,
};

export async function main(argv: string[], out = (line: string) => console.log(line), err = (line: string) => console.error(line)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } },
    });
  } catch (error) {
    err(`polyverify: ${(error as Error).message}`);
    err(USAGE.split('\n')[0]!);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  if (!(command in HELP)) {
    err(`polyverify: unknown command '${command}'`);
    err(USAGE.split('\n')[0]!);
    return 2;
  }
  if (parsed.values.help) {
    out(HELP[command]!);
    return 0;
  }
  if (rest.length > 0) {
    err(`polyverify ${command}: unexpected argument '${rest[0]}'`);
    err(HELP[command]!.split('\n')[0]!);
    return 2;
  }
  try {
    await runDemo(out);
    return 0;
  } catch (error) {
    const message = isVerifyError(error) ? `${error.name}: ${error.message}` : (error as Error).message;
    err(`polyverify ${command}: ${message}`);
    if (parsed.values.debug && error instanceof Error && error.stack) err(error.stack);
    return 1;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
