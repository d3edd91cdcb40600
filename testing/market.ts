/**
 * A market with a ground truth, to prove routing decisions: vendors whose delivery rate and price
 * per country are known here (and only here), a user who types the code when it arrives, drift
 * (a vendor's delivery in a country changes at a given time), and SMS pumping (starts to a range
 * that never converts). Its vendors are in-process `VerifyProvider`s on a simulated clock, so a
 * hundred thousand verifications take seconds; `runMarket` drives any provider through it and
 * counts what a router cares about: verified users, money, and where the traffic went.
 */
import type { CheckResult, Verification } from '../src/model.js';
import type { Capabilities, VerifyProvider } from '../src/provider.js';
import { seededRandom } from '../src/routing/random.js';

/** One vendor of the market: its true delivery rate and price per country. */
export interface MarketVendor {
  /** The member's name. */
  readonly name: string;
  /** Per country (ISO 3166-1 alpha-2): the chance a code is delivered, and the price of a start (EUR). */
  readonly countries: Readonly<
    Record<
      string,
      {
        /** The chance a code is delivered (0 to 1). */
        readonly delivery: number;
        /** The price of a start, a decimal in EUR. */
        readonly price: string;
      }
    >
  >;
}

/** A country of the market: how numbers look and how much of the traffic it has. */
export interface MarketCountry {
  /** ISO 3166-1 alpha-2. */
  readonly code: string;
  /** A mobile number prefix of the country, E.164 (`+4917`); numbers are it plus `digits` random digits. */
  readonly prefix: string;
  /** Random digits after the prefix (8), so that numbers have the country's length. */
  readonly digits?: number;
  /** Its share of the traffic (relative). */
  readonly weight: number;
}

/** A change of a vendor's delivery in a country from a time on. */
export interface MarketDrift {
  /** The vendor that changes. */
  readonly vendor: string;
  /** Where (ISO 3166-1 alpha-2). */
  readonly country: string;
  /** From this simulated time on (ms since the market opened). */
  readonly fromMs: number;
  /** Its delivery rate from then on. */
  readonly delivery: number;
}

/** The world a market plays. */
export interface MarketWorld {
  /** The vendors, with their true rates and prices. */
  readonly vendors: readonly MarketVendor[];
  /** The countries, with their share of the traffic. */
  readonly countries: readonly MarketCountry[];
  /** How long a code is checkable (300 s). */
  readonly ttlSeconds?: number;
  /** How long a user takes to type a delivered code (20 s). */
  readonly userDelaySeconds?: number;
  /** Users who never type a delivered code (0.05). */
  readonly abandon?: number;
  /** Changes of delivery over time. */
  readonly drift?: readonly MarketDrift[];
  /** An SMS pumping attack: starts to numbers of one range whose codes nobody types. */
  readonly pumping?: MarketPumping;
}

/** A pumping attack: from a time on, one start per step of the run to `prefix` plus random digits, `starts` in all. */
export interface MarketPumping {
  /** The range attacked, E.164 (`+447700`). */
  readonly prefix: string;
  /** Random digits after it. */
  readonly digits: number;
  /** From this simulated time on (ms since the market opened). */
  readonly fromMs: number;
  /** Starts the attacker makes. */
  readonly starts: number;
}

interface Sent {
  readonly vendor: string;
  readonly country: string;
  readonly delivered: boolean;
  readonly expiresAt: number;
  verified: boolean;
}

const CAPABILITIES: Capabilities = {
  channels: ['sms'],
  recipients: ['phone'],
  codeOwner: 'vendor',
  customCode: false,
  codeLength: { min: 6, max: 6, default: 6 },
  ttlSeconds: { min: 60, max: 600, default: 300 },
  maxAttempts: { min: 1, max: 5, default: 3 },
  resend: false,
  failover: false,
  cancel: 'none',
  cost: true,
  reference: false,
  listFilters: { server: [], client: ['from', 'to', 'status', 'channel', 'phone', 'reference', 'ids'] },
};

