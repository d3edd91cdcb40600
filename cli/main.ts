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
import { UsageError, closeOpened, type Io } from './context.js';
import { demo } from './demo.js';
import { costs, list } from './listing.js';
import { cancel, check, failoverCommand, get, resend, start, type Command } from './operations.js';
import { report } from './report.js';
import { simulate } from './simulate.js';

const CONFIG_HELP = `  --config FILE   a provider config (JSON; an array is a failover in order);
                  without it, POLYVERIFY_CONFIG or POLYVERIFY_PROVIDER and its variables
  --redis URL     share state through Redis (LOX24 codes, Notificore's try counts), so
                  check works in another process than start; or POLYVERIFY_REDIS_URL
  --json          machine-readable output
  --debug         stack traces of errors`;

const COMMANDS: Record<string, { run: Command; usage: string; help: string }> = {
  demo: { run: demo, usage: 'polyverify demo [--html FILE]', help: 'Runs the main flow on the built-in LOX24, Notificore and Bird simulators: codes from the inboxes,\nwrong and right checks, a safe failover, the list across vendors, the exact cost summary, and the\nvendor scorecard over seeded history, written as HTML to FILE (polyverify-report.html by default).\nNeeds no credentials; exits 0 when every step worked.' },
  simulate: { run: simulate, usage: 'polyverify simulate [--port N]', help: 'Runs the three simulators on 127.0.0.1 (ports N, N+1, N+2; free ones by default) until Ctrl-C,\nand prints their URLs, the credentials they accept, and a config for --config.' },
  start: { run: start, usage: 'polyverify start (--to PHONE | --email ADDRESS) [--channel C]... [--locale L] [--reference R] [--ttl S] [--max-attempts N] [--code-length N] [--limit-key K]', help: `Starts a verification; prints it (its id is what check, get and the rest take).\n${CONFIG_HELP}` },
  check: { run: check, usage: 'polyverify check ID CODE', help: `Checks a code. Exit 0 when verified, 9 when not (the reason is printed).\n${CONFIG_HELP}` },
  get: { run: get, usage: 'polyverify get ID', help: `Prints a verification.\n${CONFIG_HELP}` },
  cancel: { run: cancel, usage: 'polyverify cancel ID', help: `Cancels a verification, where the vendor can.\n${CONFIG_HELP}` },
  resend: { run: resend, usage: 'polyverify resend ID [--step N]', help: `Sends the code again (on step N, where the vendor lets you choose).\n${CONFIG_HELP}` },
  failover: { run: failoverCommand, usage: 'polyverify failover ID [--step N]', help: `Moves to the next channel now (or to step N).\n${CONFIG_HELP}` },
  list: {
    run: list,
    usage: 'polyverify list [--from DATE] [--to DATE] [--status S] [--channel C] [--phone P] [--reference R] [--id ID]... [--provider NAME] [--format table|json|ndjson|csv] [--out FILE]',
    help: `Lists verifications newest first, across every configured provider or the one named by --provider.\nProgress (records, pages, rate) goes to stderr while an export runs on a terminal.\n${CONFIG_HELP}`,
  },
  report: {
    run: report,
    usage: 'polyverify report --from DATE [--to DATE] [--provider NAME] [--bucket day|hour] [--html FILE] [filters]',
    help: `The vendor scorecard over a window: per provider, country and channel — conversion, time to verify,
delivery failures, exact cost and cost per verified user. A table (or --json) on stdout; --html FILE
writes one self-contained page with charts. Progress goes to stderr on a terminal.
${CONFIG_HELP}`,
  },
  costs: { run: costs, usage: 'polyverify costs --from DATE [--to DATE] [--provider NAME] [filters]', help: `Exact cost totals per provider, channel and currency; costs not final yet are counted apart.\n${CONFIG_HELP}` },
};

const USAGE = `usage: polyverify <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.help.split('\n')[0]}`)
  .join('\n')}

polyverify <command> --help shows a command's options.
exit codes: 0 ok, 1 unexpected, 2 bad arguments, 3 configuration, 4 credentials, 5 not found,
6 refused by the vendor, 7 rate limited, 8 vendor unreachable, 9 check: not verified`;

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
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.err(`polyverify: unknown command '${command}'`);
    io.err(USAGE.split('\n')[0]!);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${entry.usage}\n\n${entry.help}`);
    return 0;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`polyverify ${command}: ${error.message}`);
      io.err(`usage: ${entry.usage}`);
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
