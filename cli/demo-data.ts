/**
 * The demo's history: a few thousand past verifications seeded into the simulators, each vendor
 * with its own conversion, speed and price per country, so the scorecard has something to tell.
 * Deterministic (a seeded generator): every run draws the same history, relative to its start.
 */
import type { CodeStore } from '../src/codes/store.js';
import type { Channel, VerificationStatus } from '../src/model.js';
import type { SeedInput } from '../testing/base.js';
import { seededRandom } from '../src/routing/random.js';

/** What a simulator needs to take seeds. */
interface Seedable {
  seed(input: SeedInput): string;
}

/** How one vendor does in one country: the demo's made-up truth. */
interface Profile {
  /** Share of finished verifications that verify. */
  readonly conversion: number;
  /** Median seconds from creation to verification. */
  readonly medianSeconds: number;
  /** Price of one verification, EUR. */
  readonly price: number;
}

const COUNTRIES: Record<string, { readonly prefix: string; readonly digits: number; readonly weight: number }> = {
  DE: { prefix: '+49170', digits: 7, weight: 5 },
  FR: { prefix: '+336', digits: 8, weight: 4 },
  GB: { prefix: '+447400', digits: 6, weight: 4 },
  NL: { prefix: '+316', digits: 8, weight: 2 },
  ES: { prefix: '+346', digits: 8, weight: 2 },
  US: { prefix: '+12125', digits: 6, weight: 3 },
  BR: { prefix: '+55119', digits: 8, weight: 2 },
  IN: { prefix: '+9198', digits: 8, weight: 2 },
};

type Vendor = 'lox24' | 'notificore' | 'messagebird' | 'twilio';

// Each vendor strong somewhere and weak elsewhere, as real ones are.
const PROFILES: Record<Vendor, Record<string, Profile>> = {
  lox24: {
    DE: { conversion: 0.93, medianSeconds: 14, price: 0.065 },
    FR: { conversion: 0.88, medianSeconds: 18, price: 0.072 },
    GB: { conversion: 0.86, medianSeconds: 20, price: 0.041 },
    NL: { conversion: 0.9, medianSeconds: 15, price: 0.083 },
    ES: { conversion: 0.84, medianSeconds: 22, price: 0.07 },
    US: { conversion: 0.72, medianSeconds: 35, price: 0.012 },
    BR: { conversion: 0.61, medianSeconds: 48, price: 0.054 },
    IN: { conversion: 0.55, medianSeconds: 62, price: 0.009 },
  },
  notificore: {
    DE: { conversion: 0.89, medianSeconds: 19, price: 0.058 },
    FR: { conversion: 0.9, medianSeconds: 16, price: 0.061 },
    GB: { conversion: 0.91, medianSeconds: 15, price: 0.038 },
    NL: { conversion: 0.85, medianSeconds: 21, price: 0.076 },
    ES: { conversion: 0.88, medianSeconds: 17, price: 0.059 },
    US: { conversion: 0.8, medianSeconds: 26, price: 0.015 },
    BR: { conversion: 0.74, medianSeconds: 31, price: 0.049 },
    IN: { conversion: 0.78, medianSeconds: 29, price: 0.011 },
  },
  messagebird: {
    DE: { conversion: 0.9, medianSeconds: 12, price: 0 },
    FR: { conversion: 0.86, medianSeconds: 14, price: 0 },
    GB: { conversion: 0.94, medianSeconds: 10, price: 0 },
    NL: { conversion: 0.95, medianSeconds: 9, price: 0 },
    ES: { conversion: 0.83, medianSeconds: 19, price: 0 },
    US: { conversion: 0.9, medianSeconds: 13, price: 0 },
    BR: { conversion: 0.68, medianSeconds: 40, price: 0 },
    IN: { conversion: 0.63, medianSeconds: 44, price: 0 },
  },
  // Twilio's prices are USD per delivery attempt, as it bills.
  twilio: {
    DE: { conversion: 0.92, medianSeconds: 13, price: 0.098 },
    FR: { conversion: 0.91, medianSeconds: 14, price: 0.087 },
    GB: { conversion: 0.93, medianSeconds: 12, price: 0.045 },
    NL: { conversion: 0.92, medianSeconds: 13, price: 0.109 },
    ES: { conversion: 0.9, medianSeconds: 15, price: 0.082 },
    US: { conversion: 0.94, medianSeconds: 10, price: 0.0083 },
    BR: { conversion: 0.82, medianSeconds: 24, price: 0.062 },
    IN: { conversion: 0.8, medianSeconds: 27, price: 0.066 },
  },
};