/** An open market: its vendors as providers, its clock, and the truth. */
export interface Market {
  /** The world it plays (for a variant: `openMarket({ ...market.world, drift: [...] })`). */
  readonly world: MarketWorld;
  /** Each vendor as a `VerifyProvider`. */
  readonly members: readonly VerifyProvider[];
  /** The simulated time (epoch ms): give it to `adaptive({ now })`. */
  now(): number;
  /** Moves the simulated time forward. */
  advance(ms: number): void;
  /** A vendor's true delivery rate in a country now. */
  delivery(vendor: string, country: string): number;
  /** A vendor's price in a country. */
  price(vendor: string, country: string): number;
  /**
   * The oracle's pick in a country now, from the true rates and prices: the cheapest vendor whose
   * delivery is within `alpha` of the best (what `adaptive()` aims at with the same α); with
   * `alpha` undefined, the vendor with the lowest true cost per verified user.
   */
  oracle(country: string, alpha?: number): string;
  /** Whether a verification's code reached the user (the user then types it). */
  delivered(id: string): boolean;
  /** The country of a number of the market. */
  countryOf(phone: string): string;
  /**
   * Drives `provider` through the market: `starts` starts, one every `intervalMs` (1000) of
   * simulated time, to numbers drawn by the countries' weights; a user types each delivered code
   * after the world's delay (unless they abandon). `onStart` sees each verification. Seeded: the
   * same seed, the same run.
   */
  run(provider: VerifyProvider, options: RunOptions): Promise<MarketRun>;
}

/** Options of {@link Market.run}. */
export interface RunOptions {
  /** How many starts. */
  readonly starts: number;
  /** Simulated time between starts (1000 ms). */
  readonly intervalMs?: number;
  /** Seeds the countries, numbers and users of the run. */
  readonly seed?: number;
  /** A point of the curve every this many starts. */
  readonly every?: number;
  /** Sees each verification started, with its index in the run. */
  readonly onStart?: (v: Verification, index: number) => void;
}

const OPENED = Date.UTC(2026, 11, 1);

// The default world: ten countries, three vendors named like the built-in ones, each strong in
// some countries and weak in others, so that no single vendor is the best everywhere.
const row = (lox: [number, string], nc: [number, string], bird: [number, string]) => ({ lox, nc, bird });
// Each vendor is strong somewhere and weak elsewhere: no single vendor is good everywhere.
const TABLE: Record<string, { prefix: string; weight: number; digits?: number } & ReturnType<typeof row>> = {
  DE: { prefix: '+4917', weight: 18, ...row([0.93, '0.040'], [0.8, '0.060'], [0.55, '0.050']) },
  FR: { prefix: '+336', weight: 12, ...row([0.92, '0.045'], [0.78, '0.055'], [0.5, '0.045']) },
  ES: { prefix: '+346', weight: 6, ...row([0.91, '0.040'], [0.85, '0.050'], [0.6, '0.045']) },
  IT: { prefix: '+393', digits: 9, weight: 6, ...row([0.9, '0.045'], [0.8, '0.050'], [0.55, '0.050']) },
  IN: { prefix: '+919', weight: 15, ...row([0.45, '0.015'], [0.9, '0.012'], [0.7, '0.016']) },
  NG: { prefix: '+23480', weight: 6, ...row([0.4, '0.035'], [0.88, '0.030'], [0.6, '0.035']) },
  ID: { prefix: '+628', weight: 9, ...row([0.5, '0.030'], [0.89, '0.025'], [0.65, '0.030']) },
  GB: { prefix: '+447', digits: 9, weight: 12, ...row([0.75, '0.040'], [0.5, '0.035'], [0.95, '0.032']) },
  US: { prefix: '+1212', digits: 7, weight: 10, ...row([0.7, '0.012'], [0.55, '0.010'], [0.96, '0.009']) },
  BR: { prefix: '+55119', weight: 6, ...row([0.55, '0.035'], [0.8, '0.030'], [0.93, '0.028']) },
};

const DEFAULT_WORLD: MarketWorld = {
  vendors: (['lox', 'nc', 'bird'] as const).map((name) => ({
    name: { lox: 'lox24', nc: 'notificore', bird: 'messagebird' }[name],
    countries: Object.fromEntries(Object.entries(TABLE).map(([code, r]) => [code, { delivery: r[name][0], price: r[name][1] }])),
  })),
  countries: Object.entries(TABLE).map(([code, r]) => ({ code, prefix: r.prefix, weight: r.weight, ...(r.digits && { digits: r.digits }) })),
};


