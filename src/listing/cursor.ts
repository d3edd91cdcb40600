/**
 * The opaque cursor codec: a position as a versioned, signed string, refused when it was
 * written for another list or altered. With a key, the signature is an HMAC that a client
 * cannot forge; without one (a merged list of providers whose own cursors, inside, are
 * signed), a checksum.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { invalid, type ParseContext } from '../validate.js';

const CURSOR_VERSION = 2;

/** The cursor keys of providers, so a merged list can sign its cursors with a key of their own. */
const cursorKeys = new WeakMap<object, Buffer>();

/** Records the key that signs `provider`'s cursors (adapters and composites do this once). */
export function setCursorKey(provider: object, key: Buffer): void {
  cursorKeys.set(provider, key);
}

/** The key that signs `provider`'s cursors, looked up along its prototypes (a composite's view of a member); undefined for a provider written by hand. */
export function cursorKeyOf(provider: object): Buffer | undefined {
  for (let at: object | null = provider; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    const key = cursorKeys.get(at);
    if (key) return key;
  }
  return undefined;
}

/**
 * The key of a cursor over several providers: from `secret` when given, else derived from
 * every provider's own key (so every instance of one backend derives the same), else none
 * (a provider written by hand has no key: the cursor is then checked by a checksum).
 */
export function combinedCursorKey(providers: readonly { readonly name: string }[], purpose: string, secret?: string): Buffer | undefined {
  if (secret !== undefined) return createHmac('sha256', secret).update(`polyverify cursor ${purpose}`).digest();
  const named = [...providers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hmac = createHmac('sha256', `polyverify cursor ${purpose}`);
  for (const provider of named) {
    const key = cursorKeyOf(provider);
    if (!key) return undefined;
    hmac.update(key);
  }
  return hmac.digest();
}

function signature(text: string, key: Buffer | undefined): string {
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(text).digest('base64url').slice(0, 22);
}

/**
 * Encodes a position as an opaque, versioned cursor string. `kind` names who wrote it
 * (`'lox24'`), so a cursor of another provider is refused.
 */
export function encodeCursor(kind: string, state: Record<string, unknown>, key?: Buffer): string {
  const json = JSON.stringify({ v: CURSOR_VERSION, k: kind, s: state });
  return `${Buffer.from(json).toString('base64url')}.${signature(json, key)}`;
}

/** Decodes a cursor written by {@link encodeCursor} for `kind`, or throws a `ValidationError` on `cursor`. */
export function decodeCursor<TSchema extends v.GenericSchema>(
  cursor: string,
  kind: string,
  schema: TSchema,
  context: ParseContext,
  key?: Buffer,
): v.InferOutput<TSchema> {
  const reject = (why: string): never => invalid([{ field: 'cursor', message: why }], { ...context, summary: 'Invalid list query' });
  const [body, sum, extra] = cursor.split('.');
  if (!body || !sum || extra !== undefined || cursor.length > 16_384) return reject('is not a polyverify cursor');
  const json = Buffer.from(body, 'base64url').toString('utf8');
  const expected = Buffer.from(signature(json, key));
  const given = Buffer.from(sum);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return reject('is damaged or was altered');
  let envelope: unknown;
  try {
    envelope = JSON.parse(json);
  } catch {
    return reject('is not a polyverify cursor');
  }
  const shape = v.safeParse(v.object({ v: v.number(), k: v.string(), s: v.unknown() }), envelope);
  if (!shape.success) return reject('is not a polyverify cursor');
  if (shape.output.v !== CURSOR_VERSION) return reject(`has version ${shape.output.v}; this polyverify reads version ${CURSOR_VERSION}`);
  if (shape.output.k !== kind) return reject(`belongs to another provider and cannot resume this list`);
  const state = v.safeParse(schema, shape.output.s);
  if (!state.success) return reject('has an invalid position');
  return state.output;
}
