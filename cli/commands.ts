/**
 * Every command of `polyverify`: what it runs, its one-line summary, its usage, and a line for
 * each flag it takes — the one source of `polyverify --help` and `polyverify <command> --help`
 * (a test checks that each flag a command accepts has its line).
 */
import { CHANNELS, STATUSES } from '../src/validate.js';
import type { ParseArgsConfig } from 'node:util';
import { COMMON_OPTIONS } from './context.js';
import { DEMO_OPTIONS, demo } from './demo.js';
import { COSTS_OPTIONS, LIST_OPTIONS, costs, list } from './listing.js';
import { START_OPTIONS, STEP_OPTIONS, cancel, check, failoverCommand, get, resend, start, type Command } from './operations.js';
import { REPORT_OPTIONS, report } from './report.js';
import { SIMULATE_OPTIONS, simulate } from './simulate.js';

/** One flag's line in a command's help: the flag as typed (with its argument) and what it does. */
export type FlagHelp = readonly [flag: string, description: string];

/** A command of the CLI. */
export interface CommandSpec {
  readonly run: Command;
  /** One line for the command list, a whole sentence. */
  readonly summary: string;
  readonly usage: string;
  /** More about it, for its --help. */
  readonly about?: string;
  readonly flags: readonly FlagHelp[];
  /** What it parses (each has a line in `flags` or the common ones). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether it reads a provider config (and so takes --config, --redis). */
  readonly configured: boolean;
}

const CHANNEL_LIST = CHANNELS.join(', ');

/** The flags of every command that talks to a vendor. */
export const CONFIG_FLAGS: readonly FlagHelp[] = [
  ['--config FILE', 'a provider config as JSON (an array: a failover, in order); without it, POLYVERIFY_CONFIG, or POLYVERIFY_PROVIDER and that vendor’s variables'],
  ['--redis URL', 'share state through Redis (LOX24 codes, Notificore’s try counts, guard limits) so check works in another process than start; or POLYVERIFY_REDIS_URL'],
  ['--redis-prefix P', 'the application’s Redis key prefix (pv:), the same as its own; or POLYVERIFY_REDIS_PREFIX'],
  ['--redis-retain-seconds N', 'how long finished LOX24 codes keep their status (3600); or POLYVERIFY_REDIS_RETAIN_SECONDS'],
];

/** The flags every command takes. */
export const OUTPUT_FLAGS: readonly FlagHelp[] = [
  ['--json', 'machine-readable output: stdout holds JSON only'],
  ['--debug', 'print the stack trace of an error'],
  ['-h, --help', 'this help'],
];

const FILTER_FLAGS: readonly FlagHelp[] = [
  ['--from DATE', 'created at or after DATE (ISO 8601: 2026-11-01 or 2026-11-01T12:00:00Z)'],
  ['--to DATE', 'created before DATE'],
  ['--status S', `only this status: ${STATUSES.join(', ')}`],
  ['--channel C', `only this first channel: ${CHANNEL_LIST}`],
  ['--phone P', 'only this recipient (E.164)'],
  ['--reference R', 'only this reference'],
  ['--id ID', 'only these ids (repeat the flag)'],
  ['--provider NAME', 'only the configured provider of this name (default: all of them, merged newest first)'],
];