/** Opens a market on `world` (by default ten countries and three vendors), with its own seeded randomness and clock. */
export function openMarket(world: MarketWorld = DEFAULT_WORLD, options: { readonly seed?: number } = {}): Market {
  const random = seededRandom(options.seed ?? 1);
  let clock = OPENED;
  const sent = new Map<string, Sent>();
  const ttlMs = (world.ttlSeconds ?? 300) * 1000;
  const byPrefix = [...world.countries].sort((a, b) => b.prefix.length - a.prefix.length);
  const countryOf = (phone: string) => byPrefix.find((c) => phone.startsWith(c.prefix))?.code ?? 'unknown';
  const delivery = (vendor: string, country: string): number => {
    const drift = (world.drift ?? []).filter((d) => d.vendor === vendor && d.country === country && clock - OPENED >= d.fromMs).at(-1);
    return drift?.delivery ?? world.vendors.find((v) => v.name === vendor)?.countries[country]?.delivery ?? 0;
  };
  const price = (vendor: string, country: string): number => Number(world.vendors.find((v) => v.name === vendor)?.countries[country]?.price ?? 'NaN');
  let serial = 0;

  const member = (vendor: MarketVendor): VerifyProvider => {
    const verification = (id: string, to: string, record: Sent, createdAt: number): Verification => ({
      id,
      provider: vendor.name,
      to,
      status: record.verified ? 'verified' : clock >= record.expiresAt ? 'expired' : 'pending',
      channels: [{ channel: 'sms' }],
      attempts: [],
      deliveredChannel: record.delivered ? 'sms' : undefined,
      maxAttempts: 3,
      failedAttempts: 0,
      cost: { amount: vendor.countries[record.country]?.price ?? '0', currency: 'EUR' },
      reference: undefined,
      country: record.country,
      createdAt: new Date(createdAt),
      updatedAt: undefined,
      expiresAt: new Date(record.expiresAt),
      finishedAt: undefined,
      raw: {},
    });
    const unsupported = () => Promise.reject(new Error('not in the market'));
    return {
      name: vendor.name,
      capabilities: CAPABILITIES,
      async start(request) {
        const to = request.to as string;
        const country = countryOf(to);
        const id = `${vendor.name}-${++serial}`;
        const record: Sent = { vendor: vendor.name, country, delivered: random() < delivery(vendor.name, country), expiresAt: clock + ttlMs, verified: false };
        sent.set(id, record);
        return verification(id, to, record, clock);
      },
      async check(id, code): Promise<CheckResult> {
        const record = sent.get(id);
        if (!record) return { verified: false, status: 'failed', reason: 'not_found' };
        if (record.verified) return { verified: false, status: 'verified', reason: 'already_verified' };
        if (clock >= record.expiresAt) return { verified: false, status: 'expired', reason: 'expired' };
        if (!record.delivered || code !== '123456') return { verified: false, status: 'pending', reason: 'incorrect_code', attemptsRemaining: 2 };
        record.verified = true;
        return { verified: true, status: 'verified' };
      },
      get: unsupported,
      resend: unsupported,
      failover: unsupported,
      cancel: unsupported,
      list: () => (async function* () {})(),
      listPage: async () => ({ items: [] }),
    };
  };

  const market: Market = {
    world,
    members: world.vendors.map(member),
    now: () => clock,
    advance: (ms) => void (clock += ms),
    delivery,
    price,
    oracle: (country, alpha) => {
      if (alpha === undefined) return [...world.vendors].sort((a, b) => price(a.name, country) / delivery(a.name, country) - price(b.name, country) / delivery(b.name, country))[0]!.name;
      const best = Math.max(...world.vendors.map((v) => delivery(v.name, country)));
      return world.vendors.filter((v) => delivery(v.name, country) >= (1 - alpha) * best).sort((a, b) => price(a.name, country) - price(b.name, country))[0]!.name;
    },
    delivered: (id) => sent.get(id.slice(id.lastIndexOf(':') + 1))?.delivered ?? false,
    countryOf,
    run: (provider, runOptions) => run(provider, market, world, runOptions),
  };
  return market;
}