const CHANNELS: Record<Vendor, readonly [Channel, number][]> = {
  lox24: [['sms', 0.8], ['telegram', 0.15], ['voice', 0.05]],
  notificore: [['sms', 0.6], ['viber', 0.4]],
  messagebird: [['sms', 1]],
  twilio: [['sms', 0.7], ['whatsapp', 0.2], ['voice', 0.1]],
};

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) if ((r -= weight) < 0) return value;
  return weighted[weighted.length - 1]![0];
}

/** The demo's simulators and LOX24's code store (LOX24 does not know which codes verified: polyverify does). */
export interface DemoTargets {
  readonly lox24: Seedable;
  readonly notificore: Seedable;
  readonly messagebird: Seedable;
  readonly twilio: Seedable;
  readonly lox24Store: CodeStore;
}

/** What was seeded. */
export interface SeededHistory {
  readonly count: number;
  readonly from: Date;
  readonly to: Date;
}

/**
 * Seeds `perVendor` verifications per vendor, created over the `days` before `now`. LOX24's
 * verified ones get a verified record in its code store, as a real check would leave.
 */
export async function seedHistory(targets: DemoTargets, options: { now: number; days?: number; perVendor?: number }): Promise<SeededHistory> {
  const days = options.days ?? 14;
  const perVendor = options.perVendor ?? 1_000;
  const random = seededRandom(20261202);
  const from = Math.floor((options.now - days * 86_400_000) / 1000) * 1000; // whole seconds, as vendors stamp times
  const end = options.now - 3_600_000; // an hour ago: the demo's own verifications come after
  const countries = Object.entries(COUNTRIES).map(([code, c]) => [code, c.weight] as const);
  let count = 0;
  for (const vendor of ['lox24', 'notificore', 'messagebird', 'twilio'] as const) {
    for (let i = 0; i < perVendor; i++) {
      const country = pick(random, countries);
      const profile = PROFILES[vendor][country]!;
      const { prefix, digits } = COUNTRIES[country]!;
      const to = `${prefix}${String(Math.floor(random() * 10 ** digits)).padStart(digits, '0')}`;
      // Busier in the day (UTC 7–21) than at night.
      let createdAt = from + random() * (end - from);
      const hour = new Date(createdAt).getUTCHours();
      if ((hour < 7 || hour > 21) && random() < 0.6) createdAt -= 10 * 3_600_000 * random();
      createdAt = Math.max(from + 1000, createdAt);
      const status: VerificationStatus = random() < profile.conversion ? 'verified' : random() < 0.35 ? 'failed' : 'expired';
      // Log-normal spread around the median: most users are quick, a few take minutes.
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const took = Math.max(3, Math.round(profile.medianSeconds * Math.exp(0.7 * gaussian)));
      const finishedAt = new Date(createdAt + (status === 'verified' ? took : status === 'failed' ? 30 : 300) * 1000);
      const channel = pick(random, CHANNELS[vendor]);
      const price = status === 'failed' && vendor === 'lox24' ? profile.price / 2 : profile.price;
      const seed: SeedInput = { to, createdAt: new Date(createdAt), status, channel, finishedAt, price: price.toFixed(3) };
      const id = targets[vendor].seed(seed);
      if (vendor === 'lox24' && status === 'verified') {
        await targets.lox24Store.save(id, {
          hash: '0'.repeat(64),
          createdAt,
          expiresAt: createdAt + 300_000,
          maxAttempts: 3,
          failedAttempts: 0,
          state: 'verified',
          finishedAt: finishedAt.getTime(),
        });
      }
      count++;
    }
  }
  return { count, from: new Date(from), to: new Date(options.now) };
}