const LIMIT_KEY: FlagHelp = ['--limit-key K', 'the client key a config’s guard counts under perKey (default: cli)'];
const STEP: FlagHelp = ['--step N', 'the step of the channel plan to use, counting from 0 (where the vendor lets you choose)'];

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  demo: {
    run: demo,
    options: DEMO_OPTIONS,
    summary: 'Runs the whole library on built-in simulators of the four vendors, no credentials needed.',
    usage: 'polyverify demo [--html FILE]',
    about:
      'Codes from the simulators’ inboxes, wrong and right checks, a safe failover, the list across vendors,\nthe exact cost summary, then the vendor scorecard over 3 000 seeded past verifications. Exits 0 when every step worked.',
    flags: [['--html FILE', 'where to write the scorecard’s HTML page (default: polyverify-report.html here)']],
    configured: false,
  },
  simulate: {
    run: simulate,
    options: SIMULATE_OPTIONS,
    summary: 'Runs the vendor simulators on 127.0.0.1 for local development, until Ctrl-C.',
    usage: 'polyverify simulate [--port N] [--json] [--fail VENDOR=HOW]…',
    about: 'Prints their URLs, the credentials they accept and a config for --config; then each code delivered, as it is sent.',
    flags: [
      ['--port N', 'listen on ports N, N+1, N+2 (default: free ports); the same port gives the same credentials and ids'],
      ['--json', 'print the config alone as JSON on stdout (the rest goes to stderr), then one JSON line per code delivered'],
      ['--fail VENDOR=HOW', 'make a simulator fail: auth, funds, rate-limit (nothing sent: a failover moves on) or down (503: it stops); repeatable'],
    ],
    configured: false,
  },
  start: {
    run: start,
    options: START_OPTIONS,
    summary: 'Starts a verification and prints it; its id is what check, get and the rest take.',
    usage: 'polyverify start (--to PHONE | --email ADDRESS) [options]',
    flags: [
      ['--to PHONE', 'the recipient’s phone number, E.164 (+491701234567)'],
      ['--email ADDRESS', 'an e-mail recipient instead (the email channel is used when no --channel is given)'],
      ['--channel C', `a channel of the plan, tried in the order given (repeat the flag): ${CHANNEL_LIST}; default: the provider’s plan`],
      ['--locale L', 'the message language, a BCP 47 tag (en, de-AT)'],
      ['--reference R', 'your correlation string, kept with the verification (up to 1000 characters)'],
      ['--ttl SECONDS', 'how long the code can be checked, in seconds (within the vendor’s range)'],
      ['--max-attempts N', 'wrong codes allowed before the verification fails'],
      ['--code-length N', 'digits of a generated code'],
      LIMIT_KEY,
    ],
    configured: true,
  },
  check: {
    run: check,
    options: COMMON_OPTIONS,
    summary: 'Checks a code; exits 0 when verified and 9 when not, printing the reason.',
    usage: 'polyverify check ID CODE',
    flags: [],
    configured: true,
  },
  get: { run: get,
    options: COMMON_OPTIONS, summary: 'Prints a verification as the vendor has it now.', usage: 'polyverify get ID', flags: [], configured: true },
  cancel: { run: cancel,
    options: COMMON_OPTIONS, summary: 'Cancels a verification, where the vendor can.', usage: 'polyverify cancel ID', flags: [], configured: true },
  resend: { run: resend,
    options: STEP_OPTIONS, summary: 'Sends the code again, on the same or another step of the plan.', usage: 'polyverify resend ID [--step N]', flags: [STEP, LIMIT_KEY], configured: true },
  failover: { run: failoverCommand,
    options: STEP_OPTIONS, summary: 'Moves a verification to the next channel of its plan now (or to step N).', usage: 'polyverify failover ID [--step N]', flags: [STEP, LIMIT_KEY], configured: true },
  list: {
    run: list,
    options: LIST_OPTIONS,
    summary: 'Lists verifications newest first, across every configured provider, in four formats.',
    usage: 'polyverify list [filters] [--format table|json|ndjson|csv] [--out FILE]',
    about: 'Writes as it reads: memory stays flat however long the list. Progress (records, pages, rate) goes to stderr on a terminal.',
    flags: [
      ...FILTER_FLAGS,
      ['--format F', 'table (default), json (one array), ndjson (one object a line) or csv (RFC 4180; cells that a spreadsheet would run as a formula start with \')'],
      ['--out FILE', 'write the export to FILE instead of stdout'],
    ],
    configured: true,
  },
  costs: {
    run: costs,
    options: COSTS_OPTIONS,
    summary: 'Totals costs exactly per provider, channel and currency; costs not final yet are counted apart.',
    usage: 'polyverify costs --from DATE [filters]',
    flags: FILTER_FLAGS,
    configured: true,
  },
  report: {
    run: report,
    options: REPORT_OPTIONS,
    summary: 'Scores the vendors over a window: conversion, time to verify, failures, cost per verified user.',
    usage: 'polyverify report --from DATE [filters] [--bucket day|hour] [--html FILE]',
    about: 'Per provider, per provider and country, and delivery per channel, as tables (or --json). Progress goes to stderr on a terminal.',
    flags: [...FILTER_FLAGS, ['--bucket B', 'the volume series per day (default) or hour, UTC'], ['--html FILE', 'also write one self-contained HTML page with charts to FILE']],
    configured: true,
  },
};

const EXIT_CODES = 'exit codes: 0 ok, 1 unexpected, 2 bad arguments, 3 configuration, 4 credentials, 5 not found,\n6 refused by the vendor, 7 rate limited, 8 vendor or store unreachable, 9 check: not verified';

/** `polyverify --help`. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return `usage: polyverify <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`)
  .join('\n')}

polyverify <command> --help shows a command's options; polyverify --version its version.
${EXIT_CODES}`;
}

const HELP_WIDTH = 100;

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function flagLines(flags: readonly FlagHelp[]): string[] {
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 2;
  return flags.flatMap(([flag, text]) => wrap(text, HELP_WIDTH - 2 - width).map((part, i) => `  ${(i === 0 ? flag : '').padEnd(width)}${part}`));
}

/** `polyverify <command> --help`. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const common = [...(c.configured ? CONFIG_FLAGS : []), ...OUTPUT_FLAGS.filter(([flag]) => !c.flags.some(([own]) => own === flag))];
  return [
    `usage: ${c.usage}`,
    '',
    c.summary,
    ...(c.about ? c.about.split('\n').flatMap((paragraph) => wrap(paragraph, HELP_WIDTH)) : []),
    ...(c.flags.length ? ['', 'options:', ...flagLines(c.flags)] : []),
    '',
    'common options:',
    ...flagLines(common),
    '',
    EXIT_CODES,
  ].join('\n');
}
