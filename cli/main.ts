#!/usr/bin/env node
/**
 * The `polyverify` command.
 *
 * Exit codes: 0 success; 1 an unexpected failure; 2 bad arguments or input; 3 configuration;
 * 4 credentials refused; 5 not found; 6 refused by the vendor (funds, rules, unsupported);
 * 7 rate limited; 8 vendor (or the Redis store) unreachable or failing; 9 `check`: the code was not verified.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isVerifyError, type VerifyError } from '../src/errors.js';
import { VERSION } from '../src/version.js';
import { UsageError, closeOpened, type Io } from './context.js';
import { COMMANDS, commandHelp, usage } from './commands.js';

/** The exit code of a failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (!isVerifyError(error)) return 1;
  switch (error.code) {
    case 'validation':
      return error.operation === 'config' ? 3 : 2;
    case 'authentication':
    case 'permission':
      return 4;
    case 'not_found':
      return 5;
    case 'rejected':
    case 'insufficient_funds':
    case 'unsupported':
      return 6;
    case 'rate_limited':
      return 7;
    default:
      return 8;
  }
}

/** What to do about an error, in a few words. */
function advice(error: VerifyError): string {
  switch (error.code) {
    case 'validation':
      return error.operation === 'config' ? 'fix the configuration' : 'fix the input (see --help)';
    case 'authentication':
    case 'permission':
      return 'check the credentials and the account';
    case 'not_found':
      return 'check the id';
    case 'insufficient_funds':
      return 'top up the account';
    case 'rate_limited':
      return 'wait, then try again';
    case 'unsupported':
      return "this vendor has no such operation (see the provider's capabilities)";
    case 'store_unavailable':
      return 'check the Redis server (--redis or POLYVERIFY_REDIS_URL), then try again';
    default:
      return error.sent === 'maybe' ? 'a message may have gone out: use get before starting again' : 'try again later';
  }
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? io.err : io.out)(usage());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.out(`polyverify ${VERSION}`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    io.err(`polyverify: unknown command '${command}'`);
    io.err(usage().split('\n')[0]!);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`polyverify ${command}: ${error.message}`);
      io.err(`usage: ${entry.usage}  (polyverify ${command} --help for every option)`);
      return 2;
    }
    const message = isVerifyError(error) ? `${error.name}: ${error.message} — ${advice(error)}` : `${(error as Error).name}: ${(error as Error).message}`;
    io.err(`polyverify ${command}: ${message}`);
    if (rest.includes('--debug') && error instanceof Error && error.stack) io.err(error.stack);
    return exitCodeOf(error);
  } finally {
    await closeOpened();
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
  // A reader that stops early (`polyverify list | head -2`) closes the pipe: that ends the
  // command quietly, as it would end `cat` — what was asked for was read. Any other stream error is real.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
  const io: Io = {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(line.startsWith('\r') ? line : `${line}\n`),
    stdout: process.stdout,
    stderrIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
