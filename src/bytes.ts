/**
 * Bytes and their text forms (hex, base64url, UTF-8) with the web platform's own tools
 * (`TextEncoder`, `btoa`), so no module needs Node's `Buffer`.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A string's UTF-8 bytes; bytes as they are. */
export function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Bytes joined, in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** base64url (no padding) of bytes, or of a string's UTF-8 bytes. */
export function base64urlEncode(data: string | Uint8Array): string {
  let binary = '';
  const bytes = bytesOf(data);
  for (const byte of bytes) binary += String.fromCharCode(byte);
  // Four characters for every three bytes, the padding cut off.
  return btoa(binary).slice(0, Math.ceil((bytes.length * 4) / 3)).replace(/\+/g, '-').replace(/\//g, '_');
}

/** The UTF-8 text of a base64url (or base64) string; throws on what is not base64. */
export function base64urlDecode(encoded: string): string {
  const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
  return decoder.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

const WHOLE_HEX = /^(?:[0-9a-f]{2})+$/i;

/** Whether a text is whole, non-empty hex (pairs of digits, either letter case). */
export function isWholeHex(text: string): boolean {
  return WHOLE_HEX.test(text);
}

/** The bytes of a hex string, or undefined for anything that is not whole, non-empty hex. */
export function hexBytes(hex: string): Uint8Array | undefined {
  if (!isWholeHex(hex)) return undefined;
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