/** What a run through the market gave. */
export interface MarketRun {
  /** Genuine starts made. */
  readonly started: number;
  /** Genuine starts refused (by a guard: `RateLimitError`, nothing sent), outside the attacked range. */
  readonly refused: number;
  /** Genuine starts refused inside the attacked range. */
  readonly collateral: number;
  /** The pumping attack's starts: sent, and refused. */
  readonly pumped: {
    /** Sent (and paid for). */
    readonly sent: number;
    /** Refused. */
    readonly refused: number;
  };
  /** Users verified. */
  readonly verified: number;
  /** Money spent (EUR). */
  readonly cost: number;
  /** Cost per verified user (EUR). */
  readonly costPerVerified: number;
  /** Starts per country and vendor. */
  readonly shares: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Per country: genuine starts sent, users verified, money spent (EUR) — the scorecard of the run. */
  readonly countries: Readonly<
    Record<
      string,
      {
        /** Genuine starts sent there. */
        readonly started: number;
        /** Users verified there. */
        readonly verified: number;
        /** Money spent there (EUR). */
        readonly cost: number;
      }
    >
  >;
  /** After each `every` starts: verified users and money so far (a regret curve against another run). */
  readonly curve: readonly {
    /** Starts so far. */
    readonly started: number;
    /** Users verified so far. */
    readonly verified: number;
    /** Money spent so far (EUR). */
    readonly cost: number;
  }[];
}

async function run(provider: VerifyProvider, market: Market, world: MarketWorld, options: RunOptions): Promise<MarketRun> {
  const random = seededRandom(options.seed ?? 2);
  const interval = options.intervalMs ?? 1000;
  const delay = (world.userDelaySeconds ?? 20) * 1000;
  const abandon = world.abandon ?? 0.05;
  const totalWeight = world.countries.reduce((sum, c) => sum + c.weight, 0);
  const due: { at: number; id: string; country: string }[] = [];
  const countries: Record<string, { started: number; verified: number; cost: number }> = {};
  const shares: Record<string, Record<string, number>> = {};
  const curve: { started: number; verified: number; cost: number }[] = [];
  let verified = 0;
  let cost = 0;
  let refused = 0;
  let collateral = 0;
  const pumped = { sent: 0, refused: 0 };
  // A refusal that sent nothing (a guard's) is counted; anything else ends the run.
  const refusal = (error: unknown): undefined => {
    if ((error as { sent?: unknown }).sent === 'no' && (error as { name?: unknown }).name === 'RateLimitError') return undefined;
    throw error;
  };
  const typeDue = async () => {
    while (due.length > 0 && due[0]!.at <= market.now()) {
      const { id, country } = due.shift()!;
      if ((await provider.check(id, '123456')).verified) {
        verified++;
        countries[country]!.verified++;
      }
    }
  };
  for (let i = 0; i < options.starts; i++) {
    market.advance(interval);
    await typeDue();
    let draw = random() * totalWeight;
    const country = world.countries.find((c) => (draw -= c.weight) < 0) ?? world.countries.at(-1)!;
    const length = country.digits ?? 8;
    const digits = String(Math.floor(random() * 10 ** length)).padStart(length, '0');
    const attack = world.pumping;
    if (attack && market.now() - OPENED >= attack.fromMs && pumped.sent + pumped.refused < attack.starts) {
      const to = `${attack.prefix}${String(Math.floor(random() * 10 ** attack.digits)).padStart(attack.digits, '0')}`;
      const outcome = await provider.start({ to }).then((sent) => sent, refusal);
      if (outcome) {
        pumped.sent++;
        cost += outcome.cost ? Number(outcome.cost.amount) : 0;
      } else pumped.refused++;
    }
    const to = `${country.prefix}${digits}`;
    const v = await provider.start({ to }).then((sent) => sent, refusal);
    if (!v) {
      if (attack && to.startsWith(attack.prefix)) collateral++;
      else refused++;
      continue;
    }
    options.onStart?.(v, i);
    const paid = v.cost ? Number(v.cost.amount) : 0;
    cost += paid;
    const figures = (countries[country.code] ??= { started: 0, verified: 0, cost: 0 });
    figures.started++;
    figures.cost += paid;
    const vendor = v.provider;
    (shares[country.code] ??= {})[vendor] = (shares[country.code]![vendor] ?? 0) + 1;
    if (market.delivered(v.id) && random() >= abandon) due.push({ at: market.now() + delay, id: v.id, country: country.code });
    if (options.every && (i + 1) % options.every === 0) curve.push({ started: i + 1, verified, cost: Math.round(cost * 100) / 100 });
  }
  market.advance(delay + 1);
  await typeDue();
  return { started: options.starts - refused - collateral, refused, collateral, pumped, verified, cost: Math.round(cost * 100) / 100, costPerVerified: verified ? Math.round((cost / verified) * 10_000) / 10_000 : Infinity, shares, countries, curve };
}
