/**
 * The opaque cursor codec: a position as a versioned, signed string, refused when it was
 * written for another list or altered. With a key, the signature is an HMAC that a client
 * cannot forge; without one (a merged list of providers whose own cursors, inside, are
 * signed), a checksum.
 */
import { base64urlDecode, base64urlEncode, concatBytes } from '../bytes.js';
import { constantTimeEqualText, hmacSha256, sha256Bytes } from '../crypto.js';
import * as v from 'valibot';
import { invalid, type ParseContext } from '../validate.js';

const CURSOR_VERSION = 2;

/** The cursor keys of providers, so a merged list can sign its cursors with a key of their own. */
const cursorKeys = new WeakMap<object, Uint8Array>();

/** Records the key that signs `provider`'s cursors (adapters and composites do this once). */
export function setCursorKey(provider: object, key: Uint8Array): void {
  cursorKeys.set(provider, key);
}

/** The key that signs `provider`'s cursors, looked up along its prototypes (a composite's view of a member); undefined for a provider written by hand. */
export function cursorKeyOf(provider: object): Uint8Array | undefined {
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
export function combinedCursorKey(providers: readonly { readonly name: string }[], purpose: string, secret?: string): Uint8Array | undefined {
  if (secret !== undefined) return hmacSha256(secret, `polyverify cursor ${purpose}`);
  const named = [...providers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const keys: Uint8Array[] = [];
  for (const provider of named) {
    const key = cursorKeyOf(provider);
    if (!key) return undefined;
    keys.push(key);
  }
  return hmacSha256(`polyverify cursor ${purpose}`, concatBytes(keys));
}

function signature(text: string, key: Uint8Array | undefined): string {
  return base64urlEncode(key ? hmacSha256(key, text) : sha256Bytes(text)).slice(0, 22);
}

/**
 * Encodes a position as an opaque, versioned cursor string. `kind` names who wrote it
 * (`'lox24'`), so a cursor of another provider is refused.
 */
export function encodeCursor(kind: string, state: Record<string, unknown>, key?: Uint8Array): string {
  const json = JSON.stringify({ v: CURSOR_VERSION, k: kind, s: state });
  return `${base64urlEncode(json)}.${signature(json, key)}`;
}

/** Decodes a cursor written by {@link encodeCursor} for `kind`, or throws a `ValidationError` on `cursor`. */
export function decodeCursor<TSchema extends v.GenericSchema>(
  cursor: string,
  kind: string,
  schema: TSchema,
  context: ParseContext,
  key?: Uint8Array,
): v.InferOutput<TSchema> {
  const reject = (why: string): never => invalid([{ field: 'cursor', message: why }], { ...context, summary: 'Invalid list query' });
  const [body, sum, extra] = cursor.split('.');
  if (!body || !sum || extra !== undefined || cursor.length > 16_384) return reject('is not a polyverify cursor');
  let json: string;
  try {
    json = base64urlDecode(body);
  } catch {
    return reject('is not a polyverify cursor');
  }
  if (!constantTimeEqualText(signature(json, key), sum)) return reject('is damaged or was altered');
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
